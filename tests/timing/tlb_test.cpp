// TLB, TLB hierarchy and walk cache: hits, LRU replacement, set indexing, VMID tags,
// block entries, and the difference between whole-VMID and by-IPA invalidation.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "mmu/granule.h"
#include "sim/timing/tlb.h"
#include "sim/timing/walk_cache.h"

namespace s2sim::sim {
namespace {

using mmu::Access;

constexpr std::uint64_t KiB4 = 4096;
constexpr std::uint64_t MiB2 = mmu::PMD_SIZE;
constexpr std::uint64_t GiB1 = mmu::PUD_SIZE;

TlbEntry page(std::uint16_t vmid, mmu::ipa_t ipa, mmu::phys_addr_t pa, bool writable = false) {
  return TlbEntry::make(vmid, ipa, 12, pa, true, writable);
}

// --- TlbConfig ---------------------------------------------------------------------

TEST(TlbConfig, Validate) {
  EXPECT_EQ(TlbConfig({512, 4}).validate(), "");
  EXPECT_EQ(TlbConfig({32, 32}).validate(), "");  // fully associative
  EXPECT_NE(TlbConfig({0, 4}).validate(), "");
  EXPECT_NE(TlbConfig({4, 0}).validate(), "");
  EXPECT_NE(TlbConfig({10, 4}).validate().find("multiple of ways"), std::string::npos);
  EXPECT_NE(TlbConfig({48, 4}).validate().find("power of two"), std::string::npos);  // 12 sets
  EXPECT_NE(TlbConfig({4, 8}).validate(), "");
  EXPECT_NE(TlbConfig({TlbConfig::kMaxEntries * 2, 4}).validate(), "");
  EXPECT_THROW(Tlb(TlbConfig{48, 4}), std::invalid_argument);
}

// --- TlbEntry ----------------------------------------------------------------------

TEST(TlbEntry, MakeAlignsAndTranslates) {
  const TlbEntry e = TlbEntry::make(1, 0x40212345, 21, 0x80312345, true, true);
  EXPECT_EQ(e.ipa_tag, 0x40212345u >> 21);
  EXPECT_EQ(e.ipa_base(), 0x40200000u);
  EXPECT_EQ(e.output_base, 0x80200000u);
  EXPECT_EQ(e.size(), MiB2);
  EXPECT_TRUE(e.covers(0x40200000));
  EXPECT_TRUE(e.covers(0x403fffff));
  EXPECT_FALSE(e.covers(0x40400000));
  EXPECT_EQ(e.translate(0x40212345), 0x80212345u);
  EXPECT_EQ(block_shift_for_level(3), 12u);
  EXPECT_EQ(block_shift_for_level(2), 21u);
  EXPECT_EQ(block_shift_for_level(1), 30u);
}

// --- Tlb: hit, miss, LRU -----------------------------------------------------------

TEST(Tlb, OverlappingSizesTheSmallestWinsEvenAfterTheLargerHit) {
  // A 2 MiB block entry hit last (so it is the slot checked first); then a page entry
  // inside it arrives. The architecture calls the overlap a TLB conflict; s2sim
  // answers with the smallest size, whichever entry was hit before.
  Tlb tlb({32, 32});
  tlb.insert(TlbEntry::make(1, 0x40200000, 21, 0x80200000, true, false));
  ASSERT_NE(tlb.lookup(1, 0x40203000), nullptr);
  EXPECT_EQ(tlb.lookup(1, 0x40203000)->block_shift, 21u);
  tlb.insert(page(1, 0x40203000, 0x90003000, true));
  const TlbEntry* e = tlb.lookup(1, 0x40203000);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->block_shift, 12u);
  EXPECT_TRUE(e->writable);
  // Elsewhere in the block, the block still answers; after the page's invalidation
  // the block answers for the page's address too.
  EXPECT_EQ(tlb.lookup(1, 0x40204000)->block_shift, 21u);
  EXPECT_EQ(tlb.lookup(1, 0x40203000)->block_shift, 12u);
  EXPECT_EQ(tlb.invalidate_ipa(1, 0x40203000), 2u);  // both cover it
  EXPECT_EQ(tlb.lookup(1, 0x40203000), nullptr);
  // A hit remembered for one VMID is not a hit for another.
  tlb.insert(page(1, 0x5000, 0x9000));
  ASSERT_NE(tlb.lookup(1, 0x5000), nullptr);
  EXPECT_EQ(tlb.lookup(2, 0x5000), nullptr);
}

TEST(Tlb, MissThenInsertThenHit) {
  Tlb tlb({8, 2});
  EXPECT_EQ(tlb.lookup(1, 0x1000), nullptr);
  EXPECT_EQ(tlb.insert(page(1, 0x1000, 0x9000)), TlbInsert::Filled);
  const TlbEntry* e = tlb.lookup(1, 0x1abc);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->translate(0x1abc), 0x9abcu);
  EXPECT_FALSE(e->writable);
  EXPECT_EQ(tlb.lookup(1, 0x2000), nullptr);  // next page
  EXPECT_EQ(tlb.stats().lookups, 3u);
  EXPECT_EQ(tlb.stats().hits, 1u);
  EXPECT_EQ(tlb.stats().misses, 2u);
  EXPECT_EQ(tlb.stats().inserts, 1u);
  EXPECT_EQ(tlb.size(), 1u);
}

TEST(Tlb, ReplacingTheSameTranslationKeepsOneCopy) {
  // A read fault maps read-only; the write fault then maps read/write.
  Tlb tlb({8, 2});
  tlb.insert(page(1, 0x5000, 0x9000, false));
  EXPECT_EQ(tlb.insert(page(1, 0x5000, 0x9000, true)), TlbInsert::Replaced);
  EXPECT_EQ(tlb.size(), 1u);
  EXPECT_TRUE(tlb.lookup(1, 0x5000)->writable);
  EXPECT_EQ(tlb.stats().evictions, 0u);
}

TEST(Tlb, LruOrderInOneSet) {
  // 8 entries, 2 ways -> 4 sets; pages 0, 4, 8, 12 all index set 0.
  Tlb tlb({8, 2});
  const auto A = 0 * KiB4, B = 4 * KiB4, C = 8 * KiB4;
  EXPECT_EQ(tlb.insert(page(1, A, 0x100000)), TlbInsert::Filled);
  EXPECT_EQ(tlb.insert(page(1, B, 0x200000)), TlbInsert::Filled);
  ASSERT_NE(tlb.lookup(1, A), nullptr);  // A becomes most recently used
  EXPECT_EQ(tlb.insert(page(1, C, 0x300000)), TlbInsert::Evicted);  // evicts B
  EXPECT_NE(tlb.probe(1, A), nullptr);
  EXPECT_EQ(tlb.probe(1, B), nullptr);
  EXPECT_NE(tlb.probe(1, C), nullptr);
  EXPECT_EQ(tlb.stats().evictions, 1u);

  // Without the touch, the oldest insert goes first.
  Tlb fifo({8, 2});
  fifo.insert(page(1, A, 0x100000));
  fifo.insert(page(1, B, 0x200000));
  fifo.insert(page(1, C, 0x300000));
  EXPECT_EQ(fifo.probe(1, A), nullptr);
  EXPECT_NE(fifo.probe(1, B), nullptr);
}

TEST(Tlb, ProbeDoesNotTouchLru) {
  Tlb tlb({8, 2});
  tlb.insert(page(1, 0 * KiB4, 0x100000));
  tlb.insert(page(1, 4 * KiB4, 0x200000));
  ASSERT_NE(tlb.probe(1, 0), nullptr);  // does not refresh page 0
  tlb.insert(page(1, 8 * KiB4, 0x300000));
  EXPECT_EQ(tlb.probe(1, 0), nullptr);
  EXPECT_EQ(tlb.stats().lookups, 0u);
}

TEST(Tlb, SetIndexingKeepsOtherSetsIntact) {
  Tlb tlb({8, 2});  // 4 sets
  // Fill set 1 (pages 1 and 5), then hammer set 0 with many pages.
  tlb.insert(page(1, 1 * KiB4, 0x1000));
  tlb.insert(page(1, 5 * KiB4, 0x5000));
  for (std::uint64_t p = 0; p < 64; p += 4) tlb.insert(page(1, p * KiB4, p * KiB4));
  EXPECT_NE(tlb.probe(1, 1 * KiB4), nullptr);
  EXPECT_NE(tlb.probe(1, 5 * KiB4), nullptr);
  // Set 0 holds only its two most recent pages.
  EXPECT_NE(tlb.probe(1, 60 * KiB4), nullptr);
  EXPECT_NE(tlb.probe(1, 56 * KiB4), nullptr);
  EXPECT_EQ(tlb.probe(1, 52 * KiB4), nullptr);
  EXPECT_EQ(tlb.size(), 4u);
  // A page of set 2 fills a free way.
  EXPECT_EQ(tlb.insert(page(1, 2 * KiB4, 0x2000)), TlbInsert::Filled);
}

TEST(Tlb, FullyAssociativeHoldsAnyPagesUpToCapacity) {
  Tlb tlb({4, 4});
  for (std::uint64_t p : {0, 4, 8, 12}) EXPECT_EQ(tlb.insert(page(1, p * KiB4, 0)), TlbInsert::Filled);
  for (std::uint64_t p : {0, 4, 8, 12}) EXPECT_NE(tlb.lookup(1, p * KiB4), nullptr);
  EXPECT_EQ(tlb.insert(page(1, 16 * KiB4, 0)), TlbInsert::Evicted);  // evicts page 0, the LRU
  EXPECT_EQ(tlb.probe(1, 0), nullptr);
}

TEST(Tlb, VmidIsolation) {
  Tlb tlb({8, 2});
  tlb.insert(page(1, 0x7000, 0xa000));
  EXPECT_EQ(tlb.lookup(2, 0x7000), nullptr);
  tlb.insert(page(2, 0x7000, 0xb000));
  EXPECT_EQ(tlb.lookup(1, 0x7000)->translate(0x7000), 0xa000u);
  EXPECT_EQ(tlb.lookup(2, 0x7000)->translate(0x7000), 0xb000u);
  EXPECT_EQ(tlb.size(), 2u);
}

TEST(Tlb, BlockEntriesMatchEveryIpaInside) {
  Tlb tlb({16, 4});
  tlb.insert(TlbEntry::make(1, 0x40000000, 21, 0x80000000, true, true));  // 2 MiB block
  tlb.insert(TlbEntry::make(1, 2 * GiB1, 30, 5 * GiB1, true, false));     // 1 GiB block
  for (std::uint64_t off = 0; off < MiB2; off += KiB4 * 37) {
    const TlbEntry* e = tlb.lookup(1, 0x40000000 + off);
    ASSERT_NE(e, nullptr) << off;
    EXPECT_EQ(e->block_shift, 21);
    EXPECT_EQ(e->translate(0x40000000 + off), 0x80000000 + off);
  }
  EXPECT_NE(tlb.lookup(1, 0x40000000 + MiB2 - 1), nullptr);
  EXPECT_EQ(tlb.lookup(1, 0x40000000 + MiB2), nullptr);
  EXPECT_EQ(tlb.lookup(1, 0x40000000 - 1), nullptr);
  for (std::uint64_t off : {std::uint64_t{0}, MiB2 * 7 + 123, GiB1 - 1}) {
    const TlbEntry* e = tlb.lookup(1, 2 * GiB1 + off);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->translate(2 * GiB1 + off), 5 * GiB1 + off);
    EXPECT_FALSE(e->writable);
  }
  EXPECT_EQ(tlb.lookup(1, 3 * GiB1), nullptr);
}

TEST(Tlb, SmallestSizeWinsWhenSizesOverlap) {
  Tlb tlb({16, 4});
  tlb.insert(TlbEntry::make(1, 0x200000, 21, 0x800000, true, true));
  tlb.insert(TlbEntry::make(1, 0x201000, 12, 0x901000, true, false));
  EXPECT_EQ(tlb.lookup(1, 0x201000)->block_shift, 12);
  EXPECT_EQ(tlb.lookup(1, 0x202000)->block_shift, 21);
}

TEST(Tlb, RejectsUnsupportedBlockSize) {
  Tlb tlb({8, 2});
  TlbEntry e = page(1, 0, 0);
  e.block_shift = 16;
  EXPECT_THROW(tlb.insert(e), std::invalid_argument);
}

// --- Invalidation ------------------------------------------------------------------

TEST(Tlb, InvalidateVmidDropsEveryEntryOfThatVmid) {
  Tlb tlb({16, 4});
  tlb.insert(page(1, 0x1000, 0));
  tlb.insert(page(1, 0x2000, 0));
  tlb.insert(TlbEntry::make(1, 0x400000, 21, 0, true, true));
  tlb.insert(page(2, 0x1000, 0));
  EXPECT_EQ(tlb.invalidate_vmid(1), 3u);
  EXPECT_EQ(tlb.probe(1, 0x1000), nullptr);
  EXPECT_EQ(tlb.probe(1, 0x400000), nullptr);
  EXPECT_NE(tlb.probe(2, 0x1000), nullptr);
  EXPECT_EQ(tlb.stats().invalidated, 3u);
  EXPECT_EQ(tlb.stats().flush_vmid, 1u);
}

// A flush by VMID visits the slots filled since the TLB was last empty while they
// are few, and scans every way once they are many. Either way it must leave the state
// that dropping the same entries one by one leaves: the twin below drops them with
// invalidate_ipa, and the two must then choose the same victims for every later fill
// (entries() in storage order shows each choice). Phases of 1 to 40 fills between
// flushes cross the log's 16, with two VMIDs, 4 KiB and 2 MiB entries, and
// invalidations by IPA and of everything between.
TEST(Tlb, InvalidateVmidLeavesWhatDroppingEachEntryLeaves) {
  for (const TlbConfig cfg : {TlbConfig{32, 32}, TlbConfig{64, 4}, TlbConfig{512, 4}}) {
    std::mt19937_64 rng(cfg.entries);
    Tlb tlb(cfg), twin(cfg);
    for (int phase = 0; phase < 400; ++phase) {
      const int fills = 1 + static_cast<int>(rng() % 40);
      for (int k = 0; k < fills; ++k) {
        const std::uint16_t vmid = static_cast<std::uint16_t>(1 + rng() % 2);
        const unsigned shift = rng() % 8 == 0 ? 21 : 12;
        const mmu::ipa_t ipa = (rng() % 4096) << 12;
        const TlbEntry e = TlbEntry::make(vmid, ipa, shift, ipa, true, rng() % 2 == 0);
        tlb.insert(e);
        twin.insert(e);
        if (rng() % 16 == 0) {
          const mmu::ipa_t gone = (rng() % 4096) << 12;
          ASSERT_EQ(tlb.invalidate_ipa(vmid, gone), twin.invalidate_ipa(vmid, gone));
        }
      }
      if (rng() % 50 == 0) {
        ASSERT_EQ(tlb.invalidate_all(), twin.invalidate_all());
        continue;
      }
      const std::uint16_t vmid = static_cast<std::uint16_t>(1 + rng() % 2);
      unsigned expected = 0;
      for (const TlbEntry& e : twin.entries())
        if (e.vmid == vmid) expected += twin.invalidate_ipa(vmid, e.ipa_base());
      ASSERT_EQ(tlb.invalidate_vmid(vmid), expected) << "phase " << phase;
      ASSERT_EQ(tlb.entries(), twin.entries()) << "phase " << phase;
    }
  }
}

TEST(Tlb, InvalidateIpaDropsOnlyEntriesCoveringIt) {
  Tlb tlb({16, 4});
  tlb.insert(page(1, 0x1000, 0));
  tlb.insert(page(1, 0x2000, 0));
  tlb.insert(page(2, 0x1000, 0));
  EXPECT_EQ(tlb.invalidate_ipa(1, 0x1234), 1u);
  EXPECT_EQ(tlb.probe(1, 0x1000), nullptr);
  EXPECT_NE(tlb.probe(1, 0x2000), nullptr);  // the neighbour survives (unlike ARMv7's TLBIALLIS)
  EXPECT_NE(tlb.probe(2, 0x1000), nullptr);  // other VMID untouched
  EXPECT_EQ(tlb.stats().flush_ipa, 1u);
}

TEST(Tlb, InvalidateIpaDropsABlockCoveringIt) {
  Tlb tlb({16, 4});
  tlb.insert(TlbEntry::make(1, 0x40000000, 21, 0x80000000, true, true));
  tlb.insert(page(1, 0x40400000, 0));  // next 2 MiB region
  EXPECT_EQ(tlb.invalidate_ipa(1, 0x40123000), 1u);  // some page inside the block
  EXPECT_EQ(tlb.probe(1, 0x40000000), nullptr);
  EXPECT_NE(tlb.probe(1, 0x40400000), nullptr);
  // And a 1 GiB block, together with a page inside it.
  tlb.insert(TlbEntry::make(1, GiB1, 30, 0, true, true));
  tlb.insert(page(1, GiB1 + 0x5000, 0));
  EXPECT_EQ(tlb.invalidate_ipa(1, GiB1 + 0x5000), 2u);
  EXPECT_EQ(tlb.size(), 1u);
}

TEST(Tlb, InvalidateAll) {
  Tlb tlb({16, 4});
  tlb.insert(page(1, 0x1000, 0));
  tlb.insert(page(2, 0x1000, 0));
  EXPECT_EQ(tlb.invalidate_all(), 2u);
  EXPECT_EQ(tlb.size(), 0u);
  EXPECT_EQ(tlb.insert(page(1, 0x1000, 0)), TlbInsert::Filled);
}

TEST(Tlb, StaleWritableEntryOutlivesTheTablesUntilFlushed) {
  // The point of the simulator: the walker write-protects the pte, but the TLB keeps
  // answering "writable" until the flush arrives.
  Tlb tlb({8, 2});
  tlb.insert(page(1, 0x3000, 0x3000, true));
  // ... kvm_set_s2pte_readonly() on the tables: the TLB does not see it ...
  EXPECT_TRUE(tlb.lookup(1, 0x3000)->writable);
  tlb.invalidate_vmid(1);
  EXPECT_EQ(tlb.lookup(1, 0x3000), nullptr);
}

// --- Hierarchy ---------------------------------------------------------------------

TlbHierarchyConfig a15_like() {
  TlbHierarchyConfig c;
  c.micro_load = TlbConfig{4, 4};
  c.micro_store = TlbConfig{4, 4};
  c.main = TlbConfig{16, 4};
  c.walk_cache = TlbConfig{4, 4};
  return c;
}

TEST(TlbHierarchy, FillGoesToMainAndTheMicroOfThatAccess) {
  TlbHierarchy h(a15_like());
  EXPECT_EQ(h.lookup(1, 0x1000, Access::Read).hit_level, TlbHitLevel::Miss);
  h.fill(page(1, 0x1000, 0x9000), Access::Read);
  EXPECT_NE(h.micro(Access::Read)->probe(1, 0x1000), nullptr);
  EXPECT_EQ(h.micro(Access::Write)->probe(1, 0x1000), nullptr);
  EXPECT_NE(h.main().probe(1, 0x1000), nullptr);

  const TlbLookup r = h.lookup(1, 0x1000, Access::Read);
  EXPECT_EQ(r.hit_level, TlbHitLevel::Micro);
  EXPECT_EQ(r.entry.translate(0x1008), 0x9008u);
}

TEST(TlbHierarchy, MicroMissMainHitRefillsThatMicro) {
  TlbHierarchy h(a15_like());
  h.fill(page(1, 0x1000, 0x9000), Access::Read);
  // A store to the same page misses the store micro TLB, hits main, and refills it.
  EXPECT_EQ(h.lookup(1, 0x1000, Access::Write).hit_level, TlbHitLevel::Main);
  EXPECT_NE(h.micro(Access::Write)->probe(1, 0x1000), nullptr);
  EXPECT_EQ(h.lookup(1, 0x1000, Access::Write).hit_level, TlbHitLevel::Micro);
  // Push the page out of the load micro TLB (4 entries): main still has it.
  for (std::uint64_t p = 2; p < 6; ++p) h.fill(page(1, p * KiB4, 0), Access::Read);
  EXPECT_EQ(h.micro(Access::Read)->probe(1, 0x1000), nullptr);
  EXPECT_EQ(h.lookup(1, 0x1000, Access::Read).hit_level, TlbHitLevel::Main);
  EXPECT_EQ(h.lookup(1, 0x1000, Access::Read).hit_level, TlbHitLevel::Micro);
  const TlbHierarchyStats& s = h.stats();
  EXPECT_EQ(s.lookups, 4u);
  EXPECT_EQ(s.micro_hits, 2u);
  EXPECT_EQ(s.main_hits, 2u);
  EXPECT_EQ(s.misses, 0u);
  EXPECT_EQ(s.fills, 5u);
}

TEST(TlbHierarchy, InvalidationsReachEveryLevel) {
  TlbHierarchy h(a15_like());
  h.fill(page(1, 0x1000, 0), Access::Read);
  h.fill(page(1, 0x1000, 0), Access::Write);  // replaces in main, fills store micro
  h.fill(page(1, 0x2000, 0), Access::Write);
  h.walk_cache()->insert(1, 2, 0x1000, 0x77000);
  EXPECT_EQ(h.invalidate_ipa(1, 0x1000), 3u);  // main + both micros
  EXPECT_EQ(h.lookup(1, 0x1000, Access::Read).hit_level, TlbHitLevel::Miss);
  EXPECT_EQ(h.lookup(1, 0x1000, Access::Write).hit_level, TlbHitLevel::Miss);
  EXPECT_EQ(h.walk_cache()->size(), 0u);
  EXPECT_EQ(h.lookup(1, 0x2000, Access::Write).hit_level, TlbHitLevel::Micro);

  h.walk_cache()->insert(1, 1, 0x2000, 0x66000);
  EXPECT_EQ(h.invalidate_vmid(1), 2u);  // 0x2000 in main and the store micro
  EXPECT_EQ(h.lookup(1, 0x2000, Access::Write).hit_level, TlbHitLevel::Miss);
  EXPECT_EQ(h.walk_cache()->size(), 0u);

  h.fill(page(3, 0x2000, 0), Access::Read);
  EXPECT_EQ(h.invalidate_all(), 2u);
}

TEST(TlbHierarchy, WithoutMicroTlbsEverythingIsMain) {
  TlbHierarchyConfig c;
  c.main = TlbConfig{16, 4};
  TlbHierarchy h(c);
  EXPECT_EQ(h.micro(Access::Read), nullptr);
  EXPECT_EQ(h.walk_cache(), nullptr);
  h.fill(page(1, 0x1000, 0), Access::Write);
  EXPECT_EQ(h.lookup(1, 0x1000, Access::Read).hit_level, TlbHitLevel::Main);
}

TEST(TlbHierarchy, SharedMicroServesLoadsAndStores) {
  TlbHierarchyConfig c;
  c.micro_data = TlbConfig{4, 4};
  c.main = TlbConfig{16, 4};
  TlbHierarchy h(c);
  EXPECT_EQ(h.micro(Access::Read), h.micro(Access::Write));
  h.fill(page(1, 0x1000, 0), Access::Read);
  EXPECT_EQ(h.lookup(1, 0x1000, Access::Write).hit_level, TlbHitLevel::Micro);
}

TEST(TlbHierarchy, ConfigValidation) {
  TlbHierarchyConfig c = a15_like();
  EXPECT_EQ(c.validate(), "");
  c.micro_data = TlbConfig{4, 4};
  EXPECT_NE(c.validate(), "");
  EXPECT_THROW(TlbHierarchy{c}, std::invalid_argument);
  c = a15_like();
  c.main = TlbConfig{12, 4};
  EXPECT_NE(c.validate().find("main"), std::string::npos);
  EXPECT_STREQ(to_string(TlbHitLevel::Main), "main");
}

// --- Walk cache --------------------------------------------------------------------

TEST(WalkCache, LevelShift) {
  EXPECT_EQ(WalkCache::level_shift(3), 12u);
  EXPECT_EQ(WalkCache::level_shift(2), 21u);
  EXPECT_EQ(WalkCache::level_shift(1), 30u);
  EXPECT_EQ(WalkCache::level_shift(0), 39u);
}

TEST(WalkCache, LookupReturnsTheDeepestCachedLevel) {
  WalkCache wc(TlbConfig{8, 2});
  EXPECT_FALSE(wc.lookup(1, 0x40201000).has_value());
  wc.insert(1, 1, 0x40201000, 0x10000);  // level-1 table descriptor: covers 1 GiB
  auto hit = wc.lookup(1, 0x40201000);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(*hit, (WalkCacheHit{1, 0x10000}));
  wc.insert(1, 2, 0x40201000, 0x20000);  // level-2 table descriptor: covers 2 MiB
  EXPECT_EQ(*wc.lookup(1, 0x40201000), (WalkCacheHit{2, 0x20000}));
  EXPECT_EQ(*wc.lookup(1, 0x403ff000), (WalkCacheHit{2, 0x20000}));  // same 2 MiB
  EXPECT_EQ(*wc.lookup(1, 0x40400000), (WalkCacheHit{1, 0x10000}));  // next 2 MiB, same 1 GiB
  EXPECT_FALSE(wc.lookup(1, 0x80000000).has_value());                // next 1 GiB
  EXPECT_FALSE(wc.lookup(2, 0x40201000).has_value());                // other VMID
  EXPECT_EQ(wc.stats().hits, 4u);
  EXPECT_EQ(wc.stats().misses, 3u);
  EXPECT_EQ(wc.stats().hits_by_level.level2(), 2u);
  EXPECT_EQ(wc.stats().hits_by_level.level1(), 2u);
}

TEST(WalkCache, InsertReplacesSameKeyAndEvictsLru) {
  WalkCache wc(TlbConfig{2, 2});
  wc.insert(1, 2, 0x000000, 0x1000);
  wc.insert(1, 2, 0x000000, 0x2000);  // same key: replaced
  EXPECT_EQ(wc.size(), 1u);
  EXPECT_EQ(wc.probe(1, 0)->next_table, 0x2000u);
  wc.insert(1, 2, 0x200000, 0x3000);
  ASSERT_TRUE(wc.lookup(1, 0).has_value());  // region 0 becomes MRU
  wc.insert(1, 2, 0x400000, 0x4000);         // evicts region 0x200000
  EXPECT_FALSE(wc.probe(1, 0x200000).has_value());
  EXPECT_TRUE(wc.probe(1, 0).has_value());
  EXPECT_EQ(wc.stats().evictions, 1u);
  EXPECT_THROW(wc.insert(1, 3, 0, 0), std::invalid_argument);
}

TEST(WalkCache, InvalidateIpaDropsEntriesWhoseRangeCoversIt) {
  WalkCache wc(TlbConfig{8, 8});
  wc.insert(1, 1, 0x40000000, 0x10000);  // [1 GiB, 2 GiB)
  wc.insert(1, 2, 0x40000000, 0x20000);  // [1 GiB, 1 GiB + 2 MiB)
  wc.insert(1, 2, 0x40200000, 0x30000);  // next 2 MiB
  wc.insert(2, 2, 0x40000000, 0x40000);  // other VMID
  EXPECT_EQ(wc.invalidate_ipa(1, 0x40001000), 2u);  // the level-1 and the first level-2 entry
  EXPECT_EQ(*wc.probe(1, 0x40200000), (WalkCacheHit{2, 0x30000}));
  EXPECT_FALSE(wc.probe(1, 0x40000000).has_value());
  EXPECT_TRUE(wc.probe(2, 0x40000000).has_value());
  EXPECT_EQ(wc.invalidate_vmid(1), 1u);
  EXPECT_EQ(wc.size(), 1u);
  EXPECT_EQ(wc.invalidate_all(), 1u);
  EXPECT_EQ(wc.stats().invalidated, 4u);
}

}  // namespace
}  // namespace s2sim::sim
