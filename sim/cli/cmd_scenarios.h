// `s2sim scenarios`: the shipped scenarios, one line each.
#pragma once

#include <string>
#include <vector>

namespace s2sim::sim {

int cmd_scenarios(const std::vector<std::string>& args);

}  // namespace s2sim::sim
