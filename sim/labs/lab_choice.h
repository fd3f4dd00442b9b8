// Multiple-choice questions for the labs: options in a seeded order, lettered a, b,
// c, ...; the right letter is the answer, each wrong letter a typical mistake with
// the hint that option deserves.
#pragma once

#include <string>
#include <vector>

#include "sim/labs/lab.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab {

struct Choice {
  std::string text;
  std::string hint;  // why it is wrong (unused for the right option)
};

// Fills q.text (the stem, then one option a line), q.accepts, q.answers, q.mistakes
// and a first worked step naming the right option. Appends to q.steps.
void make_choice(Question& q, const std::string& stem, const Choice& right, const std::vector<Choice>& wrong,
                 workloads::Rng& rng);

// Wraps `text` at `width` columns; continuation lines start with `indent`.
std::string wrap(const std::string& text, std::size_t width, const std::string& indent);

}  // namespace s2sim::sim::lab
