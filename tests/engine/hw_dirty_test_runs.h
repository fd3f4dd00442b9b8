// The runs the hardware dirty-state engine tests share (hw_dirty_engine_test.cpp,
// hacdbs_engine_test.cpp): a perf-test on the Cortex-A57 and a migration on the
// Neoverse N1, each with a dirty_log.hw_dirty mode.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/engine/perf_test_driver.h"

namespace s2sim::sim::hw_dirty_test {

// `s2sim perf-test -g -v VCPUS -b BYTES -i ITERATIONS --hw-dirty MODE` on the Cortex-A57.
inline nlohmann::json perf_config(unsigned vcpus, std::uint64_t bytes, unsigned iterations, const std::string& mode) {
  return {
      {"seed", 1}, {"machine", "cortex-a57"}, {"geometry", "armv8-3level"}, {"vcpus", vcpus},
      {"memslots", {{{"id", 0}, {"base_gfn", 0x40000}, {"npages", vcpus * bytes / 4096}}}},
      {"workload", {{"kind", "memstress"}, {"bytes_per_vcpu", bytes}, {"iterations", iterations}}},
      {"dirty_log", {{"walker", "range"}, {"bits_per_long", 64}, {"flush_placement", "merged"}, {"hw_dirty", mode}}},
      {"migration", {{"enabled", false}}},
      {"verify", {{"enabled", false}, {"invariants", true}}},
  };
}

inline RunResult run_perf(const nlohmann::json& j, unsigned iterations) {
  PerfTestOptions o;
  o.iterations = iterations;
  o.request.manual_protect = false;
  const SimConfig cfg = parse_config(j, "test.json", configs_dir());
  Engine e(cfg, nullptr, &o);
  return e.run();
}

// A migration of a 16 MiB slot (not 2 MiB aligned, blocks where they fit) under `vcpus`
// vCPUs writing at random, on arm64.
inline nlohmann::json migration_config(const std::string& mode, const std::string& walker, unsigned vcpus,
                                       std::uint64_t seed, const std::string& kind = "uniform") {
  return {
      {"seed", seed}, {"machine", "neoverse-n1"}, {"geometry", "armv8-3level"}, {"kernel", "linux-6.6-arm64"},
      {"vcpus", vcpus},
      {"memslots", {{{"id", 0}, {"base_gfn", 0x40000 + 77}, {"npages", 4096}, {"hugepages", true}}}},
      {"workload", {{"kind", kind}, {"ops", 30000}, {"pages", 2048}, {"write_ratio", 0.7}, {"think_cycles", 2000}}},
      {"dirty_log", {{"walker", walker}, {"hw_dirty", mode}, {"hdbss_bytes", 4096}}},
      {"migration", {{"enabled", true}, {"start_ms", 0}, {"link_gbps", 40}, {"max_rounds", 6},
                     {"stop_rule", {{"kind", "threshold"}, {"dirty_pages", 16}}}}},
      {"verify", {{"enabled", true}, {"invariants", true}}},
  };
}

inline RunResult run_migration(const std::string& mode, const std::string& walker, unsigned vcpus,
                               std::uint64_t seed, const std::string& kind = "uniform") {
  const SimConfig cfg = parse_config(migration_config(mode, walker, vcpus, seed, kind), "test.json", configs_dir());
  Engine e(cfg);
  return e.run();
}

}  // namespace s2sim::sim::hw_dirty_test
