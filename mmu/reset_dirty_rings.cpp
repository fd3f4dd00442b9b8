#include "mmu/reset_dirty_rings.h"

#include <bit>

#include "mmu/clear_dirty_log.h"
#include "mmu/kvm_errno.h"

namespace s2sim::mmu {

void kvm_reset_dirty_gfn(Kvm& kvm, const DirtyGfnRun& run, WpWalker& walker, ResetStats& stats, AccessSink* sink) {
  const unsigned as_id = run.slot >> 16, id = run.slot & 0xFFFF;
  Memslot* slot = as_id == 0 && id < KVM_USER_MEM_SLOTS ? kvm.memslots.by_id(id) : nullptr;
  if (!slot || run.mask == 0) return;
  const auto fls = static_cast<unsigned>(63 - std::countl_zero(run.mask));
  if (run.offset + fls >= slot->npages) return;
  ++stats.runs;
  stats.pages_protected += static_cast<std::uint64_t>(std::popcount(run.mask));
  // KVM_MMU_LOCK; kvm_arch_mmu_enable_log_dirty_pt_masked; KVM_MMU_UNLOCK. The mask is
  // at most BITS_PER_LONG bits from `offset`, which need not be word aligned.
  kvm_arch_mmu_enable_log_dirty_pt_masked(kvm, *slot, run.offset, run.mask, 64, walker, stats.wp, &stats.split,
                                          sink);
}

std::optional<DirtyGfnRun> DirtyRingResetWalk::next_run() {
  while (!finished_) {
    const std::optional<DirtyGfn> e = ring_.take_collected();
    if (!e) {
      finished_ = true;
      return runs_.finish();
    }
    ++entries_;
    if (std::optional<DirtyGfnRun> r = runs_.add(e->slot, e->offset)) return r;
  }
  return std::nullopt;
}

std::uint64_t kvm_dirty_ring_reset(Kvm& kvm, DirtyRing& ring, WpWalker& walker, ResetStats& stats,
                                   std::vector<DirtyGfnRun>* runs_out, AccessSink* sink) {
  DirtyRingResetWalk walk(ring);
  while (const std::optional<DirtyGfnRun> r = walk.next_run()) {
    if (runs_out) runs_out->push_back(*r);
    kvm_reset_dirty_gfn(kvm, *r, walker, stats, sink);
  }
  stats.entries_reset += walk.entries();
  return walk.entries();
}

std::int64_t kvm_vm_ioctl_reset_dirty_pages(Kvm& kvm, WpWalker& walker, ResetStats* stats, AccessSink* sink) {
  if (kvm.caps.dirty_ring_entries == 0) return -kEINVAL;  // !kvm->dirty_ring_size
  ResetStats local;
  ResetStats& st = stats ? *stats : local;
  std::uint64_t cleared = 0;
  for (DirtyRing& ring : kvm.dirty_rings) cleared += kvm_dirty_ring_reset(kvm, ring, walker, st, nullptr, sink);
  if (cleared) {
    kvm.tlb->flush_remote_tlbs();
    st.flushed = true;
  }
  return static_cast<std::int64_t>(cleared);
}

}  // namespace s2sim::mmu
