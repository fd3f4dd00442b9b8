// KVM_CLEAR_DIRTY_LOG timed on the caller's clock (mmu/clear_dirty_log.h steps), as
// dirty_log_perf_test's clear_dirty_log() makes it: one call for the whole slot,
// handing back the bitmap the GET before it returned (memstress_clear_dirty_log).
//   entry     ioctl_entry once
//   CopyIn    copy_to_user_per_byte per byte of the user's bitmap (copy_from_user)
//   LockMmu   mmu_lock for write (spin_lock on a spinlock kernel); slots_lock likewise
//   Word      bitmap_word_scan, + atomic_xchg if the user's word is not zero (the
//             atomic_long_fetch_andnot), the walker's descriptor accesses at the
//             core's cache latencies, and the TLBIs of any eager split (tlb_shootdown.h)
//   Flush     kvm_flush_remote_tlbs_memslot if anything was protected
#pragma once

#include <cstdint>
#include <vector>

#include "mmu/clear_dirty_log.h"
#include "mmu/wp_walker.h"
#include "sim/engine/agent.h"
#include "sim/engine/run_context.h"

namespace s2sim::sim {

class TimedClearDirtyLog {
 public:
  // Starts the call at a's clock. `user_bitmap` is what GET copied out, in words of
  // `bits_per_long` bits; it is handed back whole (first_page 0, every page).
  TimedClearDirtyLog(RunContext& ctx, mmu::WpWalker& walker, const std::vector<std::uint64_t>& user_bitmap,
                     unsigned bits_per_long, const Agent& a);

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

// The user's bitmap as 64-bit words (kvm_clear_dirty_log's buffer), from GET's copy
// in words of `bits_per_long` bits.
std::vector<std::uint64_t> user_words_64(const std::vector<std::uint64_t>& words, unsigned bits_per_long);

}  // namespace s2sim::sim
