// s2sim perf-test: a model of KVM's dirty_log_perf_test with the flags KVM developers
// know (see its help in help.cpp).
#pragma once

#include <string>
#include <vector>

namespace s2sim::sim {

int cmd_perf_test(const std::vector<std::string>& args);

}  // namespace s2sim::sim
