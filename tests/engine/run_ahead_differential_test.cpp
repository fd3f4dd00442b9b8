// Run-ahead (Engine::set_run_ahead) is a host-speed switch: with it on or off, a run
// takes the same steps in the same order, so every byte of its results is the same.
// Random configs of every kind of agent -- vCPUs on each generator with think times
// and timer ticks, the migration thread, the host's unmaps, perf-test's driver with
// its iteration barrier and dirty-ring collections -- run both ways and their result JSON (and perf-test's) must
// match. (The campaign runs the same comparison on its own scenarios.)
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/engine/perf_test_driver.h"
#include "sim/report/perf_report.h"
#include "sim/report/report.h"

namespace s2sim::sim {
namespace {

using nlohmann::json;

// Both results of one config as text: the result JSON, and perf-test's JSON with `perf`.
std::string results(const json& doc, bool run_ahead, const PerfTestOptions* perf = nullptr) {
  const SimConfig cfg = parse_config(doc, "differential.json", configs_dir());
  Engine engine(cfg, nullptr, perf);
  engine.set_run_ahead(run_ahead);
  const RunResult r = engine.run();
  std::string text = result_json(r, cfg).dump();
  if (perf) {
    PerfTestCommand cmd;
    cmd.manual_protect = perf->request.manual_protect;
    cmd.dirty_ring_entries = perf->request.dirty_ring_entries;
    text += "\n" + perf_json(r.perf, cmd, cfg).dump();
  }
  return text;
}

json random_run(std::mt19937_64& rng) {
  const auto pick = [&](std::uint64_t n) { return rng() % n; };
  const unsigned vcpus = 1 + static_cast<unsigned>(pick(6));
  const bool huge = pick(3) == 0;
  const std::uint64_t npages = huge ? 8192 : 4096 + 512 * pick(8);
  const char* kinds[] = {"uniform", "zipf", "hotset", "sequential", "periodic", "pmd_crossing"};
  json workload = {{"kind", kinds[pick(std::size(kinds))]},
                   {"ops", 2000 + pick(6000)},
                   {"write_ratio", static_cast<double>(pick(11)) / 10.0},
                   {"think_cycles", pick(3) == 0 ? 0 : pick(400)}};
  if (workload["kind"] == "periodic") workload["period_ms"] = 0.01;
  const char* machines[] = {"cortex-a15", "cortex-a57", "neoverse-n1"};
  const char* walkers[] = {"naive", "v4", "v4-fixed", "range"};
  json doc = {{"seed", pick(1000)},
              {"machine", machines[pick(std::size(machines))]},
              {"vcpus", vcpus},
              {"memslots", {{{"id", 0}, {"base_gfn", 0x80000}, {"npages", npages}, {"hugepages", huge}}}},
              {"workload", workload},
              {"dirty_log", {{"walker", walkers[pick(std::size(walkers))]}}},
              {"verify", {{"enabled", true}, {"invariants", pick(2) == 0}}}};
  if (pick(4) == 0) {
    doc["migration"] = {{"enabled", false}};
  } else {
    doc["migration"] = {{"start_ms", static_cast<double>(pick(5)) / 100.0}, {"link_gbps", 1 + pick(40)}};
  }
  if (pick(3) == 0) doc["host"] = {{"unmap_every_ms", 0.02}};
  return doc;
}

// What `s2sim perf-test -g` runs (see cmd_perf_test.cpp), scaled down.
json random_perf_test(std::mt19937_64& rng, unsigned& iterations) {
  const auto pick = [&](std::uint64_t n) { return rng() % n; };
  const unsigned vcpus = 1 + static_cast<unsigned>(pick(24));
  const bool huge = pick(2) == 0;
  const std::uint64_t bytes = huge ? (std::uint64_t{2} << 20) * (1 + pick(2)) : 4096 * (16 + pick(300));
  iterations = 1 + static_cast<unsigned>(pick(3));
  const char* machines[] = {"cortex-a57", "neoverse-n1"};
  return {{"seed", pick(1000)},
          {"machine", machines[pick(std::size(machines))]},
          {"geometry", "armv8-3level"},
          {"vcpus", vcpus},
          {"memslots", {{{"id", 0}, {"base_gfn", 0x40000}, {"npages", vcpus * bytes / 4096}, {"hugepages", huge}}}},
          {"workload",
           {{"kind", "memstress"},
            {"bytes_per_vcpu", bytes},
            {"iterations", iterations},
            {"write_percent", pick(2) == 0 ? 100 : pick(101)},
            {"think_cycles", pick(2) == 0 ? 0 : pick(50)}}},
          {"dirty_log", {{"walker", "range"}, {"bits_per_long", 64}}},
          {"migration", {{"enabled", false}}},
          {"verify", {{"enabled", false}, {"invariants", pick(2) == 0}}}};
}

TEST(RunAheadDifferential, RandomRunsGiveTheSameResultsEitherWay) {
  std::mt19937_64 rng(2026);
  for (int i = 0; i < 40; ++i) {
    const json doc = random_run(rng);
    SCOPED_TRACE(doc.dump());
    EXPECT_EQ(results(doc, true), results(doc, false));
  }
}

TEST(RunAheadDifferential, RandomPerfTestsGiveTheSameResultsEitherWay) {
  std::mt19937_64 rng(17);
  for (int i = 0; i < 30; ++i) {
    unsigned iterations = 0;
    const json doc = random_perf_test(rng, iterations);
    SCOPED_TRACE(doc.dump());
    PerfTestOptions o;
    o.iterations = iterations;
    o.request.manual_protect = false;  // -g
    EXPECT_EQ(results(doc, true, &o), results(doc, false, &o));
  }
}

// With --dirty-ring: vCPUs leave on KVM_EXIT_DIRTY_RING_FULL and wake the driver
// mid-pass, and are put back on the schedule by its collections.
TEST(RunAheadDifferential, RandomDirtyRingPerfTestsGiveTheSameResultsEitherWay) {
  std::mt19937_64 rng(61);
  for (int i = 0; i < 12; ++i) {
    unsigned iterations = 0;
    json doc = random_perf_test(rng, iterations);
    doc["kernel"] = "linux-6.6-arm64";
    SCOPED_TRACE(doc.dump());
    PerfTestOptions o;
    o.iterations = iterations;
    o.request.kernel = "linux-6.6-arm64";
    o.request.dirty_ring_entries = rng() % 2 ? 256 : 1024;
    EXPECT_EQ(results(doc, true, &o), results(doc, false, &o));
  }
}

}  // namespace
}  // namespace s2sim::sim
