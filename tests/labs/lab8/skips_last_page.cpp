// A broken lab 8 walker: a full walk per page, but the loop stops before __fls(mask),
// so the last set bit of every word is never protected.
#include "s2sim_walker.h"

extern "C" void kvm_mmu_write_protect_pt_masked(struct kvm *kvm, struct kvm_memory_slot *slot, gfn_t gfn_offset,
                                                unsigned long mask) {
  if (!mask) return;
  const gfn_t base = slot->base_gfn + gfn_offset;
  for (unsigned long i = __ffs(mask); i < __fls(mask); ++i) {
    if (!((mask >> i) & 1)) continue;
    const phys_addr_t addr = (base + i) << PAGE_SHIFT;
    const pud_t pud = s2_read_pud(kvm, pud_offset(pgd_offset(kvm, addr), addr), addr);
    if (!pud_present(pud) || pud_huge(pud)) continue;
    const pmd_t pmd = s2_read_pmd(kvm, pmd_offset(kvm, pud, addr), addr);
    if (!pmd_present(pmd) || pmd_huge(pmd)) continue;
    const phys_addr_t pte_p = pte_offset_kernel(kvm, pmd, addr);
    const pte_t pte = s2_read_pte(kvm, pte_p, addr);
    if (pte_present(pte) && !kvm_s2pte_readonly(pte)) s2_write_pte(kvm, pte_p, kvm_set_s2pte_readonly(pte), addr);
  }
}
