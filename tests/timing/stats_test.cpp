// Every component counts its own events, and the difference of two readings is what
// happened in between (the per-round deltas the engine takes): TLB, TLB hierarchy,
// walk cache, cache model, per-level counts. Plus the clock's cycles <-> time rule.
#include <gtest/gtest.h>

#include "sim/timing/cache_model.h"
#include "sim/timing/clock.h"
#include "sim/timing/level_counts.h"
#include "sim/timing/tlb.h"
#include "sim/timing/walk_cache.h"

namespace s2sim::sim {
namespace {

using mmu::Access;

TlbEntry page(mmu::ipa_t ipa, bool writable = true) { return TlbEntry::make(1, ipa, 12, ipa + 0x100000000, true, writable); }

TEST(LevelCounts, NamedLevelsSumsAndDifference) {
  LevelCounts c;
  c.add(1);
  c.add(2, 3);
  c.add(3, 5);
  EXPECT_EQ(c.level0(), 0u);
  EXPECT_EQ(c.level1(), 1u);
  EXPECT_EQ(c.level2(), 3u);
  EXPECT_EQ(c.level3(), 5u);
  EXPECT_EQ(c.at(2), 3u);
  EXPECT_EQ(c.upper(), 4u);
  EXPECT_EQ(c.leaf(), 5u);
  EXPECT_EQ(c.total(), 9u);
  EXPECT_EQ(c.by_level(), (std::array<std::uint64_t, 4>{0, 1, 3, 5}));

  const LevelCounts before = c;
  c.add(0, 2);
  c.add(3);
  const LevelCounts d = c - before;
  EXPECT_EQ(d.by_level(), (std::array<std::uint64_t, 4>{2, 0, 0, 1}));
  LevelCounts sum = before;
  sum += d;
  EXPECT_EQ(sum, c);
  EXPECT_EQ(c - c, LevelCounts{});
}

TEST(TlbStats, DifferenceIsWhatHappenedBetweenTwoReadings) {
  Tlb tlb({4, 4});
  tlb.insert(page(0x1000));
  (void)tlb.lookup(1, 0x1000);
  const TlbStats before = tlb.stats();
  (void)tlb.lookup(1, 0x1000);  // hit
  (void)tlb.lookup(1, 0x2000);  // miss
  for (mmu::ipa_t ipa = 0x2000; ipa <= 0x5000; ipa += 0x1000) tlb.insert(page(ipa));  // 4 inserts, 1 eviction
  (void)tlb.invalidate_vmid(1);                                                      // 4 entries
  const TlbStats d = tlb.stats() - before;
  EXPECT_EQ(d.lookups, 2u);
  EXPECT_EQ(d.hits, 1u);
  EXPECT_EQ(d.misses, 1u);
  EXPECT_EQ(d.inserts, 4u);
  EXPECT_EQ(d.evictions, 1u);
  EXPECT_EQ(d.invalidated, 4u);
  EXPECT_EQ(d.flush_vmid, 1u);
  EXPECT_EQ(d.flush_ipa, 0u);
  EXPECT_EQ(d.flush_all, 0u);
  EXPECT_EQ(tlb.stats() - tlb.stats(), TlbStats{});
}

TEST(TlbHierarchyStats, CountsHitsMissesAndTheMaintenanceThatReachedIt) {
  TlbHierarchyConfig c;
  c.micro_load = TlbConfig{4, 4};
  c.micro_store = TlbConfig{4, 4};
  c.main = TlbConfig{16, 4};
  TlbHierarchy h(c);
  h.fill(page(0x1000), Access::Write);
  const TlbHierarchyStats before = h.stats();
  (void)h.lookup(1, 0x1000, Access::Write);  // micro hit
  (void)h.lookup(1, 0x1000, Access::Read);   // main hit (refills the load micro TLB)
  (void)h.lookup(1, 0x9000, Access::Read);   // miss
  EXPECT_EQ(h.invalidate_ipa(1, 0x1000), 3u);  // main + both micro TLBs
  EXPECT_EQ(h.invalidate_vmid(1), 0u);
  const TlbHierarchyStats d = h.stats() - before;
  EXPECT_EQ(d.lookups, 3u);
  EXPECT_EQ(d.micro_hits, 1u);
  EXPECT_EQ(d.main_hits, 1u);
  EXPECT_EQ(d.hits(), 2u);
  EXPECT_EQ(d.misses, 1u);
  EXPECT_EQ(d.fills, 0u);
  EXPECT_EQ(d.invalidations, 2u);
  EXPECT_EQ(d.entries_invalidated, 3u);
  EXPECT_EQ(h.stats().fills, 1u);
}

TEST(WalkCacheStats, DifferenceKeepsTheLevels) {
  WalkCache wc(TlbConfig{4, 4});
  wc.insert(1, 1, 0x40000000, 0x8000);
  const WalkCacheStats before = wc.stats();
  wc.insert(1, 2, 0x40000000, 0x9000);
  (void)wc.lookup(1, 0x40000000);  // level 2 is the deepest
  (void)wc.lookup(1, 0x40200000);  // level 1 only
  (void)wc.lookup(2, 0x40000000);  // another VMID: miss
  const WalkCacheStats d = wc.stats() - before;
  EXPECT_EQ(d.lookups, 3u);
  EXPECT_EQ(d.hits, 2u);
  EXPECT_EQ(d.misses, 1u);
  EXPECT_EQ(d.inserts, 1u);
  EXPECT_EQ(d.hits_by_level.level1(), 1u);
  EXPECT_EQ(d.hits_by_level.level2(), 1u);
  EXPECT_EQ(d.hits_by_level.total(), 2u);
}

TEST(CacheCoreStats, DifferenceByLevelForLoadsAndStores) {
  CacheHierarchy c(2, CacheLevelConfig{1024, 2, 64, 4}, CacheLevelConfig{8192, 4, 64, 21}, 208);
  (void)c.access(0, 0x1000, false);  // DRAM
  const CacheCoreStats before = c.stats(0);
  (void)c.access(0, 0x1000, false);  // L1
  (void)c.access(1, 0x1000, false);  // core 1: L2
  (void)c.access(0, 0x2000, true);   // store: DRAM
  (void)c.access(1, 0x2000, false);  // core 1: L2 (core 0 stored it)
  (void)c.access(1, 0x2000, true);   // core 1 stores: invalidates core 0's copy
  const CacheCoreStats d = c.stats(0) - before;
  EXPECT_EQ(d.loads, (CacheHits{1, 0, 0}));
  EXPECT_EQ(d.stores, (CacheHits{0, 0, 1}));
  EXPECT_EQ(d.l1_invalidations_received, 1u);
  EXPECT_EQ(c.stats(1).loads, (CacheHits{0, 2, 0}));
  EXPECT_EQ(c.stats(1).stores.l1, 1u);
  CacheHits h;
  h.add(1);
  h.add(2);
  h.add(3);
  h.add(3);
  EXPECT_EQ(h, (CacheHits{1, 1, 2}));
  EXPECT_EQ(h.total(), 4u);
  EXPECT_EQ(h - (CacheHits{1, 0, 1}), (CacheHits{0, 1, 1}));
}

TEST(Clock, CyclesToTimeAndBack) {
  const Clock clock(1.7e9);
  EXPECT_EQ(clock.hz(), 1.7e9);
  EXPECT_DOUBLE_EQ(clock.seconds(1'700'000'000), 1.0);
  EXPECT_DOUBLE_EQ(clock.ms(1'700'000), 1.0);
  EXPECT_EQ(clock.ms_to_cycles(300), 510'000'000u);
  EXPECT_EQ(clock.seconds_to_cycles(0.5), 850'000'000u);
  EXPECT_DOUBLE_EQ(clock.cycles_in_ms(1e-6), 1.7);
}

TEST(Clock, OneRoundingRuleToTheNearestCycle) {
  const Clock clock(1000.0);  // a cycle a millisecond
  EXPECT_EQ(clock.ms_to_cycles(2.4), 2u);
  EXPECT_EQ(clock.ms_to_cycles(2.5), 3u);  // halves away from zero
  EXPECT_EQ(clock.ms_to_cycles(2.6), 3u);
  EXPECT_EQ(Clock(5.0).seconds_to_cycles(0.5), 3u);  // 2.5 cycles
  EXPECT_DOUBLE_EQ(clock.cycles_in_ms(2.5), 2.5);  // the exact form does not round
  EXPECT_EQ(Clock::round_cycles(7.5), 8u);
}

}  // namespace
}  // namespace s2sim::sim
