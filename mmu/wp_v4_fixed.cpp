// `v4-fixed`: the crosses_pmd idea made correct. The upper levels are walked once per
// 2 MiB (pmd) region the set bits touch, not once per page and not once per window:
// an aligned 32-page window costs one upper walk, a window straddling a pmd boundary
// two. The pmd used for each pte is the one that maps it; a non-present entry skips
// only the pages it covers; a 2 MiB (or 1 GiB) block is write-protected as a block.
#include <bit>

#include "mmu/granule.h"
#include "mmu/wp_walkers.h"

namespace s2sim::mmu {

void V4FixedWalker::write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                                         unsigned /*bits_per_long*/, WpStats& stats) {
  ++stats.calls;
  const gfn_t gfnofst = slot.base_gfn + gfn_offset;
  // What the upper walk found for the current pmd region.
  enum class Region { None, Skip, Table } region = Region::None;
  ipa_t region_base = 0;
  S2Desc pmdv{};

  for (; mask; mask &= mask - 1) {
    const ipa_t ipa = (gfnofst + static_cast<unsigned>(std::countr_zero(mask))) << PAGE_SHIFT;
    if (region == Region::None || (ipa & PMD_MASK) != region_base) {
      // Crossed into another pmd region: walk the upper levels again for it.
      region_base = ipa & PMD_MASK;
      region = Region::Skip;
      const phys_addr_t pgd = pgd_offset(w, ipa);
      if (!pgd_present(w, pgd, ipa)) continue;
      const phys_addr_t pud = pud_offset(w, pgd, ipa);
      const S2Desc pudv = w.load(pud, pud_level(w), ipa);
      if (!pud_present(pudv)) continue;
      if (pud_huge(pudv)) {
        wp_protect_block(w, pud, pud_level(w), pudv, ipa, stats);
        continue;
      }
      const phys_addr_t pmd = pmd_offset(w, pudv, ipa);
      pmdv = w.load(pmd, pmd_level(), ipa);
      if (!pmd_present(pmdv)) continue;
      if (pmd_huge(pmdv)) {
        wp_protect_block(w, pmd, pmd_level(), pmdv, ipa, stats);
        continue;
      }
      region = Region::Table;
    }
    if (region != Region::Table) continue;  // absent or a block already handled
    const phys_addr_t pte = pte_offset_kernel(w, pmdv, ipa);
    const S2Desc ptev = w.load(pte, pte_level(), ipa);
    if (!pte_present(ptev) || kvm_s2pte_readonly(ptev)) continue;
    w.store(pte, pte_level(), kvm_set_s2pte_readonly(ptev), ipa);
    ++stats.ptes_write_protected;
  }
}

}  // namespace s2sim::mmu
