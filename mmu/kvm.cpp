#include "mmu/kvm.h"

#include "mmu/granule.h"

namespace s2sim::mmu {

const char* to_string(SetPteOrder o) {
  switch (o) {
    case SetPteOrder::WriteThenFlush: return "write_then_flush";
    case SetPteOrder::BreakBeforeMake: return "break_before_make";
  }
  return "?";
}

Kvm::Kvm(const KvmOptions& opts, TlbMaintenance* tlb_maintenance)
    : options(opts),
      mem(0x80000000ull, 0x100000000ull, opts.geometry.pa_bits),
      pgtable(mem, opts.geometry, opts.vmid),
      tlb(tlb_maintenance ? tlb_maintenance : &default_tlb_) {}

phys_addr_t Kvm::gfn_to_pa(Memslot& slot, gfn_t gfn) {
  phys_addr_t& chunk = slot.chunk_pa[pmd_region(gfn) - pmd_region(slot.base_gfn)];
  if (chunk == 0) chunk = mem.alloc_guest_chunk();
  return chunk + ((gfn - pmd_base_gfn(gfn)) << PAGE_SHIFT);
}

void Kvm::mark_page_dirty(gfn_t gfn) {
  Memslot* slot = memslots.find(gfn);
  if (slot && slot->logging()) slot->dirty_bitmap->set(gfn - slot->base_gfn);
}

}  // namespace s2sim::mmu
