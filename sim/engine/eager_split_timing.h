// Eager page splitting (KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE, mmu/eager_split.h) on an
// agent's clock: kvm_mmu_split_memory_region() when logging starts (without
// INITIALLY_SET), one chunk a step under mmu_lock (write). A step charges the split's
// descriptor accesses at the core's cache latencies, its per-block TLBIs (the TLB
// shootdown) and its split-cache top-ups (split_topup_cycles). Between chunks the
// lock is dropped when another agent waits for it, as need_split_memcache_topup_or_resched()
// does on rwlock_needbreak (arch/arm64/kvm/mmu.c, 6.5). In CLEAR the split runs inside
// the CLEAR's word steps instead (clear_dirty_log_timing.h).
#pragma once

#include <cstdint>

#include "mmu/eager_split.h"
#include "sim/engine/agent.h"
#include "sim/engine/run_context.h"
#include "sim/engine/run_result.h"
#include "sim/timing/machine.h"

namespace s2sim::sim {

// The split cache's top-ups: each page is a zeroed page from the page allocator
// (__get_free_page with __GFP_ZERO in kvm_mmu_topup_memory_cache). Assumption: zeroing
// 4 KiB costs about what copying a page does (the machine's page_copy).
std::uint64_t split_topup_cycles(const MachineConfig& m, const mmu::SplitStats& st);

// Adds what a split did to the run's counts.
void add_split_stats(DirtyApiStats& out, const mmu::SplitStats& st);

class TimedEagerSplit {
 public:
  // The whole migrated memslot, from a's clock.
  TimedEagerSplit(RunContext& ctx, const Agent& a);

  // Splits the next chunk, charging `a`; true when the slot is done. A step that must
  // wait for mmu_lock does nothing and is retried.
  bool step(Agent& a);

 private:
  RunContext& ctx_;
  mmu::EagerSplit split_;
  std::uint64_t start_;
  bool locked_ = false;
};

}  // namespace s2sim::sim
