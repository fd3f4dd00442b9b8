// The shape the spinlock model predicts for Jing Zhang's configuration (2 MiB hugetlb,
// every page written each iteration; docs/validation.md 1.1), on small memory and
// without timing the host: below saturation the unlocked fault path hides mmu_lock
// (2 vCPUs cost about what 1 does); once N x (locked part) exceeds one fault's whole
// path the faults serialize and the dirty memory time grows linearly with N.
#include <gtest/gtest.h>

#include <vector>

#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/engine/perf_test_driver.h"

using namespace s2sim::sim;

namespace {

struct Point {
  double dirty = 0;  // iteration 2's dirty memory cycles
  std::uint64_t lock_wait = 0;
  std::uint64_t faults = 0;
};

Point run(unsigned vcpus) {
  const std::uint64_t bytes = 4u << 20;
  const nlohmann::json j = {
      {"seed", 1}, {"machine", "cortex-a57"}, {"geometry", "armv8-3level"}, {"vcpus", vcpus},
      {"memslots", {{{"id", 0}, {"base_gfn", 0x40000}, {"npages", vcpus * bytes / 4096}, {"hugepages", true}}}},
      {"workload", {{"kind", "memstress"}, {"bytes_per_vcpu", bytes}, {"iterations", 2}}},
      {"dirty_log", {{"walker", "range"}, {"bits_per_long", 64}, {"flush_placement", "merged"}, {"resched_lock", true}}},
      {"migration", {{"enabled", false}}},
      {"verify", {{"enabled", false}}},
  };
  const SimConfig cfg = parse_config(j, "test.json", configs_dir());
  PerfTestOptions o;
  o.iterations = 2;
  o.request.manual_protect = false;
  Engine e(cfg, nullptr, &o);
  const RunResult r = e.run();
  const PerfIteration& it = r.perf.iterations.at(1);
  return {static_cast<double>(it.dirty_memory_cycles), it.mmu_lock_wait_cycles, it.write_protect_faults};
}

}  // namespace

TEST(PerfTestShape, SpinlockFaultsHideBelowSaturationThenGrowLinearly) {
  std::vector<Point> p;
  for (unsigned n : {1u, 2u, 4u, 8u, 16u}) p.push_back(run(n));
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i].faults, (1u << i) * 1024u) << "one fault per page";
  EXPECT_EQ(p[0].lock_wait, 0u) << "one vCPU never waits for mmu_lock";
  for (std::size_t i = 1; i < p.size(); ++i) {
    EXPECT_GT(p[i].lock_wait, p[i - 1].lock_wait);
    EXPECT_GE(p[i].dirty, p[i - 1].dirty);
  }
  // Below saturation: the second vCPU's faults fit in the first one's unlocked path.
  EXPECT_LT(p[1].dirty / p[0].dirty, 1.5);
  // Saturated: doubling the vCPUs doubles the serialized work (within 10%).
  EXPECT_NEAR(p[4].dirty / p[3].dirty, 2.0, 0.2);
  // And the growth from 1 to 16 vCPUs stays below 16x: the unlocked part of the
  // first vCPU's faults is the baseline, not part of the serialized time.
  EXPECT_LT(p[4].dirty / p[0].dirty, 16.0);
  EXPECT_GT(p[4].dirty / p[0].dirty, 2.0);
}
