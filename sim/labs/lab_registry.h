// The labs by number, as `s2sim lab list` shows them. Labs 1-3 work on the mmu/
// model by hand; 4 and 6 have the student run `s2sim run` on a config the lab
// prints; 5 runs the write-protect walkers on a hand-built table state.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "sim/labs/lab.h"

namespace s2sim::sim::lab {

// Grades a file that is not an answer file (lab 6: a config): writes the report to
// `out` and returns 0 when it passes, 1 when not; throws InputError naming `name`
// (and the JSON pointer) for bad input.
using CheckFn = int (*)(const Problem& p, const std::string& text, const std::string& name, std::ostream& out);

struct LabInfo {
  int number;
  const char* name;                     // "descriptor-anatomy"
  const char* goal;                     // one line
  const char* handout;                  // docs/labs/..., or "" when not written
  Problem (*make)(std::uint64_t seed);  // nullptr: not written yet
  CheckFn check;                        // nullptr: `check` reads an answer file ("qN: value")
};

const std::vector<LabInfo>& labs();
const LabInfo* find_lab(int number);  // nullptr if there is no such lab

}  // namespace s2sim::sim::lab
