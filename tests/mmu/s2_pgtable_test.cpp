#include <gtest/gtest.h>

#include <map>

#include "mmu/hw_walk.h"
#include "mmu/s2_pgtable.h"

using namespace s2sim::mmu;

namespace {
constexpr std::uint64_t kRW = (desc::PAGE_S2_ATTRS & ~desc::S2AP_MASK) | desc::L_PTE_S2_RDWR;
constexpr std::uint64_t kRO = desc::PAGE_S2_ATTRS;
}  // namespace

TEST(S2PageTable, PgdIsTwoConcatenatedPagesAligned8K) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  EXPECT_EQ(pt.pgd_pa() % 8192, 0u);
  EXPECT_EQ(mem.kind(pt.pgd_pa()), FrameKind::PageTable);
  EXPECT_EQ(mem.kind(pt.pgd_pa() + 4096), FrameKind::PageTable);
  EXPECT_EQ(mem.table_info(pt.pgd_pa() + 4096).ipa_base, 512ull << 30);
  EXPECT_EQ(mem.table_frames(), 2u);
  EXPECT_EQ(pt.vttbr() >> 48, 1u);
}

TEST(S2PageTable, MapPageAllocatesTablesAsDescriptors) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  const phys_addr_t frame = mem.alloc_guest_frame();
  pt.map_page(0x40201000, frame, kRW);
  EXPECT_EQ(mem.table_frames(), 4u);  // pgd (2) + pmd table + pte table
  // Follow the descriptors by hand: pgd[1] -> pmd table; pmd[1] -> pte table; pte[1].
  const S2Desc pgd1{mem.load64(pt.pgd_pa() + 1 * 8)};
  ASSERT_EQ(pgd1.type(1), DescType::Table);
  const S2Desc pmd1{mem.load64(pgd1.output_address() + 1 * 8)};
  ASSERT_EQ(pmd1.type(2), DescType::Table);
  EXPECT_EQ(mem.table_info(pmd1.output_address()).level, 3);
  EXPECT_EQ(mem.table_info(pmd1.output_address()).ipa_base, 0x40200000ull);
  const S2Desc pte1{mem.load64(pmd1.output_address() + 1 * 8)};
  EXPECT_EQ(pte1.raw, make_page(frame, kRW).raw);
  EXPECT_EQ(pt.mapped_pages(), 1u);

  const S2Lookup r = pt.lookup(0x40201ABC);
  EXPECT_TRUE(r.mapped);
  EXPECT_EQ(r.level, 3);
  EXPECT_EQ(r.nvisited, 3u);
  EXPECT_EQ(r.visited[0], pt.pgd_pa() + 8);
  EXPECT_EQ(r.desc_pa, pmd1.output_address() + 8);
}

TEST(S2PageTable, BlocksAndUnmap) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_block(0x00200000, 0x90200000, 2, kRW);
  pt.map_block(0x80000000, 0xC0000000, 1, kRO);
  EXPECT_EQ(pt.mapped_blocks(), 2u);
  S2Lookup r = pt.lookup(0x003FFFFF);
  EXPECT_TRUE(r.mapped);
  EXPECT_EQ(r.level, 2);
  r = pt.lookup(0xBFFFFFFF);
  EXPECT_TRUE(r.mapped);
  EXPECT_EQ(r.level, 1);
  EXPECT_EQ(r.nvisited, 1u);
  // A page cannot be mapped under a block: the caller must dissolve it first.
  bool ok = true;
  pt.map_page(0x00201000, 0x90000000, kRW, &ok);
  EXPECT_FALSE(ok);
  EXPECT_EQ(pt.clear_leaf(0x00300000), 2);
  EXPECT_FALSE(pt.lookup(0x00300000).mapped);
  EXPECT_EQ(pt.clear_leaf(0x00300000), -1);
  EXPECT_EQ(pt.mapped_blocks(), 1u);
}

TEST(S2PageTable, ClearEntryFreesTheTableBelow) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  for (int i = 0; i < 8; ++i) pt.map_page(0x00400000 + i * 0x1000ull, mem.alloc_guest_frame(), kRW);
  const std::uint64_t tables = mem.table_frames();
  const phys_addr_t pte_table = pt.entry_pa(0x00400000, 3) & PAGE_MASK;
  EXPECT_TRUE(pt.clear_entry(0x00400000, 2));  // the pmd: a host unmap of 2 MiB
  EXPECT_EQ(mem.table_frames(), tables - 1);
  EXPECT_EQ(mem.kind(pte_table), FrameKind::Free);
  EXPECT_EQ(pt.mapped_pages(), 0u);
  EXPECT_FALSE(pt.lookup(0x00401000).mapped);
  EXPECT_EQ(pt.lookup(0x00401000).level, 2);
  EXPECT_FALSE(pt.clear_entry(0x00400000, 2));
}

TEST(S2PageTable, BlockReplacesTableAndFreesIt) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_page(0x00600000, mem.alloc_guest_frame(), kRW);
  const std::uint64_t tables = mem.table_frames();
  pt.map_block(0x00600000, 0x90600000, 2, kRW);
  EXPECT_EQ(mem.table_frames(), tables - 1);
  EXPECT_EQ(pt.mapped_pages(), 0u);
  EXPECT_EQ(pt.mapped_blocks(), 1u);
}

TEST(S2PageTable, ReadonlyWritableFlip) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_page(0x1000, 0x80001000, kRW);
  EXPECT_TRUE(pt.set_readonly(0x1000));
  EXPECT_TRUE(kvm_s2pte_readonly(pt.lookup(0x1000).desc));
  EXPECT_EQ(translate(pt, 0x1000, Access::Write).fault, FaultKind::Permission);
  EXPECT_TRUE(pt.set_writable(0x1000));
  EXPECT_EQ(translate(pt, 0x1000, Access::Write).fault, FaultKind::None);
  EXPECT_FALSE(pt.set_readonly(0x2000));
}

TEST(S2PageTable, Armv8FourLevelsSameCode) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv8_4level());
  pt.map_page(0x0000800000201000ull, 0x80001000, kRW);
  const S2Lookup r = pt.lookup(0x0000800000201000ull);
  EXPECT_TRUE(r.mapped);
  EXPECT_EQ(r.nvisited, 4u);
  EXPECT_EQ(mem.table_frames(), 4u);  // pgd + pud + pmd + pte tables
  pt.map_block(0x40000000, 0x80000000, 1, kRO);
  EXPECT_EQ(pt.lookup(0x7FFFFFFF).level, 1);
}

TEST(S2PageTable, ForEachLeafVisitsPagesAndBlocks) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_page(0x1000, 0x80001000, kRW);
  pt.map_page(0x40001000, 0x80002000, kRW);
  pt.map_block(0x00400000, 0x90400000, 2, kRW);
  std::map<ipa_t, level_t> seen;
  pt.for_each_leaf([&](ipa_t ipa, level_t level, phys_addr_t, S2Desc) { seen[ipa] = level; });
  EXPECT_EQ(seen, (std::map<ipa_t, level_t>{{0x1000, 3}, {0x400000, 2}, {0x40001000, 3}}));
}
