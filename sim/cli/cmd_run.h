// `s2sim run [CONFIG.json] [--set PATH=VALUE]... [--seed N] [--json FILE] [--quiet]`
// and `s2sim compare CONFIG --walkers naive,v4,v4-fixed,range [--json FILE]`.
#pragma once

#include <string>
#include <vector>

namespace s2sim::sim {

int cmd_run(const std::vector<std::string>& args);
int cmd_compare(const std::vector<std::string>& args);

}  // namespace s2sim::sim
