// A lab 8 walker that never returns: it reads the same level-1 entry over and over.
#include "s2sim_walker.h"

extern "C" void kvm_mmu_write_protect_pt_masked(struct kvm *kvm, struct kvm_memory_slot *slot, gfn_t gfn_offset,
                                                unsigned long mask) {
  (void)mask;
  const phys_addr_t addr = (slot->base_gfn + gfn_offset) << PAGE_SHIFT;
  volatile pud_t sink = 0;
  for (;;) sink = s2_read_pud(kvm, pgd_offset(kvm, addr), addr);
}
