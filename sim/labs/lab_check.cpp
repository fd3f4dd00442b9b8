#include "sim/labs/lab_check.h"

#include <cctype>
#include <sstream>

#include "util/input_error.h"
#include "util/utf8.h"

namespace s2sim::sim::lab {

namespace {

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

AnswerFile read_answer_file(const Problem& p, std::string_view text, const std::string& name) {
  AnswerFile f;
  f.name = name;
  f.answers.resize(p.questions.size());
  text = without_bom(text);
  const int nq = static_cast<int>(p.questions.size());
  int lineno = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view raw = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineno;
    const std::string where = name + ":" + std::to_string(lineno);
    if (const std::size_t hash = raw.find('#'); hash != std::string_view::npos) raw = raw.substr(0, hash);
    const std::string line = trim(raw);
    if (line.empty()) continue;

    // "qN: value"
    std::size_t i = 0;
    if (line[i] != 'q' && line[i] != 'Q') throw InputError(where, "expected \"qN: value\", got \"" + line + "\"");
    ++i;
    const std::size_t digits = i;
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
    const std::size_t after_digits = i;
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (after_digits == digits || after_digits - digits > 4 || i >= line.size() || line[i] != ':')
      throw InputError(where, "expected \"qN: value\", got \"" + line + "\"");
    const int qn = std::stoi(line.substr(digits, after_digits - digits));
    const std::string qname = "q" + std::to_string(qn);
    if (qn < 1 || qn > nq)
      throw InputError(where, qname + ": lab " + std::to_string(p.lab) + " has questions q1 to q" + std::to_string(nq));
    const std::string value = trim(std::string_view(line).substr(i + 1));
    if (value.empty()) throw InputError(where, qname + ": no value after the colon");
    auto& slot = f.answers[static_cast<std::size_t>(qn - 1)];
    if (slot) throw InputError(where, qname + " is answered twice (first on line " + std::to_string(slot->line) + ")");
    std::string why;
    auto v = read_answer(p.questions[static_cast<std::size_t>(qn - 1)].accepts, value, &why);
    if (!v) throw InputError(where, qname + ": " + why);
    slot = AnswerLine{value, std::move(*v), lineno};
  }
  return f;
}

Grade grade_answer(const Question& q, const AnswerValue& v) {
  Grade g;
  g.answered = true;
  for (const std::string& a : q.answers)
    if (auto r = read_answer(q.accepts, a); r && *r == v) {
      g.right = true;
      return g;
    }
  if (q.also_right && q.also_right(v)) {
    g.right = true;
    return g;
  }
  for (const Mistake& m : q.mistakes)
    if (auto r = read_answer(q.accepts, m.answer); r && *r == v) {
      g.hint = m.hint;
      return g;
    }
  g.hint = q.explain ? q.explain(v) : std::string();
  return g;
}

std::vector<Grade> grade(const Problem& p, const AnswerFile& answers) {
  std::vector<Grade> out;
  for (std::size_t i = 0; i < p.questions.size(); ++i) {
    const auto& a = i < answers.answers.size() ? answers.answers[i] : std::nullopt;
    if (!a) {
      out.push_back(Grade{});
      continue;
    }
    Grade g = grade_answer(p.questions[i], a->value);
    g.given = a->text;
    out.push_back(std::move(g));
  }
  return out;
}

bool all_right(const std::vector<Grade>& grades) {
  for (const Grade& g : grades)
    if (!g.right) return false;
  return true;
}

std::string check_report(const Problem& p, const AnswerFile& answers, const std::vector<Grade>& grades) {
  std::ostringstream out;
  out << "lab " << p.lab << " (" << p.title << "), seed " << p.seed << ", answers from " << answers.name << "\n";
  std::size_t right = 0;
  for (std::size_t i = 0; i < grades.size(); ++i) {
    const Grade& g = grades[i];
    std::string q = "q" + std::to_string(i + 1);
    q.resize(5, ' ');
    if (g.right) {
      ++right;
      out << q << "right\n";
    } else if (!g.answered) {
      out << q << "missing  (no \"q" << i + 1 << ":\" line)\n";
    } else {
      out << q << "wrong    you wrote: " << g.given << "\n";
      out << "     hint: " << g.hint << "\n";
    }
  }
  out << "score: " << right << "/" << grades.size() << "\n";
  if (right != grades.size()) out << "worked answers: s2sim lab solve " << p.lab << " --seed " << p.seed << "\n";
  return out.str();
}

}  // namespace s2sim::sim::lab
