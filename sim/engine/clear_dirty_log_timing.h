// KVM_CLEAR_DIRTY_LOG a step at a time on the caller's clock, as the migration thread
// runs it (dirty_log.api "clear", a chunk before sending it) and as perf-test runs it
// (dirty_log_perf_test's memstress_clear_dirty_log: the whole slot at once), each step
// charged from the machine's costs:
//   entry      ioctl_entry once per call
//   LockSlots  slots_lock, LockMmu mmu_lock (write on arm64): lock arbitration
//   CopyIn     copy_to_user_per_byte per byte of the user's bitmap (copy_from_user
//              moves the same bytes the other way: assumption, same cost)
//   Word       bitmap_word_scan, + atomic_xchg if the user's word is not zero (the
//              atomic_long_fetch_andnot); the write-protect walk's descriptor accesses
//              at the core's cache latencies; with eager splitting in CLEAR, the
//              split's accesses, its per-block TLBIs (TLB shootdown) and its
//              split-cache top-ups (split_topup_cycles, eager_split_timing.h)
//   Flush      kvm_flush_remote_tlbs_memslot if anything was protected (TLB shootdown)
// The call's counts go to res.api when it returns.
#pragma once

#include <cstdint>
#include <vector>

#include "mmu/clear_dirty_log.h"
#include "mmu/wp_walker.h"
#include "sim/engine/agent.h"
#include "sim/engine/run_context.h"
#include "sim/timing/machine.h"

namespace s2sim::sim {

// The cycles of one CLEAR step's own work on `m` (CopyIn, Word; the others are lock
// arbitration, the TLB shootdown or free), without the descriptor accesses (the
// caller's access sink prices those). `user_bytes`: the user's bitmap. The engine and
// the CLEAR benchmark (bench/bench_dirty_api.cpp) both charge what it says.
std::uint64_t clear_step_cycles(const MachineConfig& m, const mmu::ClearDirtyLog::StepInfo& info,
                                std::uint64_t user_bytes);

class TimedClearDirtyLog {
 public:
  // Starts the call at a's clock.
  TimedClearDirtyLog(RunContext& ctx, mmu::WpWalker& walker, mmu::ClearDirtyLogArgs args, const Agent& a);

  // Runs the next step, charging `a`; true when the ioctl has returned. A step that
  // must wait for a lock does nothing and is retried.
  bool step(Agent& a);

  const mmu::ClearDirtyLog& call() const { return call_; }
  std::uint64_t start() const { return start_; }

 private:
  RunContext& ctx_;
  mmu::ClearDirtyLog call_;
  std::uint64_t start_;
  std::uint64_t user_bytes_;
  bool entered_ = false;
};

// The arguments that hand GET's copy of the whole slot back (first_page 0, every
// page), as dirty_log_perf_test does; `user_bitmap` is in words of `bits_per_long` bits.
mmu::ClearDirtyLogArgs whole_slot_clear_args(const mmu::Memslot& slot, const std::vector<std::uint64_t>& user_bitmap,
                                             unsigned bits_per_long);

}  // namespace s2sim::sim
