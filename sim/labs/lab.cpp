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

void finalize(Problem& p) {
  for (std::size_t qi = 0; qi < p.questions.size(); ++qi) {
    Question& q = p.questions[qi];
    if (q.answers.empty()) throw std::logic_error("lab question without an answer");
    std::vector<AnswerValue> seen;
    for (const std::string& a : q.answers) seen.push_back(must_read(p, qi, q.accepts, a));
    std::vector<Mistake> kept;
    for (Mistake& m : q.mistakes) {
      const AnswerValue v = must_read(p, qi, q.accepts, m.answer);
      bool dup = q.also_right && q.also_right(v);
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
