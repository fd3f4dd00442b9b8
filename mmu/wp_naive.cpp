// `naive`: a complete walk from the pgd for every set bit of the mask. The baseline
// the crosses_pmd shortcut was written to beat: 3 descriptor loads per page on ARMv7
// (pud folded: level-1 entry, pmd, pte); 5 on a 4-level geometry, where
// pgd_present(*pgd) and pud_offset(pgd) each read the pgd entry as the C code does.
#include <bit>

#include "mmu/wp_walker.h"
#include "mmu/wp_walkers.h"

namespace s2sim::mmu {

void NaiveWalker::write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                                       unsigned /*bits_per_long*/, WpStats& stats) {
  ++stats.calls;
  const gfn_t gfnofst = slot.base_gfn + gfn_offset;
  for (; mask; mask &= mask - 1) {
    const ipa_t ipa = (gfnofst + static_cast<unsigned>(std::countr_zero(mask))) << PAGE_SHIFT;
    const phys_addr_t pgd = pgd_offset(w, ipa);
    if (!pgd_present(w, pgd, ipa)) continue;
    const phys_addr_t pud = pud_offset(w, pgd, ipa);
    const S2Desc pudv = w.load(pud, pud_level(w), ipa);
    if (!pud_present(pudv)) continue;
    if (pud_huge(pudv)) {  // a 1 GiB block: protect the block itself
      wp_protect_block(w, pud, pud_level(w), pudv, ipa, stats);
      continue;
    }
    const phys_addr_t pmd = pmd_offset(w, pudv, ipa);
    const S2Desc pmdv = w.load(pmd, pmd_level(), ipa);
    if (!pmd_present(pmdv)) continue;
    if (pmd_huge(pmdv)) {  // a 2 MiB block
      wp_protect_block(w, pmd, pmd_level(), pmdv, ipa, stats);
      continue;
    }
    const phys_addr_t pte = pte_offset_kernel(w, pmdv, ipa);
    const S2Desc ptev = w.load(pte, pte_level(), ipa);
    if (!pte_present(ptev) || kvm_s2pte_readonly(ptev)) continue;
    w.store(pte, pte_level(), kvm_set_s2pte_readonly(ptev), ipa);
    ++stats.ptes_write_protected;
  }
}

}  // namespace s2sim::mmu
