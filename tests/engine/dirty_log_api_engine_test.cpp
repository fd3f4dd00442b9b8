// The migration thread under each dirty-log API of today (dirty_log.api,
// eager_split_chunk), end to end through the engine with the verifier and the
// invariant checker on: no write is lost, and the counts say the API did what it
// should -- CLEAR protects what it clears, in chunks of 2^clear_bitmap_shift pages;
// a small ring makes vCPUs exit at the soft limit and wait for a harvest; eager
// splitting replaces the populated blocks when logging starts (or inside CLEAR with
// INITIALLY_SET), so write faults no longer break blocks.
#include <gtest/gtest.h>

#include <string>

#include "sim/config/config.h"
#include "sim/engine/engine.h"

using namespace s2sim::sim;

namespace {

// Four vCPUs writing a hot set of a 16 MiB slot of populated 2 MiB blocks while it
// migrates over a slow link: several rounds with the guest writing throughout.
nlohmann::json base_config() {
  return nlohmann::json::parse(R"({
    "seed": 11, "machine": "cortex-a57", "geometry": "armv8-3level", "kernel": "linux-6.6-arm64", "vcpus": 4,
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 4096, "hugepages": true, "populate": true}],
    "workload": {"kind": "hotset", "ops": 30000, "hot_fraction": 0.2, "hot_probability": 0.9,
                 "write_ratio": 0.7, "think_cycles": 4000},
    "dirty_log": {"walker": "range", "bits_per_long": 64},
    "migration": {"link_gbps": 0.5, "start_ms": 1, "stop_rule": {"kind": "threshold", "dirty_pages": 16, "rounds": 6}},
    "verify": {"enabled": true, "invariants": true}
  })");
}

RunResult run(const nlohmann::json& j) {
  const SimConfig cfg = parse_config(j, "dirty-log-api.json", configs_dir());
  Engine e(cfg);
  return e.run();
}

void expect_nothing_lost(const RunResult& r) {
  EXPECT_TRUE(r.verify_enabled);
  EXPECT_EQ(r.lost_writes, 0u);
  EXPECT_EQ(r.invariant_violations, 0u);
  EXPECT_EQ(r.abandoned_accesses, 0u);
  EXPECT_GT(r.checked_pages, 0u);
  ASSERT_FALSE(r.rounds.empty());
  EXPECT_TRUE(r.rounds.back().stop_and_copy);
}

TEST(DirtyLogApiEngine, PlainGetCountsNothingOfTheNewApis) {
  const RunResult r = run(base_config());
  expect_nothing_lost(r);
  EXPECT_EQ(r.dirty_log_api, "get");
  EXPECT_EQ(r.api.clear_calls + r.api.ring_harvests + r.api.soft_full_exits + r.api.blocks_split, 0u);
}

TEST(DirtyLogApiEngine, ClearHandsBackEachChunkBeforeSendingIt) {
  for (const bool initially_set : {true, false})
    for (const unsigned shift : {6u, 9u, 18u}) {
      SCOPED_TRACE("initially_set " + std::to_string(initially_set) + " shift " + std::to_string(shift));
      nlohmann::json j = base_config();
      j["dirty_log"]["api"] = "clear";
      j["dirty_log"]["initially_set"] = initially_set;
      j["dirty_log"]["clear_bitmap_shift"] = shift;
      const RunResult r = run(j);
      expect_nothing_lost(r);
      // Round 0 hands back every chunk of the slot once.
      const std::uint64_t chunks = (4096 + (std::uint64_t{1} << shift) - 1) >> shift;
      EXPECT_EQ(r.rounds[0].api.clear_calls, chunks);
      // With INITIALLY_SET nothing was protected at enable: round 0's CLEARs protect
      // the whole slot; without it, only what was written since enable.
      if (initially_set) EXPECT_EQ(r.rounds[0].api.clear_pages_protected, 4096u);
      else EXPECT_LT(r.rounds[0].api.clear_pages_protected, 4096u);
      // Every later round's CLEARs protect exactly the pages it found dirty and sent.
      for (std::size_t i = 1; i + 1 < r.rounds.size(); ++i)
        EXPECT_EQ(r.rounds[i].api.clear_pages_protected, r.rounds[i].pages_sent) << "round " << i;
      EXPECT_GT(r.api.clear_calls, chunks);
    }
}

TEST(DirtyLogApiEngine, ASmallRingStopsVcpusUntilTheMigrationThreadHarvests) {
  nlohmann::json j = base_config();
  j["dirty_log"]["api"] = "ring";
  j["dirty_log"]["ring_entries"] = 256;
  const RunResult r = run(j);
  expect_nothing_lost(r);
  EXPECT_GT(r.api.soft_full_exits, 0u);
  // A vCPU at the soft limit waits for a harvest, which resets its ring.
  EXPECT_GE(r.api.ring_harvests, r.rounds.size() - 1);
  EXPECT_EQ(r.api.ring_harvests, r.api.ring_resets);
  EXPECT_GT(r.api.ring_entries_harvested, 0u);
  // The resets protect the harvested pages again (a page two vCPUs pushed, or pushed
  // twice in one run, is one bit of a run's mask).
  EXPECT_GT(r.api.ring_pages_protected, 0u);
  EXPECT_LE(r.api.ring_pages_protected, r.api.ring_entries_harvested);
  // Stop-and-copy ends with the bitmap sync of RING_WITH_BITMAP.
  EXPECT_GE(r.get_dirty_log_calls, 1u);

  // A ring big enough for a round never fills.
  j["dirty_log"]["ring_entries"] = 65536;
  const RunResult big = run(j);
  expect_nothing_lost(big);
  EXPECT_EQ(big.api.soft_full_exits, 0u);
}

TEST(DirtyLogApiEngine, EagerSplittingRemovesBlockBreakingFaults) {
  const RunResult lazy = run(base_config());
  nlohmann::json j = base_config();
  j["dirty_log"]["eager_split_chunk"] = 2097152;
  const RunResult eager = run(j);
  expect_nothing_lost(eager);
  // The slot's 8 populated blocks are split when logging starts, a 2 MiB chunk at a
  // time, after the write-protect pass and its flush: a block a vCPU writes between
  // the two (mmu_lock is released in between, as in kvm_arch_commit_memory_region)
  // is broken by that fault instead. Either way each block goes once.
  std::uint64_t lazy_splits = 0, eager_splits = 0;
  for (const auto& v : lazy.vcpu) lazy_splits += v.split_faults;
  for (const auto& v : eager.vcpu) eager_splits += v.split_faults;
  EXPECT_EQ(eager.api.split_chunks, 8u);
  EXPECT_EQ(eager.api.blocks_split + eager_splits, 8u);
  EXPECT_EQ(eager.rounds[0].api.blocks_split, eager.api.blocks_split);
  EXPECT_GT(eager.api.blocks_split, 0u);
  EXPECT_GT(lazy_splits, eager_splits);

  // With CLEAR + INITIALLY_SET the split happens inside the CLEARs instead.
  j["dirty_log"]["api"] = "clear";
  const RunResult in_clear = run(j);
  expect_nothing_lost(in_clear);
  EXPECT_GT(in_clear.api.blocks_split, 0u);
  EXPECT_GT(in_clear.api.split_cycles, 0u);
}

TEST(DirtyLogApiEngine, SameConfigSameResult) {
  for (const char* api : {"clear", "ring"}) {
    nlohmann::json j = base_config();
    j["dirty_log"]["api"] = api;
    j["dirty_log"]["eager_split_chunk"] = 2097152;
    const RunResult a = run(j), b = run(j);
    EXPECT_EQ(a.total_cycles, b.total_cycles) << api;
    EXPECT_EQ(a.api.clear_calls, b.api.clear_calls) << api;
    EXPECT_EQ(a.api.soft_full_exits, b.api.soft_full_exits) << api;
    EXPECT_EQ(a.pages_sent_total, b.pages_sent_total) << api;
  }
}

}  // namespace
