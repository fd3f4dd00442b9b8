// Enabling dirty logging on a memslot as a timed sequence of steps, for every agent
// that does it (the migration thread, the perf-test driver):
//   the ioctl entry and KVM_SET_USER_MEMORY_REGION with KVM_MEM_LOG_DIRTY_PAGES
//   (kvm_start_dirty_logging: the flag and the bitmap; the memslot update itself,
//   its SRCU synchronization included, is not charged);
//   kvm_mmu_wp_memory_region(): stage2_wp_range() under mmu_lock, one 2 MiB chunk a
//   step (cond_resched_lock at pgd entry boundaries when dirty_log.resched_lock is on);
//   its kvm_flush_remote_tlbs(), charged to the agent by the TLB shootdown;
//   with an eager-split chunk size, kvm_mmu_split_memory_region() after it
//   (eager_split_timing.h; arm64 kvm_arch_commit_memory_region, 6.5).
// With MANUAL_PROTECT2 + INITIALLY_SET only the flag and the all-ones bitmap are set:
// protection (and splitting) waits for each range's first KVM_CLEAR_DIRTY_LOG.
#pragma once

#include <cstdint>
#include <optional>

#include "mmu/types.h"
#include "sim/engine/agent.h"
#include "sim/engine/eager_split_timing.h"
#include "sim/engine/run_context.h"

namespace s2sim::sim {

class TimedEnableLogging {
 public:
  // Enters the ioctl and sets the flag at a's clock, charging `a`.
  TimedEnableLogging(RunContext& ctx, Agent& a);

  // Runs the next step (a chunk of the walk, or the flush), charging `a`; true when
  // logging is enabled. A step that must wait for mmu_lock does nothing and is retried.
  bool step(Agent& a);

  std::uint64_t start() const { return start_; }            // before the ioctl entry
  std::uint64_t walk_start() const { return walk_start_; }  // after it: the walk's first chunk

 private:
  RunContext& ctx_;
  std::uint64_t start_, walk_start_;
  mmu::gfn_t cursor_;
  bool walked_ = false;
  bool flushed_ = false;
  std::optional<TimedEagerSplit> split_;
};

}  // namespace s2sim::sim
