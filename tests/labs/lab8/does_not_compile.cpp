// A lab 8 walker that does not compile: a misspelt accessor.
#include "s2sim_walker.h"

extern "C" void kvm_mmu_write_protect_pt_masked(struct kvm *kvm, struct kvm_memory_slot *slot, gfn_t gfn_offset,
                                                unsigned long mask) {
  s2_read_ptd(kvm, slot->base_gfn + gfn_offset, mask);
}
