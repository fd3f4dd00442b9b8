// Lab 8's reference solution (the lecturer's, not shipped in the student's view): the
// crosses_pmd idea made correct. The upper levels are walked once per 2 MiB region the
// set bits touch; an empty entry skips only the pages it covers; a 2 MiB or 1 GiB block
// is write-protected on its own entry.
#include "s2sim_walker.h"

extern "C" void kvm_mmu_write_protect_pt_masked(struct kvm *kvm, struct kvm_memory_slot *slot, gfn_t gfn_offset,
                                                unsigned long mask) {
  const gfn_t base = slot->base_gfn + gfn_offset;
  phys_addr_t region = ~0ull;  // the 2 MiB region whose pmd was read last
  bool region_has_ptes = false;
  pmd_t pmd = 0;
  for (; mask; mask &= mask - 1) {
    const phys_addr_t addr = (base + __ffs(mask)) << PAGE_SHIFT;
    if ((addr & PMD_MASK) != region) {
      region = addr & PMD_MASK;
      region_has_ptes = false;
      const phys_addr_t pud_p = pud_offset(pgd_offset(kvm, addr), addr);
      const pud_t pud = s2_read_pud(kvm, pud_p, addr);
      if (!pud_present(pud)) continue;
      if (pud_huge(pud)) {
        if (!kvm_s2pmd_readonly(pud)) s2_write_pud(kvm, pud_p, kvm_set_s2pmd_readonly(pud), addr);
        continue;
      }
      const phys_addr_t pmd_p = pmd_offset(kvm, pud, addr);
      pmd = s2_read_pmd(kvm, pmd_p, addr);
      if (!pmd_present(pmd)) continue;
      if (pmd_huge(pmd)) {
        if (!kvm_s2pmd_readonly(pmd)) s2_write_pmd(kvm, pmd_p, kvm_set_s2pmd_readonly(pmd), addr);
        continue;
      }
      region_has_ptes = true;
    }
    if (!region_has_ptes) continue;
    const phys_addr_t pte_p = pte_offset_kernel(kvm, pmd, addr);
    const pte_t pte = s2_read_pte(kvm, pte_p, addr);
    if (pte_present(pte) && !kvm_s2pte_readonly(pte)) s2_write_pte(kvm, pte_p, kvm_set_s2pte_readonly(pte), addr);
  }
}
