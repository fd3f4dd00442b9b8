// KVM_RESET_DIRTY_RINGS (kvm_vm_ioctl_reset_dirty_pages, virt/kvm/kvm_main.c, and
// kvm_dirty_ring_reset, virt/kvm/dirty_ring.c, 6.x): for every vCPU's ring, walk the
// entries user space has collected (RESET flag) from reset_index on, invalidate each,
// coalesce runs of one memslot within BITS_PER_LONG pages into (slot, offset, mask)
// (DirtyGfnCoalescer), and for each run take mmu_lock (write on arm64), call
// kvm_arch_mmu_enable_log_dirty_pt_masked() -- the pages are write-protected again, so
// their next write faults and is pushed again -- and release it (kvm_reset_dirty_gfn).
// After every ring, under slots_lock, a kvm_flush_remote_tlbs() if any entry was reset.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "mmu/access_sink.h"
#include "mmu/eager_split.h"
#include "mmu/kvm.h"
#include "mmu/wp_walker.h"

namespace s2sim::mmu {

struct ResetStats {
  std::uint64_t entries_reset = 0;  // collected entries invalidated
  std::uint64_t runs = 0;           // kvm_reset_dirty_gfn calls that protected a mask (one lock round each)
  std::uint64_t pages_protected = 0;  // bits of those masks
  WpStats wp;
  SplitStats split;
  bool flushed = false;
};

// kvm_dirty_ring_reset()'s walk of one ring, a run at a time, for callers that time
// each run's lock round (the cycle engine): next_run() invalidates collected entries
// from reset_index on and returns each coalesced run, nullopt once the walk stops.
class DirtyRingResetWalk {
 public:
  explicit DirtyRingResetWalk(DirtyRing& ring) : ring_(ring), runs_(64) {}  // rings exist on 64-bit kernels only
  std::optional<DirtyGfnRun> next_run();
  std::uint64_t entries() const { return entries_; }  // entries invalidated so far

 private:
  DirtyRing& ring_;
  DirtyGfnCoalescer runs_;
  std::uint64_t entries_ = 0;
  bool finished_ = false;
};

// kvm_reset_dirty_gfn(kvm, slot, offset, mask): write-protects one run again (the
// caller holds mmu_lock for write); a run outside its memslot is dropped.
void kvm_reset_dirty_gfn(Kvm& kvm, const DirtyGfnRun& run, WpWalker& walker, ResetStats& stats,
                         AccessSink* sink = nullptr);

// kvm_dirty_ring_reset(kvm, ring): the collected entries of one ring; returns their
// count. `runs_out` (if given) receives every run handed to kvm_reset_dirty_gfn.
std::uint64_t kvm_dirty_ring_reset(Kvm& kvm, DirtyRing& ring, WpWalker& walker, ResetStats& stats,
                                   std::vector<DirtyGfnRun>* runs_out = nullptr, AccessSink* sink = nullptr);

// KVM_RESET_DIRTY_RINGS: every vCPU's ring, then the flush. Returns the entries reset,
// or -EINVAL (as a negative value) when the VM has no rings.
std::int64_t kvm_vm_ioctl_reset_dirty_pages(Kvm& kvm, WpWalker& walker, ResetStats* stats = nullptr,
                                            AccessSink* sink = nullptr);

}  // namespace s2sim::mmu
