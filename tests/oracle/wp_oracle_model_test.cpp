// The reference model on its own: hand-built descriptor words (no simulator code at
// all) and hand-worked answers, so that the model the walkers are checked against
// rests on the ARM ARM's layout and the kernel's loops, not on its own output.
//
// Memory (ARMv7 LPAE: 40-bit IPA, walk from level 1, pud folded):
//   level-1 table (8 KiB, 1024 entries) at 0x10000; entry 0 -> pmd table 0x20000
//   pmd[0] (gfns 0..511)      -> pte table 0x38000: gfns 480..511 read/write pages
//   pmd[1] (gfns 512..1023)   -> pte table 0x30000: gfns 512..543 read/write pages,
//                                and gfn 1008 (index 496) read/write
//   pmd[2] (gfns 1024..1535)  -> a read/write 2 MiB block at PA 0x40000000, whose
//                                first data words are 0xC3 (looks like a valid
//                                read/write pte) and 0 (does not)
// Descriptor values: a read/write page is PA | 0x7FF (type 0b11, MemAttr 0xF, HAP
// 0b11, SH 0b11, AF); read-only is PA | 0x77F (HAP 0b01); a read/write block PA | 0x7FD.
#include <gtest/gtest.h>

#include <map>

#include "oracle/wp_oracle.h"

namespace s2sim::oracle {
namespace {

constexpr std::uint64_t kRoot = 0x10000, kPmdTable = 0x20000, kPtes1 = 0x30000, kPtes0 = 0x38000;
constexpr std::uint64_t kBlockPa = 0x40000000;
constexpr std::uint64_t kRwPage = 0x7FF, kRwBlock = 0x7FD, kTable = 0x3;
constexpr Regime kArmv7{40, 1, 40};

struct Memory {
  std::map<std::uint64_t, std::uint64_t> words;
  Memory() {
    words[kRoot] = kPmdTable | kTable;
    words[kPmdTable + 0 * 8] = kPtes0 | kTable;
    words[kPmdTable + 1 * 8] = kPtes1 | kTable;
    words[kPmdTable + 2 * 8] = kBlockPa | kRwBlock;
    for (std::uint64_t i = 480; i < 512; ++i) words[kPtes0 + i * 8] = (0x50000000 + i * 4096) | kRwPage;
    for (std::uint64_t i = 0; i < 32; ++i) words[kPtes1 + i * 8] = (0x60000000 + i * 4096) | kRwPage;
    words[kPtes1 + 496 * 8] = 0x70000000 | kRwPage;
    words[kBlockPa] = 0xC3;
    words[kBlockPa + 16] = 0;
  }
  ReadWord reader() const {
    return [this](std::uint64_t pa) {
      const auto it = words.find(pa);
      return it == words.end() ? std::uint64_t{0} : it->second;
    };
  }
};

// HAP [7:6] set to 0b01, everything else kept.
constexpr std::uint64_t read_only(std::uint64_t d) { return (d & ~std::uint64_t{0xC0}) | 0x40; }

using Loads = std::array<std::uint64_t, 4>;

}  // namespace

TEST(WpOracleModel, NaiveWalksFromThePgdForEveryBit) {
  const Memory mem;
  // gfns 512..515: 4 x (level-1 entry, pmd, pte) loads, 4 pte stores.
  const Prediction p = predict(Walker::Naive, kArmv7, kRoot, mem.reader(), Call{512, 0, 0xF, 32});
  EXPECT_EQ(p.loads, (Loads{0, 4, 4, 4}));
  EXPECT_EQ(p.stores, (Loads{0, 0, 0, 4}));
  ASSERT_EQ(p.writes.size(), 4u);
  for (std::uint64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(p.writes[i].pa, kPtes1 + i * 8);
    EXPECT_EQ(p.writes[i].value, read_only((0x60000000 + i * 4096) | kRwPage));
    EXPECT_EQ(p.writes[i].target, Target::Entry);
  }
  EXPECT_EQ(p.ptes_protected, 4u);
}

TEST(WpOracleModel, SeedWalkerInsideOnePmdByForm) {
  const Memory mem;
  // gfnofst 512, next = 512 + 31 = 543: both in pmd[1], crosses_pmd false. The upper
  // levels are read once for the first bit (level-1 entry, then pmd[1]); the pmd is
  // read again by each pte_offset_kernel(pmd, ipa) in the forms that re-read it.
  const Call call{512, 0, 0xF, 32};
  EXPECT_EQ(predict(Walker::V4, kArmv7, kRoot, mem.reader(), call, {PmdReads::BeforeLoopOnly}).loads,
            (Loads{0, 1, 1, 4}));
  EXPECT_EQ(predict(Walker::V4, kArmv7, kRoot, mem.reader(), call, {PmdReads::BeforeLoopAndEveryPass}).loads,
            (Loads{0, 1, 1 + 4, 4}));
  EXPECT_EQ(predict(Walker::V4, kArmv7, kRoot, mem.reader(), call, {PmdReads::SeedC}).loads, (Loads{0, 1, 4, 4}));
  EXPECT_EQ(predict(Walker::V4, kArmv7, kRoot, mem.reader(), call, {PmdReads::SeedCompiled}).loads,
            (Loads{0, 1, 4, 4}));
}

TEST(WpOracleModel, SeedWalkerAcrossAPmdReadsEachPagesPmdOnceCompiled) {
  const Memory mem;
  // gfnofst 496, next = 527: the window crosses from pmd[0] into pmd[1]. Bits 0 and 31
  // (gfn 496 in pmd[0], gfn 527 in pmd[1]): the first page's pmd is read by the
  // pmd_present() test, the second's by its own upper walk; the C as written reads each
  // again in pte_offset_kernel(), the compiled form reuses the value just read.
  const Call call{496, 0, 0x80000001u, 32};
  EXPECT_EQ(predict(Walker::V4, kArmv7, kRoot, mem.reader(), call, {PmdReads::SeedC}).loads, (Loads{0, 2, 4, 2}));
  EXPECT_EQ(predict(Walker::V4, kArmv7, kRoot, mem.reader(), call, {PmdReads::SeedCompiled}).loads,
            (Loads{0, 2, 2, 2}));
}

TEST(WpOracleModel, AWindowEndingExactlyOnA2MiBBoundaryDoesNotCross) {
  const Memory mem;
  // gfnofst 480: the window is gfns 480..511, its last page the last of pmd[0]; `next`
  // = gfnofst + BITS_PER_LONG - 1 = 511, so crosses_pmd is false: one upper walk.
  // (With `next` = gfnofst + BITS_PER_LONG = 512 the window would seem to cross and
  // every bit would walk from the pgd: {0, 32, 32, 32}.)
  const Prediction p =
      predict(Walker::V4, kArmv7, kRoot, mem.reader(), Call{480, 0, 0xFFFFFFFF, 32}, {PmdReads::BeforeLoopOnly});
  EXPECT_EQ(p.loads, (Loads{0, 1, 1, 32}));
  EXPECT_EQ(p.ptes_protected, 32u);
  EXPECT_EQ(p.writes_to(Target::Entry), 32u);
}

TEST(WpOracleModel, SeedWalkerFollowsABlockIntoGuestData) {
  const Memory mem;
  // gfns 1024 and 1026 inside the 2 MiB block of pmd[2]; no crossing, so the pmd is
  // taken for a table: "pte" i of the block's first data page is the word at
  // 0x40000000 + 8 i. Word 0 (0xC3: valid, HAP read/write) gets HAP 0b01 -> 0x43;
  // word 2 (0) is not present. The block itself stays writable.
  const Prediction p =
      predict(Walker::V4, kArmv7, kRoot, mem.reader(), Call{1024, 0, 0b101, 32}, {PmdReads::BeforeLoopOnly});
  EXPECT_EQ(p.pointers_from_block, 2u);
  ASSERT_EQ(p.writes.size(), 1u);
  EXPECT_EQ(p.writes[0].pa, kBlockPa);
  EXPECT_EQ(p.writes[0].value, 0x43u);
  EXPECT_EQ(p.writes[0].target, Target::OutsideTables);
  EXPECT_EQ(p.blocks_protected, 0u);

  // Every correct walker protects the block once, on its own entry.
  for (Walker w : {Walker::Naive, Walker::V4Fixed, Walker::Range}) {
    const Prediction q = predict(w, kArmv7, kRoot, mem.reader(), Call{1024, 0, 0b101, 32});
    ASSERT_EQ(q.writes.size(), 1u) << walker_name(w);
    EXPECT_EQ(q.writes[0].pa, kPmdTable + 2 * 8) << walker_name(w);
    EXPECT_EQ(q.writes[0].value, read_only(kBlockPa | kRwBlock)) << walker_name(w);
    EXPECT_EQ(q.stores, (Loads{0, 0, 1, 0})) << walker_name(w);
    EXPECT_EQ(q.pointers_from_block, 0u) << walker_name(w);
  }
}

TEST(WpOracleModel, SeedWalkerFallbackIndexesTheNextTableWithTheFirstPage) {
  Memory mem;
  mem.words[kPmdTable] = 0;  // a host unmap cleared pmd[0] after gfn 496's bit was set
  // gfnofst 496, next = 527: crosses the boundary at 512. Bits 0 (gfn 496) and 20
  // (gfn 516). pmd[0] is absent, so the seed takes pmd_offset(pud, next) = pmd[1] and
  // indexes its pte table with gfn 496: index 496 of table 0x30000, which maps gfn
  // 1008 -- an entry of the wrong table (REFERENCE.md 3.2). Gfn 516 then gets its own
  // upper walk and its own pte.
  //   level 1: first walk 1 + gfn 516's walk 1                     = 2
  //   level 2: pmd[0], pmd[1] (fallback), gfn 516's pmd[1]         = 3
  //   level 3: 2 ptes
  const Prediction p =
      predict(Walker::V4, kArmv7, kRoot, mem.reader(), Call{496, 0, (1u << 0) | (1u << 20), 32},
              {PmdReads::BeforeLoopOnly});
  EXPECT_EQ(p.loads, (Loads{0, 2, 3, 2}));
  ASSERT_EQ(p.writes.size(), 2u);
  EXPECT_EQ(p.writes[0].pa, kPtes1 + 496 * 8);
  EXPECT_EQ(p.writes[0].target, Target::WrongEntry);
  EXPECT_EQ(p.writes[1].pa, kPtes1 + 4 * 8);
  EXPECT_EQ(p.writes[1].target, Target::Entry);
}

TEST(WpOracleModel, RangeProtectsEveryPresentPageBetweenTheFirstAndLastBit) {
  const Memory mem;
  // Bits 0 and 31 at gfn 512: stage2_wp_range over gfns 512..543, one level-1 entry,
  // one pmd, 32 ptes; all 32 pages are read/write, so 32 stores, 30 of them clean.
  const Prediction p = predict(Walker::Range, kArmv7, kRoot, mem.reader(), Call{512, 0, 0x80000001u, 32});
  EXPECT_EQ(p.loads, (Loads{0, 1, 1, 32}));
  EXPECT_EQ(p.stores, (Loads{0, 0, 0, 32}));
  EXPECT_EQ(p.clean_pages_protected, 30u);
  // The same mask with v4 (and v4-fixed): the two pages only.
  EXPECT_EQ(predict(Walker::V4Fixed, kArmv7, kRoot, mem.reader(), Call{512, 0, 0x80000001u, 32}).stores,
            (Loads{0, 0, 0, 2}));
}

TEST(WpOracleModel, FixedWalkerWalksOncePerPmdTheBitsTouch) {
  Memory mem;
  // gfnofst 496, every bit: gfns 496..511 in pmd[0] (mapped: 480..511), 512..527 in
  // pmd[1]. Two upper walks (2 level-1 + 2 pmd loads) and 32 ptes.
  const Prediction p = predict(Walker::V4Fixed, kArmv7, kRoot, mem.reader(), Call{496, 0, 0xFFFFFFFF, 32});
  EXPECT_EQ(p.loads, (Loads{0, 2, 2, 32}));
  EXPECT_EQ(p.stores, (Loads{0, 0, 0, 32}));
  // v4 crosses: every bit after the first walks from the pgd: 32 upper walks.
  EXPECT_EQ(predict(Walker::V4, kArmv7, kRoot, mem.reader(), Call{496, 0, 0xFFFFFFFF, 32}, {PmdReads::BeforeLoopOnly})
                .loads,
            (Loads{0, 32, 32, 32}));
}

}  // namespace s2sim::oracle
