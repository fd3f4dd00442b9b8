#include "mmu/reset_dirty_rings.h"

#include <bit>

#include "mmu/clear_dirty_log.h"
#include "mmu/kvm_errno.h"

namespace s2sim::mmu {

namespace {

// kvm_reset_dirty_gfn(kvm, slot, offset, mask): a run outside its memslot (deleted
// or shrunk since the push) is dropped.
void reset_dirty_gfn(Kvm& kvm, const DirtyGfnRun& run, WpWalker& walker, ResetStats& stats, AccessSink* sink) {
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

}  // namespace

std::uint64_t kvm_dirty_ring_reset(Kvm& kvm, DirtyRing& ring, WpWalker& walker, ResetStats& stats,
                                   std::vector<DirtyGfnRun>* runs_out, AccessSink* sink) {
  DirtyGfnCoalescer runs(64);  // BITS_PER_LONG: rings exist on 64-bit kernels only
  std::uint64_t count = 0;
  auto flush_run = [&](const DirtyGfnRun& r) {
    if (runs_out) runs_out->push_back(r);
    reset_dirty_gfn(kvm, r, walker, stats, sink);
  };
  while (const std::optional<DirtyGfn> e = ring.take_collected()) {
    ++count;
    if (const std::optional<DirtyGfnRun> r = runs.add(e->slot, e->offset)) flush_run(*r);
  }
  if (const std::optional<DirtyGfnRun> r = runs.finish()) flush_run(*r);
  stats.entries_reset += count;
  return count;
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
