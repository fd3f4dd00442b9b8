#include <gtest/gtest.h>

#include "mmu/geometry.h"
#include "mmu/granule.h"

using namespace s2sim::mmu;

TEST(Geometry, Armv7LpaeDefaultMatchesKvmArm) {
  const Geometry g = Geometry::armv7_lpae();
  EXPECT_EQ(g.validate(), "");
  EXPECT_EQ(g.ipa_bits, 40u);
  EXPECT_EQ(g.start_level, 1);
  EXPECT_EQ(g.start_entries(), 1024u);   // PTRS_PER_S2_PGD
  EXPECT_EQ(g.start_table_pages(), 2u);  // S2_PGD_ORDER 1: 8 KiB
  EXPECT_TRUE(g.pud_folded());
  EXPECT_EQ(Geometry::level_shift(1), 30u);  // PGDIR_SHIFT
  EXPECT_EQ(Geometry::level_shift(2), 21u);  // PMD_SHIFT
  EXPECT_EQ(Geometry::level_shift(3), 12u);  // PAGE_SHIFT
  EXPECT_STREQ(g.level_name(1), "pgd");
  EXPECT_STREQ(g.level_name(2), "pmd");
  EXPECT_STREQ(g.level_name(3), "pte");
}

TEST(Geometry, Armv7BoundaryIndices) {
  const Geometry g = Geometry::armv7_lpae();
  // 0x3FFFFFFFFF is the last byte below 256 GiB: pgd 255 (bits [39:30]), pmd 511, pte 511.
  EXPECT_EQ(g.index(1, 0x3FFFFFFFFFull), 255u);
  EXPECT_EQ(g.index(2, 0x3FFFFFFFFFull), 511u);
  EXPECT_EQ(g.index(3, 0x3FFFFFFFFFull), 511u);
  // 1 GiB: second pgd entry, first pmd.
  EXPECT_EQ(g.index(1, 0x40000000ull), 1u);
  EXPECT_EQ(g.index(2, 0x40000000ull), 0u);
  // Last byte of the first 2 MiB vs the first byte of the second.
  EXPECT_EQ(g.index(2, 0x1FFFFFull), 0u);
  EXPECT_EQ(g.index(3, 0x1FFFFFull), 511u);
  EXPECT_EQ(g.index(2, 0x200000ull), 1u);
  EXPECT_EQ(g.index(3, 0x200000ull), 0u);
  // Top of the 40-bit IPA space: pgd 1023, the last entry of the second concatenated page.
  EXPECT_EQ(g.index(1, 0xFFFFFFFFFFull), 1023u);
  // 512 GiB: entry 512 is the first of the second concatenated page.
  EXPECT_EQ(g.index(1, 0x8000000000ull), 512u);
  EXPECT_TRUE(g.ipa_in_range(0xFFFFFFFFFFull));
  EXPECT_FALSE(g.ipa_in_range(0x10000000000ull));
}

TEST(Geometry, Armv8FourLevels) {
  const Geometry g = Geometry::armv8_4level();
  EXPECT_EQ(g.validate(), "");
  EXPECT_EQ(g.start_level, 0);
  EXPECT_EQ(g.start_entries(), 512u);
  EXPECT_EQ(g.start_table_pages(), 1u);
  EXPECT_FALSE(g.pud_folded());
  EXPECT_STREQ(g.level_name(0), "pgd");
  EXPECT_STREQ(g.level_name(1), "pud");
  EXPECT_EQ(Geometry::level_shift(0), 39u);
  EXPECT_EQ(g.index(0, 0x3FFFFFFFFFull), 0u);  // below 512 GiB
  EXPECT_EQ(g.index(1, 0x3FFFFFFFFFull), 255u);
  EXPECT_EQ(g.index(0, 0xFFFFFFFFFFFFull), 511u);
  EXPECT_EQ(g.index(1, 0x40000000ull), 1u);
  EXPECT_EQ(g.index(2, 0x200000ull), 1u);
}

TEST(Geometry, ValidationRejectsImpossibleShapes) {
  Geometry g = Geometry::armv7_lpae();
  g.start_level = 0;
  EXPECT_NE(g.validate(), "");  // ARMv7 has no level 0
  g = Geometry::armv8_4level();
  g.ipa_bits = 36;  // level 0 resolves no bit
  EXPECT_NE(g.validate(), "");
  g = Geometry::armv8_3level();
  g.ipa_bits = 44;  // would need 16384 level-1 entries = 32 concatenated tables
  EXPECT_NE(g.validate(), "");
  g.ipa_bits = 43;  // 16 concatenated tables: the architectural maximum
  EXPECT_EQ(g.validate(), "");
  EXPECT_EQ(g.start_table_pages(), 16u);
}

// The 4 KiB granule's fixed sizes in the kernel's names (arch/arm/include/asm/
// pgtable-3level.h; arm64 pgtable-hwdef.h), and the gfn helpers built on them.
TEST(Granule, SizesMasksAndIndicesAreTheKernels) {
  EXPECT_EQ(PTRS_PER_PTE, 512u);
  EXPECT_EQ(PTRS_PER_PMD, 512u);
  EXPECT_EQ(PMD_SIZE, 0x200000u);
  EXPECT_EQ(PMD_MASK, 0xFFFFFFFFFFE00000ull);
  EXPECT_EQ(PUD_SIZE, 0x40000000u);
  EXPECT_EQ(PUD_MASK, 0xFFFFFFFFC0000000ull);
  EXPECT_EQ(PMD_PAGES, 512u);
  EXPECT_EQ(PUD_PAGES, 262144u);
  // The same indices Geometry computes for the pmd and pte levels.
  const Geometry g = Geometry::armv7_lpae();
  for (const ipa_t ipa : {ipa_t{0}, ipa_t{0x1FFFFF}, ipa_t{0x3FFFFFFFFF}, ipa_t{0x40212345}}) {
    EXPECT_EQ(pmd_index(ipa), g.index(2, ipa)) << ipa;
    EXPECT_EQ(pte_index(ipa), g.index(3, ipa)) << ipa;
  }
  EXPECT_EQ(pmd_region(511), 0u);
  EXPECT_EQ(pmd_region(512), 1u);
  EXPECT_EQ(pmd_base_gfn(1023), 512u);
  EXPECT_EQ(pmd_end_gfn(512), 1024u);
  EXPECT_TRUE(pmd_aligned(1024));
  EXPECT_FALSE(pmd_aligned(1008));
  EXPECT_EQ(pud_base_gfn(PUD_PAGES + 5), PUD_PAGES);
  EXPECT_FALSE(crosses_pmd(1024, 32));
  EXPECT_FALSE(crosses_pmd(1024 - 32, 32));
  EXPECT_TRUE(crosses_pmd(1024 - 31, 32));
  EXPECT_TRUE(crosses_pmd(1024 - 1, 64));
}
