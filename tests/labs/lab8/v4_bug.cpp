// A broken lab 8 walker with the 2014 seed's (v4) bug: when the word stays inside one
// 2 MiB region it reads the pmd once and follows it as a pte table without asking
// whether it is present or a block.
#include "s2sim_walker.h"

static void protect_page(struct kvm *kvm, pmd_t pmd, phys_addr_t addr) {
  const phys_addr_t pte_p = pte_offset_kernel(kvm, pmd, addr);
  const pte_t pte = s2_read_pte(kvm, pte_p, addr);
  if (pte_present(pte) && !kvm_s2pte_readonly(pte)) s2_write_pte(kvm, pte_p, kvm_set_s2pte_readonly(pte), addr);
}

extern "C" void kvm_mmu_write_protect_pt_masked(struct kvm *kvm, struct kvm_memory_slot *slot, gfn_t gfn_offset,
                                                unsigned long mask) {
  const gfn_t base = slot->base_gfn + gfn_offset;
  const phys_addr_t first = (base + __ffs(mask)) << PAGE_SHIFT, last = (base + __fls(mask)) << PAGE_SHIFT;
  const bool crosses_pmd = (first & PMD_MASK) != (last & PMD_MASK);
  pmd_t pmd = 0;
  if (!crosses_pmd) {
    const pud_t pud = s2_read_pud(kvm, pud_offset(pgd_offset(kvm, first), first), first);
    pmd = s2_read_pmd(kvm, pmd_offset(kvm, pud, first), first);
  }
  for (; mask; mask &= mask - 1) {
    const phys_addr_t addr = (base + __ffs(mask)) << PAGE_SHIFT;
    if (crosses_pmd) {
      const pud_t pud = s2_read_pud(kvm, pud_offset(pgd_offset(kvm, addr), addr), addr);
      if (!pud_present(pud)) continue;
      pmd = s2_read_pmd(kvm, pmd_offset(kvm, pud, addr), addr);
      if (!pmd_present(pmd)) continue;
    }
    protect_page(kvm, pmd, addr);
  }
}
