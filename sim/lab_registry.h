// The labs by number, as `s2sim lab list` shows them. Labs 4-6 need the cycle
// engine behind `s2sim run` and are listed with what they will teach.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/lab.h"

namespace s2sim::sim::lab {

struct LabInfo {
  int number;
  const char* name;                     // "descriptor-anatomy"
  const char* goal;                     // one line
  const char* handout;                  // docs/labs/..., or "" when not written
  Problem (*make)(std::uint64_t seed);  // nullptr: not written yet
};

const std::vector<LabInfo>& labs();
const LabInfo* find_lab(int number);  // nullptr if there is no such lab

}  // namespace s2sim::sim::lab
