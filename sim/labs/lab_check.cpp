#include "sim/labs/lab_check.h"

#include <cctype>
#include <sstream>

#include "util/input_error.h"
#include "util/parse_number.h"
#include "util/utf8.h"

namespace s2sim::sim::lab {

namespace {

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One non-blank line of an answer file, comment removed.
struct Line {
  int number;
  std::string text;
};

std::vector<Line> lines_of(std::string_view text) {
  std::vector<Line> out;
  int lineno = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view raw = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineno;
    if (const std::size_t hash = raw.find('#'); hash != std::string_view::npos) raw = raw.substr(0, hash);
    std::string line = trim(raw);
    if (!line.empty()) out.push_back({lineno, std::move(line)});
  }
  return out;
}

// A header line "key: value" (lab, seed, student, level): its key in lower case, or
// empty if the line is not one.
const char* const kHeaderKeys[] = {"lab", "seed", "student", "level"};
std::string header_key(const std::string& line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string::npos) return "";
  const std::string key = lower(trim(std::string_view(line).substr(0, colon)));
  for (const char* k : kHeaderKeys)
    if (key == k) return key;
  return "";
}

std::string header_value(const std::string& line) { return trim(std::string_view(line).substr(line.find(':') + 1)); }

}  // namespace

AnswerHeader read_answer_header(std::string_view text, const std::string& name) {
  AnswerHeader h;
  std::vector<InputError> errors;
  std::vector<std::pair<std::string, int>> seen;
  for (const Line& l : lines_of(text)) {
    const std::string key = header_key(l.text);
    if (key.empty()) continue;
    const std::string where = name + ":" + std::to_string(l.number);
    bool twice = false;
    for (const auto& [k, at] : seen)
      if (k == key) {
        errors.emplace_back(where, key + " is given twice (first on line " + std::to_string(at) + ")");
        twice = true;
      }
    if (twice) continue;
    seen.emplace_back(key, l.number);
    const std::string v = header_value(l.text);
    if (key == "lab") {
      const auto n = parse_u64(v);
      if (!n || *n < 1 || *n > 99)
        errors.emplace_back(where, "lab: \"" + v + "\" is not a lab number");
      else
        h.lab = static_cast<int>(*n);
    } else if (key == "seed") {
      const auto n = parse_u64(v);
      if (!n)
        errors.emplace_back(where, "seed: \"" + v + "\" is not a 64-bit number");
      else
        h.seed = *n;
    } else if (key == "student") {
      if (v.empty())
        errors.emplace_back(where, "student: no id after the colon");
      else
        h.student = v;
    } else {
      const auto lv = level_from(lower(v));
      if (!lv)
        errors.emplace_back(where, "level: \"" + v + "\" is not easy, normal or hard");
      else
        h.level = *lv;
    }
  }
  if (!errors.empty()) throw InputErrors(std::move(errors));
  return h;
}

AnswerFile read_answer_file(const Problem& p, std::string_view text, const std::string& name) {
  AnswerFile f;
  f.name = name;
  f.answers.resize(p.questions.size());
  text = without_bom(text);
  const int nq = static_cast<int>(p.questions.size());
  std::vector<InputError> errors;
  for (const Line& l : lines_of(text)) {
    const std::string& line = l.text;
    const std::string where = name + ":" + std::to_string(l.number);
    if (!header_key(line).empty()) continue;  // read by read_answer_header

    // "qN: value"
    std::size_t i = 0;
    const std::string expected = "expected \"qN: value\", got \"" + line + "\"";
    if (line[i] != 'q' && line[i] != 'Q') {
      errors.emplace_back(where, expected);
      continue;
    }
    ++i;
    const std::size_t digits = i;
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
    const std::size_t after_digits = i;
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (after_digits == digits || after_digits - digits > 4 || i >= line.size() || line[i] != ':') {
      errors.emplace_back(where, expected);
      continue;
    }
    const int qn = std::stoi(line.substr(digits, after_digits - digits));
    const std::string qname = "q" + std::to_string(qn);
    if (qn < 1 || qn > nq) {
      errors.emplace_back(where,
                          qname + ": lab " + std::to_string(p.lab) + " has questions q1 to q" + std::to_string(nq));
      continue;
    }
    const std::string value = trim(std::string_view(line).substr(i + 1));
    if (value.empty()) {
      errors.emplace_back(where, qname + ": no value after the colon");
      continue;
    }
    auto& slot = f.answers[static_cast<std::size_t>(qn - 1)];
    if (slot) {
      errors.emplace_back(where, qname + " is answered twice (first on line " + std::to_string(slot->line) + ")");
      continue;
    }
    std::string why;
    auto v = read_answer(p.questions[static_cast<std::size_t>(qn - 1)].accepts, value, &why);
    if (!v) {
      errors.emplace_back(where, qname + ": " + why);
      continue;
    }
    slot = AnswerLine{value, std::move(*v), l.number};
  }
  if (errors.empty()) {
    bool any = false;
    for (const auto& a : f.answers) any = any || a.has_value();
    if (!any) errors.emplace_back(name, "no answer in the file (one a line: \"q1: value\")");
  }
  if (!errors.empty()) throw InputErrors(std::move(errors));
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
  out << "lab " << p.lab << " (" << p.title << "), " << p.id.label() << ", answers from " << answers.name << "\n";
  std::size_t right = 0;
  int points = 0, max_points = 0;
  for (std::size_t i = 0; i < grades.size(); ++i) {
    const Grade& g = grades[i];
    const int pts = p.questions[i].points;
    max_points += pts;
    std::string q = "q" + std::to_string(i + 1);
    q.resize(5, ' ');
    if (g.right) {
      ++right;
      points += pts;
      out << q << "right\n";
    } else if (!g.answered) {
      out << q << "missing  (no \"q" << i + 1 << ":\" line)\n";
    } else {
      out << q << "wrong    you wrote: " << g.given << "\n";
      out << "     hint: " << g.hint << "\n";
    }
  }
  out << "score: " << points << "/" << max_points << " points (" << right << " of " << grades.size()
      << " questions right)\n";
  if (right != grades.size()) out << "worked answers: s2sim lab solve " << p.lab << " " << p.id.args() << "\n";
  return out.str();
}

int CheckResult::score() const {
  int s = 0;
  for (const QuestionResult& q : questions) s += q.points;
  return s;
}

int CheckResult::max() const {
  int s = 0;
  for (const QuestionResult& q : questions) s += q.max_points;
  return s;
}

bool CheckResult::all_correct() const {
  for (const QuestionResult& q : questions)
    if (!q.correct) return false;
  return !questions.empty();
}

CheckResult check_answer_file(const Problem& p, const AnswerInput& in) {
  const AnswerFile answers = read_answer_file(p, in.text, in.name);
  const std::vector<Grade> grades = grade(p, answers);
  CheckResult r;
  r.id = p.id;
  r.title = p.title;
  r.source = in.name;
  for (std::size_t i = 0; i < grades.size(); ++i) {
    QuestionResult q;
    q.id = "q" + std::to_string(i + 1);
    q.answered = grades[i].answered;
    q.correct = grades[i].right;
    q.max_points = p.questions[i].points;
    q.points = q.correct ? q.max_points : 0;
    q.given = grades[i].given;
    q.hint = grades[i].hint;
    r.questions.push_back(std::move(q));
  }
  r.report = check_report(p, answers, grades);
  return r;
}

nlohmann::json check_json(const CheckResult& r) {
  nlohmann::ordered_json j;
  j["schema"] = "s2sim.lab-check/1";
  j["lab"] = r.id.lab;
  if (r.id.keyed())
    j["student"] = r.id.student;
  else
    j["seed"] = r.id.seed;
  j["level"] = to_string(r.id.level);
  j["source"] = r.source;
  j["score"] = r.score();
  j["max"] = r.max();
  j["correct"] = r.all_correct();
  nlohmann::ordered_json qs = nlohmann::ordered_json::array();
  for (const QuestionResult& q : r.questions) {
    nlohmann::ordered_json e;
    e["id"] = q.id;
    e["answered"] = q.answered;
    e["correct"] = q.correct;
    e["points"] = q.points;
    e["max_points"] = q.max_points;
    e["given"] = q.given;
    e["hint"] = q.hint;
    qs.push_back(std::move(e));
  }
  j["questions"] = std::move(qs);
  return nlohmann::json::parse(j.dump());
}

}  // namespace s2sim::sim::lab
