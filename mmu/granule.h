// What the 4 KiB translation granule fixes, in the kernel's names: how much IPA one
// entry of each level maps, the masks and table indices the kernel derives from
// them, and the same in pages for gfn arithmetic. Walkers, the fault handler,
// workloads, labs, benchmarks and tests ask here instead of spelling 512, 511,
// 0x1FF or 1 << 21 themselves.
//
// These are the same on ARMv7 LPAE (arch/arm/include/asm/pgtable-3level.h:
// PTRS_PER_PTE and PTRS_PER_PMD 512, PMD_SHIFT 21, PGDIR_SHIFT 30, with the pud
// folded into the pgd by asm-generic/pgtable-nopud.h so that PUD_SHIFT is
// PGDIR_SHIFT) and on every ARMv8 4 KiB-granule geometry (arch/arm64/include/asm/
// pgtable-hwdef.h: PMD_SHIFT 21, PUD_SHIFT 30). What differs between geometries --
// IPA size, start level, concatenated pgd pages -- is Geometry's (mmu/geometry.h).
#pragma once

#include <cstdint>

#include "mmu/types.h"

namespace s2sim::mmu {

// Entries in one pte table and in one pmd table.
inline constexpr unsigned PTRS_PER_PTE = PTRS_PER_TABLE;
inline constexpr unsigned PTRS_PER_PMD = PTRS_PER_TABLE;

// A pmd entry maps 2 MiB: one pte table's worth of pages, or one 2 MiB block.
inline constexpr unsigned PMD_SHIFT = 21;
inline constexpr std::uint64_t PMD_SIZE = std::uint64_t{1} << PMD_SHIFT;
inline constexpr std::uint64_t PMD_MASK = ~(PMD_SIZE - 1);

// A pud entry (a level-1 entry) maps 1 GiB: one pmd table's worth, or one 1 GiB block.
inline constexpr unsigned PUD_SHIFT = 30;
inline constexpr std::uint64_t PUD_SIZE = std::uint64_t{1} << PUD_SHIFT;
inline constexpr std::uint64_t PUD_MASK = ~(PUD_SIZE - 1);

static_assert(PMD_SHIFT == PAGE_SHIFT + 9 && PUD_SHIFT == PMD_SHIFT + 9 && PTRS_PER_PTE == 1u << 9,
              "a 4 KiB table of 8-byte descriptors resolves 9 bits a level");

// pte_index(addr) and pmd_index(addr): the entry that maps `addr` in its pte table
// (IPA[20:12]) and in its pmd table (IPA[29:21]).
constexpr std::uint64_t pte_index(ipa_t addr) { return (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1); }
constexpr std::uint64_t pmd_index(ipa_t addr) { return (addr >> PMD_SHIFT) & (PTRS_PER_PMD - 1); }

// --- the same in pages: a gfn is ipa >> PAGE_SHIFT ------------------------------------
inline constexpr std::uint64_t PMD_PAGES = PMD_SIZE >> PAGE_SHIFT;  // 512 (the kernel's HPAGE_PMD_NR)
inline constexpr std::uint64_t PUD_PAGES = PUD_SIZE >> PAGE_SHIFT;  // 262144

// Which 2 MiB (pmd) region holds `gfn`: its IPA >> PMD_SHIFT. Two gfns share a pmd
// entry exactly when their regions are equal.
constexpr std::uint64_t pmd_region(gfn_t gfn) { return gfn >> (PMD_SHIFT - PAGE_SHIFT); }
// The first gfn of the 2 MiB region holding `gfn` (its IPA & PMD_MASK, in pages).
constexpr gfn_t pmd_base_gfn(gfn_t gfn) { return gfn & ~(PMD_PAGES - 1); }
// The first gfn of the next 2 MiB region: where the pmd after `gfn`'s begins.
constexpr gfn_t pmd_end_gfn(gfn_t gfn) { return pmd_base_gfn(gfn) + PMD_PAGES; }
constexpr bool pmd_aligned(gfn_t gfn) { return (gfn & (PMD_PAGES - 1)) == 0; }
// The first gfn of the 1 GiB region holding `gfn` (its IPA & PUD_MASK, in pages).
constexpr gfn_t pud_base_gfn(gfn_t gfn) { return gfn & ~(PUD_PAGES - 1); }

// Whether the window of one dirty-bitmap word -- the `bits_per_long` pages from
// `gfnofst` on -- straddles a 2 MiB boundary: the seed's crosses_pmd, which
// mmu/wp_v4.cpp computes from the window's first and last IPA as the seed does.
// With a base a multiple of bits_per_long pages (every 2 MiB-aligned memslot) it
// is always false.
constexpr bool crosses_pmd(gfn_t gfnofst, unsigned bits_per_long) {
  return pmd_region(gfnofst) != pmd_region(gfnofst + bits_per_long - 1);
}

}  // namespace s2sim::mmu
