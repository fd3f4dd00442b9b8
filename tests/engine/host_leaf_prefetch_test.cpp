// HostLeafPrefetch: the host word it prefetches (and the address it names) is the leaf descriptor translate() will
// read, found by a walk the first time in a 2 MiB region and from its memo after that;
// nothing when the walk ends above the last level. A memo left stale by a freed table
// still names table memory (the prefetch is only a hint) and never changes what
// translate() reads.
#include <gtest/gtest.h>

#include "mmu/descriptor.h"
#include "mmu/hw_walk.h"
#include "mmu/phys_mem.h"
#include "mmu/s2_pgtable.h"
#include "sim/engine/host_leaf_prefetch.h"

namespace s2sim::sim {
namespace {

using mmu::Access;
using mmu::ipa_t;

constexpr std::uint64_t kRW = (mmu::desc::PAGE_S2_ATTRS & ~mmu::desc::S2AP_MASK) | mmu::desc::L_PTE_S2_RDWR;

// The host address of the word translate() reads last for `ipa`.
const std::uint64_t* leaf_word(const mmu::S2PageTable& pt, ipa_t ipa) {
  const mmu::TranslateResult r = mmu::translate(pt, ipa, Access::Read);
  const mmu::phys_addr_t pa = r.visited[r.nvisited - 1];
  return pt.mem().table_words(pa) + ((pa >> 3) & (mmu::PTRS_PER_TABLE - 1));
}

// The simulated address of that word.
mmu::phys_addr_t leaf_pa(const mmu::S2PageTable& pt, ipa_t ipa) {
  const mmu::TranslateResult r = mmu::translate(pt, ipa, Access::Read);
  return r.visited[r.nvisited - 1];
}

TEST(HostLeafPrefetch, NamesTheLeafWordByWalkThenByMemo) {
  mmu::PhysMem mem;
  mmu::S2PageTable pt(mem, mmu::Geometry::armv7_lpae());
  for (ipa_t ipa = 0x80000000; ipa < 0x80400000; ipa += 0x1000) pt.map_page(ipa, ipa + 0x100000000ull, kRW);
  HostLeafPrefetch lp(pt);
  // First touch of each 2 MiB walks, later ones use the memo: same answers.
  for (int pass = 0; pass < 2; ++pass) {
    for (ipa_t ipa : {0x80000000ull, 0x80001008ull, 0x801FF000ull, 0x80200000ull, 0x803FFFF8ull}) {
      const HostLeafPrefetch::Leaf leaf = lp.prefetch(ipa);
      EXPECT_EQ(leaf.word, leaf_word(pt, ipa)) << std::hex << ipa << " pass " << pass;
      EXPECT_EQ(leaf.pa, leaf_pa(pt, ipa)) << std::hex << ipa << " pass " << pass;
    }
  }
  // No pte table for a 2 MiB region: the walk ends at its empty pmd entry.
  EXPECT_EQ(lp.prefetch(0x80600000).word, nullptr);
  EXPECT_EQ(lp.prefetch(0x80600000).pa, 0u);
  // An empty pte in a present table is still the word the walk ends on.
  pt.clear_leaf(0x80002000);
  EXPECT_EQ(lp.prefetch(0x80002000).word, leaf_word(pt, 0x80002000));
  EXPECT_EQ(lp.prefetch(0x80002000).pa, leaf_pa(pt, 0x80002000));
}

TEST(HostLeafPrefetch, NothingAboveTheLastLevel) {
  mmu::PhysMem mem;
  mmu::S2PageTable pt(mem, mmu::Geometry::armv7_lpae());
  pt.map_block(0x40000000, 0x140000000ull, 2, kRW);
  HostLeafPrefetch lp(pt);
  EXPECT_EQ(lp.prefetch(0x40001000).word, nullptr);     // a 2 MiB block
  EXPECT_EQ(lp.prefetch(0xC0000000).word, nullptr);     // an empty pgd entry
  EXPECT_EQ(lp.prefetch(ipa_t{1} << 40).word, nullptr);  // outside the 40-bit input range
}

TEST(HostLeafPrefetch, StaleMemoIsOnlyAWrongHint) {
  mmu::PhysMem mem;
  mmu::S2PageTable pt(mem, mmu::Geometry::armv7_lpae());
  pt.map_page(0x80000000, 0x100000000ull, kRW);
  HostLeafPrefetch lp(pt);
  const std::uint64_t* before = lp.prefetch(0x80000000).word;
  ASSERT_EQ(before, leaf_word(pt, 0x80000000));
  // A host unmap of the whole pmd frees the pte table; remapping as a block leaves the
  // memo naming the freed frame's memory, which the prefetcher keeps using.
  ASSERT_TRUE(pt.clear_entry(0x80000000, 2));
  pt.map_block(0x80000000, 0x100000000ull, 2, kRW);
  EXPECT_EQ(lp.prefetch(0x80000000).word, before);
  // The walk itself reads the block, as it would without any prefetcher.
  const mmu::TranslateResult r = mmu::translate(pt, 0x80000000, Access::Write);
  EXPECT_EQ(r.fault, mmu::FaultKind::None);
  EXPECT_EQ(r.level, 2);
}

}  // namespace
}  // namespace s2sim::sim
