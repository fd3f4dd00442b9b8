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

namespace s2sim::sim {

// What the command line asked for, as the JSON's "perf_test" object records it.
struct PerfTestCommand {
  unsigned vcpus = 1;
  std::uint64_t bytes_per_vcpu = 0;
  unsigned iterations = 2;
  std::string backing;  // anonymous | anonymous_thp | anonymous_hugetlb_2mb | anonymous_hugetlb_1gb
  unsigned write_percent = 100;
  bool manual_protect = true;  // false with -g
  std::uint64_t stride = 4096;
  std::uint64_t eager_split_chunk = 0;
  std::uint64_t dirty_ring_entries = 0;
  std::string machine, kernel;
  std::string hw_dirty = "none";  // --hw-dirty: none, dbm or hdbss (config dirty_log.hw_dirty)
};

// Cycles at `clock_hz` as whole nanoseconds (rounded), what the selftest's timespec holds.
std::uint64_t cycles_to_ns(std::uint64_t cycles, double clock_hz);
// "S.NNNNNNNNNs", as the selftest prints a timespec.
std::string format_timespec(std::uint64_t ns);

// The selftest's lines, from "Populate memory time" to the "... over N iterations" lines.
void print_perf_lines(std::ostream& out, const PerfTestResult& r, const PerfTestCommand& cmd, double clock_hz);

// {"schema": "s2sim.perf/1", "perf_test": the command, "config": the resolved config,
//  "populate_s", "enable_logging_s", "disable_logging_s", "iterations": [...]};
// clear_dirty_log_s is null when the run used plain KVM_GET_DIRTY_LOG (-g).
nlohmann::json perf_json(const PerfTestResult& r, const PerfTestCommand& cmd, const SimConfig& cfg);

}  // namespace s2sim::sim
