// `s2sim run [CONFIG.json | SCENARIO] [options]` and `s2sim compare ...`: one run, or
// the same run under each write-protect walker (options: sim/cli/help.cpp).
#pragma once

#include <string>
#include <vector>

namespace s2sim::sim {

int cmd_run(const std::vector<std::string>& args);
int cmd_compare(const std::vector<std::string>& args);

}  // namespace s2sim::sim
