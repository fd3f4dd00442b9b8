// `s2sim lab list | show N | solve N | check N ANSWERS`: the teaching labs. A seed
// makes the problem, the same tool works it out and grades an answer file, with a
// hint for each wrong answer. See docs/labs/.
#pragma once

#include <string>
#include <vector>

namespace s2sim::sim {

// Exit 0: done (check: every answer right); 1: check found a wrong or missing
// answer; 2: bad usage or answer-file syntax (InputError, one "error:" line).
int cmd_lab(const std::vector<std::string>& args);

}  // namespace s2sim::sim
