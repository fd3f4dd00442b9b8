// The run `s2sim perf-test` makes from its flags, in the layer below the command line
// so that lab 7 runs exactly the same simulation the command it hands a student runs:
// the flags as given (PerfTestCommand), the config document they make, and a run of
// it with the perf-test driver.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/config/config.h"
#include "sim/engine/engine.h"
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
  std::string hw_dirty = "none";  // --hw-dirty: none, dbm, hdbss or hacdbs (config dirty_log.hw_dirty)
};

// The run as a config document (one memslot of vcpus x bytes, the memstress guest,
// migration and the verifier off); --set applies to it before it is parsed.
nlohmann::json perf_test_config_doc(const PerfTestCommand& c, std::uint64_t seed);

// Runs `cfg` (parsed from perf_test_config_doc, maybe with --set) with the perf-test
// driver as `c` asks. Throws InputError for a request the kernel cannot serve.
PerfTestResult run_perf_test(const SimConfig& cfg, const PerfTestCommand& c,
                             const std::function<void(const RunProgress&)>& progress = {});

// Cycles at `clock_hz` as whole nanoseconds (rounded), what the selftest's timespec holds.
std::uint64_t cycles_to_ns(std::uint64_t cycles, double clock_hz);

}  // namespace s2sim::sim
