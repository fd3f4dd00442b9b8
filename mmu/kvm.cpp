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
  const gfn_t slot_region0 = pmd_region(slot.base_gfn);
  phys_addr_t& chunk = slot.chunk_pa[pmd_region(gfn) - slot_region0];
  if (chunk == 0) {
    const gfn_t pud0 = pud_base_gfn(gfn);
    if (slot.hugepages && slot.huge_shift == PUD_SHIFT && slot.contains(pud0) && slot.contains(pud0 + PUD_PAGES - 1)) {
      // A 1 GiB hugetlb page: the whole GiB is one aligned, contiguous allocation.
      constexpr auto kChunks = static_cast<unsigned>(PUD_PAGES / PMD_PAGES);
      const phys_addr_t base = mem.alloc_guest_chunks(kChunks);
      for (unsigned i = 0; i < kChunks; ++i)
        slot.chunk_pa[pmd_region(pud0) - slot_region0 + i] = base + i * PMD_SIZE;
    } else {
      chunk = mem.alloc_guest_chunk();
    }
  }
  return chunk + ((gfn - pmd_base_gfn(gfn)) << PAGE_SHIFT);
}

void Kvm::mark_page_dirty(gfn_t gfn) {
  if (Memslot* slot = memslots.find(gfn)) mark_page_dirty_in_slot(*slot, gfn, -1);
}

DirtyMark Kvm::mark_page_dirty_in_slot(Memslot& slot, gfn_t gfn, int vcpu, bool* soft_full) {
  if (!slot.logging()) return DirtyMark::None;
  const std::uint64_t rel = gfn - slot.base_gfn;
  if (caps.dirty_ring_entries != 0 && vcpu >= 0 && static_cast<std::size_t>(vcpu) < dirty_rings.size()) {
    // The slot field is (as_id << 16) | id; s2sim has one address space.
    const bool full = dirty_rings[static_cast<std::size_t>(vcpu)].push(slot.id, rel);
    if (soft_full) *soft_full = full;
    return DirtyMark::Ring;
  }
  if (!slot.dirty_bitmap) return DirtyMark::None;  // a ring-only VM writing outside a vCPU
  slot.dirty_bitmap->set(rel);
  return DirtyMark::Bitmap;
}

int kvm_create_vcpu(Kvm& kvm) {
  if (kvm.caps.dirty_ring_entries != 0) kvm.dirty_rings.emplace_back(kvm.caps.dirty_ring_entries);
  return static_cast<int>(kvm.created_vcpus++);
}

}  // namespace s2sim::mmu
