// The perf-test driver over the memstress guest, in-process: the selftest's phases in
// its order with exact fault counts per iteration (pages and 2 MiB blocks), the
// iteration barrier (no vCPU starts a pass before the driver releases it), what the
// build refuses, and the shape of the spinlock model's growth with vCPUs.
#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/engine/perf_test_driver.h"

using namespace s2sim::sim;

namespace {

// What `s2sim perf-test -g -v VCPUS -b BYTES -i ITERATIONS [-s anonymous_hugetlb_2mb]`
// runs, on the Cortex-A57.
nlohmann::json perf_config(unsigned vcpus, std::uint64_t bytes, unsigned iterations, bool hugepages,
                           unsigned write_percent = 100) {
  return {
      {"seed", 1}, {"machine", "cortex-a57"}, {"geometry", "armv8-3level"}, {"vcpus", vcpus},
      {"memslots", {{{"id", 0}, {"base_gfn", 0x40000}, {"npages", vcpus * bytes / 4096}, {"hugepages", hugepages}}}},
      {"workload", {{"kind", "memstress"}, {"bytes_per_vcpu", bytes}, {"iterations", iterations},
                    {"write_percent", write_percent}}},
      {"dirty_log", {{"walker", "range"}, {"bits_per_long", 64}, {"flush_placement", "merged"}, {"resched_lock", true}}},
      {"migration", {{"enabled", false}}},
      {"verify", {{"enabled", false}, {"invariants", true}}},
  };
}

PerfTestOptions plain_get(unsigned iterations) {
  PerfTestOptions o;
  o.iterations = iterations;
  o.request.manual_protect = false;
  return o;
}

RunResult run(const nlohmann::json& j, const PerfTestOptions& o) {
  const SimConfig cfg = parse_config(j, "test.json", configs_dir());
  Engine e(cfg, nullptr, &o);
  return e.run();
}

}  // namespace

TEST(PerfTestDriver, PagesFaultOncePerIterationAfterEachGetDirtyLog) {
  const RunResult r = run(perf_config(2, 64 * 4096, 3, false), plain_get(3));
  EXPECT_EQ(r.invariant_violations, 0u);
  EXPECT_EQ(r.translation_faults, 128u) << "populate maps each page once";
  ASSERT_EQ(r.perf.iterations.size(), 3u);
  for (const PerfIteration& it : r.perf.iterations) {
    SCOPED_TRACE(it.iteration);
    EXPECT_EQ(it.translation_faults, 0u);
    EXPECT_EQ(it.write_protect_faults, 128u) << "every page written once after being write-protected";
    EXPECT_EQ(it.split_faults, 0u);
    EXPECT_EQ(it.dirty_pages, 128u);
    EXPECT_EQ(it.tlbi_local, 0u);
    // Each relaxation flushes its IPA under mmu_lock; GET flushes once.
    EXPECT_EQ(it.tlbi_broadcast, 128u + 1u);
    EXPECT_GT(it.dirty_memory_cycles, 0u);
    EXPECT_GT(it.get_dirty_log_cycles, 0u);
    EXPECT_EQ(it.clear_dirty_log_cycles, 0u);
  }
  EXPECT_GT(r.perf.populate_cycles, 0u);
  EXPECT_GT(r.perf.enable_logging_cycles, 0u);
  EXPECT_GT(r.perf.disable_logging_cycles, 0u);
  EXPECT_EQ(r.writes, 4u * 128u) << "populate + 3 passes of 128 pages";
}

TEST(PerfTestDriver, BlocksSplitOnTheFirstLoggingWriteAndTheirPagesFaultAgain) {
  // 2 vCPUs x 2 MiB of hugetlb: one block each after populate.
  const RunResult r = run(perf_config(2, 2u << 20, 2, true), plain_get(2));
  EXPECT_EQ(r.invariant_violations, 0u);
  EXPECT_EQ(r.translation_faults - r.perf.iterations[0].translation_faults - r.perf.iterations[1].translation_faults,
            2u)
      << "populate maps two blocks";
  const PerfIteration& first = r.perf.iterations[0];
  EXPECT_EQ(first.split_faults, 2u) << "the first write to each block dissolves it";
  EXPECT_EQ(first.translation_faults, 2u * 511u) << "the other pages of each block fault again";
  EXPECT_EQ(first.write_protect_faults, 0u);
  EXPECT_EQ(first.dirty_pages, 1024u);
  const PerfIteration& second = r.perf.iterations[1];
  EXPECT_EQ(second.split_faults, 0u);
  EXPECT_EQ(second.translation_faults, 0u);
  EXPECT_EQ(second.write_protect_faults, 1024u) << "now 4 KiB pages, write-protected by GET";
}

TEST(PerfTestDriver, NoVcpuStartsAPassBeforeTheDriverReleasesIt) {
  // Iteration i starts at the driver's release, after the previous GET: the passes
  // never overlap the dirty-log calls. A pass writes each page at most once, so the
  // reports add up to exactly the writes after populate; a vCPU running ahead into
  // the next pass during a GET would make two writes of one page count once.
  const RunResult r = run(perf_config(3, 32 * 4096, 4, false, 40), plain_get(4));
  std::uint64_t reported = 0;
  for (const PerfIteration& it : r.perf.iterations) reported += it.dirty_pages;
  const std::uint64_t iteration_writes = r.writes - 3u * 32u;  // minus populate
  EXPECT_EQ(iteration_writes, reported);
  EXPECT_LT(reported, 4u * 3u * 32u) << "write_percent 40 leaves some pages clean";
  EXPECT_EQ(r.invariant_violations, 0u);
  for (const VcpuStats& v : r.vcpu) EXPECT_EQ(v.ucalls, 5u) << "populate + 4 GUEST_SYNCs";
}

TEST(PerfTestDriver, RefusesWhatThisBuildCannotModel) {
  const SimConfig cfg = parse_config(perf_config(1, 4096, 2, false), "test.json", configs_dir());
  PerfTestOptions manual;  // manual protect: needs KVM_CLEAR_DIRTY_LOG
  EXPECT_THROW(Engine(cfg, nullptr, &manual), std::invalid_argument);
  PerfTestOptions ring = plain_get(2);
  ring.request.dirty_ring_entries = 4096;
  EXPECT_THROW(Engine(cfg, nullptr, &ring), std::invalid_argument);
  PerfTestOptions mismatch = plain_get(3);  // the workload runs 2
  EXPECT_THROW(Engine(cfg, nullptr, &mismatch), std::invalid_argument);
  const PerfTestOptions ok = plain_get(2);
  EXPECT_NO_THROW(Engine(cfg, nullptr, &ok));
}

// Our --dirty-ring extension: each vCPU's ring replaces GET and CLEAR. A vCPU whose
// ring reaches its soft limit (256 - 64 reserved entries) exits with
// KVM_EXIT_DIRTY_RING_FULL mid-pass and waits for the driver to harvest and reset;
// after the pass the driver collects what is left.
TEST(PerfTestDriver, TheDirtyRingReplacesGetAndClearAndServesSoftFullExits) {
  nlohmann::json j = perf_config(2, 1024 * 4096, 2, false);
  j["kernel"] = "linux-6.6-arm64";
  PerfTestOptions ring;
  ring.iterations = 2;
  ring.request.dirty_ring_entries = 256;
  const RunResult r = run(j, ring);
  EXPECT_EQ(r.invariant_violations, 0u);
  ASSERT_EQ(r.perf.iterations.size(), 2u);
  for (const PerfIteration& it : r.perf.iterations) {
    SCOPED_TRACE(it.iteration);
    EXPECT_EQ(it.get_dirty_log_cycles + it.clear_dirty_log_cycles, 0u) << "neither GET nor CLEAR is called";
    // Each page is written once a pass and harvested once, except the page whose
    // fault filled a ring: the vCPU exits before the faulting write is retried
    // (kvm_dirty_ring_check_request on the way back in), the reset protects that page
    // again, and the retried write faults and logs it a second time.
    EXPECT_EQ(it.dirty_pages, 2048u + it.soft_full_exits);
    EXPECT_EQ(it.write_protect_faults, 2048u + it.soft_full_exits);
    // 1,024 entries a vCPU against a soft limit of 192: at least five exits each,
    // unless a collection another vCPU asked for emptied its ring first.
    EXPECT_GE(it.soft_full_exits, 5u);
    EXPECT_LE(it.soft_full_exits, 2u * 5u);
    EXPECT_GT(it.ring_collections, 1u) << "collections during the pass, then the final one";
    EXPECT_LE(it.ring_collections, it.soft_full_exits + 1u);
    EXPECT_GT(it.ring_collect_cycles, 0u);
  }
  EXPECT_EQ(r.api.ring_harvests, r.api.ring_resets);
}
