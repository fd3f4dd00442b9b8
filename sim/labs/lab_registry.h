// The labs by number, as `s2sim lab list` shows them. Labs 1-3 work on the mmu/
// model by hand; 4 and 6 have the student run `s2sim run` on a config the lab
// prints; 5 runs the write-protect walkers on a hand-built table state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/labs/lab.h"
#include "sim/labs/lab_check.h"
#include "sim/labs/lab_input.h"

namespace s2sim::sim::lab {

// Grades what a lab takes instead of an answer file (lab 6: a config): the result with its report; throws InputError (or InputErrors) naming
// the file for bad input.
using CheckFn = CheckResult (*)(const Problem& p, const AnswerInput& in);

struct LabInfo {
  int number;
  const char* name;                   // "descriptor-anatomy"
  const char* goal;                   // one line
  const char* handout;                // docs/labs/...
  Problem (*make)(const ProblemId&);  // makes the problem id names
  CheckFn check;                      // nullptr: `check` reads an answer file ("qN: value")
  bool levels;                        // takes --level easy|normal|hard
  const char* answer_ext;             // the answer file's extension in a `grade --answers DIR`
  bool plugin = false;                // a coding lab: `build` compiles the file, `check` takes a path, not text
};

const std::vector<LabInfo>& labs();
const LabInfo* find_lab(int number);  // nullptr if there is no such lab

// Grades `in` against `p` as lab `info` does: check_answer_file, or the lab's own.
CheckResult check_problem(const LabInfo& info, const Problem& p, const AnswerInput& in);

}  // namespace s2sim::sim::lab
