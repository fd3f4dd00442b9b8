#include "sim/labs/lab.h"

#include <stdexcept>

namespace s2sim::sim::lab {

namespace {

AnswerValue must_read(const Problem& p, std::size_t qi, const AnswerSpec& spec, const std::string& text) {
  std::string why;
  auto v = read_answer(spec, text, &why);
  if (!v)
    throw std::logic_error("lab " + std::to_string(p.lab) + " seed " + std::to_string(p.seed) + " q" +
                           std::to_string(qi + 1) + ": " + why);
  return *v;
}

}  // namespace

const char* to_string(Level l) {
  switch (l) {
    case Level::Easy: return "easy";
    case Level::Normal: return "normal";
    case Level::Hard: return "hard";
  }
  return "normal";
}

std::optional<Level> level_from(std::string_view text) {
  for (const Level l : {Level::Easy, Level::Normal, Level::Hard})
    if (text == to_string(l)) return l;
  return std::nullopt;
}

std::string ProblemId::label() const {
  if (keyed()) return "student " + student + (level == Level::Normal ? "" : std::string(", ") + to_string(level));
  return "seed " + std::to_string(seed) + (level == Level::Normal ? "" : std::string(", ") + to_string(level));
}

std::string ProblemId::args() const {
  const std::string lv = level == Level::Normal ? "" : std::string(" --level ") + to_string(level);
  if (keyed()) return "--key KEY --student " + student + lv;
  return "--seed " + std::to_string(seed) + lv;
}

std::string ProblemId::header_lines() const {
  std::string s = "lab: " + std::to_string(lab) + "\n";
  s += keyed() ? "student: " + student + "\n" : "seed: " + std::to_string(seed) + "\n";
  if (level != Level::Normal) s += std::string("level: ") + to_string(level) + "\n";
  return s;
}

Problem start_problem(const ProblemId& id, const std::string& title) {
  Problem p;
  p.lab = id.lab;
  p.seed = id.seed;
  p.id = id;
  p.title = title;
  return p;
}

void finalize(Problem& p) {
  for (std::size_t qi = 0; qi < p.questions.size(); ++qi) {
    Question& q = p.questions[qi];
    if (q.answers.empty()) throw std::logic_error("lab question without an answer");
    std::vector<AnswerValue> seen;
    for (const std::string& a : q.answers) seen.push_back(must_read(p, qi, q.accepts, a));
    std::vector<Mistake> kept;
    for (Mistake& m : q.mistakes) {
      const AnswerValue v = must_read(p, qi, q.accepts, m.answer);
      bool dup = false;
      for (const AnswerValue& s : seen) dup = dup || s == v;
      if (dup) continue;
      seen.push_back(v);
      kept.push_back(std::move(m));
    }
    q.mistakes = std::move(kept);
    if (!q.explain)
      q.explain = [](const AnswerValue&) { return std::string("see s2sim lab solve for the worked answer"); };
  }
}

}  // namespace s2sim::sim::lab
