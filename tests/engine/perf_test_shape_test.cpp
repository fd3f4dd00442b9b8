// The shape the spinlock model predicts for Jing Zhang's configuration (2 MiB hugetlb,
// every page written each iteration; docs/validation.md 1.1), on small memory and
// without timing the host: below saturation the unlocked fault path hides mmu_lock
// (2 vCPUs cost about what 1 does); once N x (locked part) exceeds one fault's whole
// path the faults serialize and the dirty memory time grows linearly with N.
#include <gtest/gtest.h>

#include <string>
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

// The published configuration on the published machine (neoverse-n1), as perf-test
// builds it, on small memory: the shape the model predicts for the two kernels of
// docs/validation.md 1.1, and what CLEAR and eager splitting change. Ratios only.
namespace {

struct ModernRun {
  std::string kernel = "linux-5.17-arm64";
  unsigned vcpus = 1;
  bool manual_protect = true;
  std::uint64_t eager_split_chunk = 0;
  bool hugepages = true;
};

RunResult run_modern(const ModernRun& m) {
  const std::uint64_t bytes = 4u << 20;
  const nlohmann::json j = {
      {"seed", 1}, {"machine", "neoverse-n1"}, {"geometry", "armv8-3level"}, {"vcpus", m.vcpus},
      {"kernel", m.kernel},
      {"memslots", {{{"id", 0}, {"base_gfn", 0x40000}, {"npages", m.vcpus * bytes / 4096}, {"hugepages", m.hugepages}}}},
      {"workload", {{"kind", "memstress"}, {"bytes_per_vcpu", bytes}, {"iterations", 2}}},
      {"dirty_log", {{"walker", "range"}, {"resched_lock", true}}},
      {"migration", {{"enabled", false}}},
      {"verify", {{"enabled", false}}},
  };
  const SimConfig cfg = parse_config(j, "test.json", configs_dir());
  PerfTestOptions o;
  o.iterations = 2;
  o.request.manual_protect = m.manual_protect;
  o.request.eager_split_chunk = m.eager_split_chunk;
  Engine e(cfg, nullptr, &o);
  return e.run();
}

double dirty2(const ModernRun& m) { return static_cast<double>(run_modern(m).perf.iterations.at(1).dirty_memory_cycles); }

}  // namespace

TEST(PerfTestShape, SpinlockGrowsWithVcpusWhereTheReadLockStaysFlat) {
  std::vector<double> old_k, new_k;
  for (unsigned n : {1u, 8u, 16u}) {
    old_k.push_back(dirty2({.kernel = "linux-5.17-arm64", .vcpus = n}));
    new_k.push_back(dirty2({.kernel = "linux-6.6-arm64", .vcpus = n}));
  }
  // 5.17: every fault under one spinlock. Published growth from 1 to 16 vCPUs: 11.2x.
  EXPECT_GT(old_k[2] / old_k[0], 8.0);
  EXPECT_LT(old_k[2] / old_k[0], 16.0);
  EXPECT_NEAR(old_k[2] / old_k[1], 2.0, 0.2) << "saturated: twice the vCPUs, twice the time";
  // 6.6: faults under read_lock, relaxations with a local TLBI: nearly flat.
  EXPECT_LT(new_k[2] / new_k[0], 1.5);
  EXPECT_GT(old_k[2] / new_k[2], 5.0);
}

TEST(PerfTestShape, ClearDefersTheProtectionAndEagerSplitRemovesSplitFaults) {
  // MANUAL_PROTECT2 + INITIALLY_SET: enabling protects nothing; -g protects it all.
  const RunResult manual = run_modern({.kernel = "linux-6.6-arm64", .vcpus = 2, .hugepages = false});
  const RunResult get = run_modern({.kernel = "linux-6.6-arm64", .vcpus = 2, .manual_protect = false, .hugepages = false});
  EXPECT_LT(manual.perf.enable_logging_cycles * 10, get.perf.enable_logging_cycles);
  // Iteration 1 under INITIALLY_SET takes no fault; under -g every page faults.
  EXPECT_EQ(manual.perf.iterations.at(0).write_protect_faults, 0u);
  EXPECT_EQ(get.perf.iterations.at(0).write_protect_faults, 2u * 1024u);

  // 2 MiB blocks: without eager splitting, iteration 2 splits each block on its first
  // write and its other 511 pages fault again; splitting at CLEAR leaves one
  // write-protect fault per page and no split or translation fault.
  const PerfIteration lazy = run_modern({.kernel = "linux-6.6-arm64", .vcpus = 2}).perf.iterations.at(1);
  EXPECT_EQ(lazy.split_faults, 4u);
  EXPECT_EQ(lazy.translation_faults, 4u * 511u);
  const PerfIteration eager =
      run_modern({.kernel = "linux-6.6-arm64", .vcpus = 2, .eager_split_chunk = 2u << 20}).perf.iterations.at(1);
  EXPECT_EQ(eager.split_faults, 0u);
  EXPECT_EQ(eager.translation_faults, 0u);
  EXPECT_EQ(eager.write_protect_faults, 2u * 1024u);
  EXPECT_EQ(eager.tlbi_local, eager.write_protect_faults) << "6.6 relaxes in place with a local TLBI";
}

// 5.18's read lock covers a logging write fault on a 4 KiB leaf only. On 4 KiB backing
// (iteration 2: one relaxation a page) the faults stop serializing on mmu_lock, but
// each still broadcasts the IPAS2E1IS + VMALLE1IS pair, so the time grows again once
// the broadcasts queue at the interconnect; 6.6's local TLBI stays flat. On 2 MiB
// hugetlb the same iteration is block splits and translation faults, which take the
// write lock in 5.18 as in 5.17: no gain at all.
TEST(PerfTestShape, TheReadLockOf518HelpsRelaxationsOnlyAndItsBroadcastsStillQueue) {
  std::vector<double> k517, k518, k66;
  for (unsigned n : {1u, 16u}) {
    k517.push_back(dirty2({.kernel = "linux-5.17-arm64", .vcpus = n, .hugepages = false}));
    k518.push_back(dirty2({.kernel = "linux-5.18-arm64", .vcpus = n, .hugepages = false}));
    k66.push_back(dirty2({.kernel = "linux-6.6-arm64", .vcpus = n, .hugepages = false}));
  }
  // One vCPU: nothing contends; the same fault path but for the lock's own cost.
  EXPECT_NEAR(k518[0] / k517[0], 1.0, 0.001);
  EXPECT_GT(k517[1] / k518[1], 1.5) << "16 vCPUs: relaxations no longer wait for each other's lock";
  EXPECT_GT(k518[1] / k518[0], 2.0) << "but the broadcast TLBI pairs queue";
  EXPECT_LT(k66[1] / k66[0], 1.2);

  const RunResult huge517 = run_modern({.kernel = "linux-5.17-arm64", .vcpus = 4});
  const RunResult huge518 = run_modern({.kernel = "linux-5.18-arm64", .vcpus = 4});
  const PerfIteration& it = huge518.perf.iterations.at(1);
  EXPECT_EQ(it.write_protect_faults, 0u);
  EXPECT_EQ(it.split_faults, 4u * 2u);
  EXPECT_EQ(huge518.perf.iterations.at(1).dirty_memory_cycles, huge517.perf.iterations.at(1).dirty_memory_cycles);
}
