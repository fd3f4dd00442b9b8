// The two views of a perf-test run: dirty_log_perf_test's own lines (stdout), in its
// format (tools/testing/selftests/kvm/dirty_log_perf_test.c, run_test: seconds with
// nine decimals, "%ld.%.9lds"), and the JSON (schema s2sim.perf/1).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "sim/engine/perf_test_result.h"
#include "sim/engine/perf_test_setup.h"  // PerfTestCommand, cycles_to_ns

namespace s2sim::sim {

// "S.NNNNNNNNNs", as the selftest prints a timespec.
std::string format_timespec(std::uint64_t ns);

// The selftest's lines, from "Populate memory time" to the "... over N iterations" lines.
void print_perf_lines(std::ostream& out, const PerfTestResult& r, const PerfTestCommand& cmd, double clock_hz);

// {"schema": "s2sim.perf/1", "perf_test": the command, "config": the resolved config,
//  "populate_s", "enable_logging_s", "disable_logging_s", "iterations": [...]};
// clear_dirty_log_s is null when the run used plain KVM_GET_DIRTY_LOG (-g).
nlohmann::json perf_json(const PerfTestResult& r, const PerfTestCommand& cmd, const SimConfig& cfg);

}  // namespace s2sim::sim
