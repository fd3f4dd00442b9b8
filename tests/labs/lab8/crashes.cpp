// A lab 8 walker that crashes: it writes through a null pointer on its first call.
#include "s2sim_walker.h"

extern "C" void kvm_mmu_write_protect_pt_masked(struct kvm *kvm, struct kvm_memory_slot *slot, gfn_t gfn_offset,
                                                unsigned long mask) {
  (void)kvm;
  (void)slot;
  (void)gfn_offset;
  volatile unsigned long *volatile nowhere = nullptr;
  *nowhere = mask;
}
