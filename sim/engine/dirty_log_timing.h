// get_dirty_log timing: what each step of KVM_GET_DIRTY_LOG costs the core that runs
// it, and which phase of the call (GetDirtyLogPhases) the time goes to.
//
// DirtyLogCostModel is the one costing of the ioctl's steps; the engine's migration
// thread (TimedGetDirtyLog below) and the get_dirty_log benchmark
// (bench/bench_dirty_log.cpp) both charge what it says:
//   entry       ioctl_entry once per call
//   LockSlots   slots_lock, LockMmu mmu_lock: spin_lock or the wait (lock arbitration)
//   Validate    free
//   ZeroBuffer  bitmap_word_scan per word of the buffer (entry)
//   Word        bitmap_word_scan, + atomic_xchg if the word is not zero (words); the
//               walker's descriptor accesses at the core's cache latencies (write_protect)
//   (sync)      with hardware dirty state, after Validate: kvm_arch_sync_dirty_log's
//               scan or drain (hw_sync; hw_dirty.h)
//   Flush       kvm_flush_remote_tlbs if anything was dirty (flush; tlb_shootdown.h)
//   Unlock*     free (the release is in spin_lock)
//   Snapshot    bitmap_word_scan + atomic_xchg (snapshot; after_wp order only)
//   CopyOut     copy_to_user_per_byte per byte of the bitmap (copy_out)
#pragma once

#include <cstdint>
#include <optional>

#include "mmu/dirty_log.h"
#include "mmu/wp_walker.h"
#include "sim/engine/agent.h"
#include "sim/engine/hw_dirty.h"
#include "sim/engine/run_context.h"
#include "sim/engine/run_result.h"
#include "sim/timing/machine.h"

namespace s2sim::sim {

// Cycles, and the phase of GetDirtyLogPhases they belong to.
struct DirtyLogCharge {
  std::uint64_t GetDirtyLogPhases::*phase = nullptr;
  std::uint64_t cycles = 0;
};

class DirtyLogCostModel {
 public:
  explicit DirtyLogCostModel(const MachineConfig& machine) : m_(machine) {}

  // The system call and the ioctl dispatch into KVM, once per call.
  DirtyLogCharge entry() const { return {&GetDirtyLogPhases::entry, m_.costs.ioctl_entry}; }
  // The step `info` reports, on a slot whose dirty bitmap is `bitmap`: its own work,
  // without its descriptor accesses (the caller's access sink prices those) and lock
  // acquisitions (charged by lock arbitration, to GetDirtyLogPhases::lock).
  DirtyLogCharge step(const mmu::GetDirtyLog::StepInfo& info, const mmu::DirtyBitmap& bitmap) const;

 private:
  const MachineConfig& m_;
};

// One KVM_GET_DIRTY_LOG as the migration thread runs it, a step at a time on its
// clock. Every cycle a step charges goes to one phase of res.dl_phases, so that the
// phases add up to the call's span; the walker's descriptor accesses also go to
// res.dl_loads / dl_stores (per level) and dl_loads_where / dl_stores_where (per
// cache level). With a timeline, consecutive steps of one phase make one event.
class TimedGetDirtyLog {
 public:
  // Starts the call at a's clock.
  TimedGetDirtyLog(RunContext& ctx, mmu::WpWalker& walker, const Agent& a);

  // Runs the next step, charging `a`; true when the ioctl has returned. A step that
  // must wait for a lock does nothing and is retried.
  bool step(Agent& a, unsigned round);

  const mmu::GetDirtyLog& call() const { return call_; }
  std::uint64_t start() const { return start_; }

 private:
  bool take(SimLock& lock, Agent& a);
  void close_segment(const Agent& a);  // ends the open timeline phase event

  RunContext& ctx_;
  DirtyLogCostModel model_;
  mmu::GetDirtyLog call_;
  std::uint64_t start_;
  std::optional<TimedHwDirtySync> sync_;  // kvm_arch_sync_dirty_log, with hardware dirty state
  bool entered_ = false;          // the ioctl entry has been charged
  std::uint64_t lock_wait_seen_;  // the agent's lock_wait already put in dl_phases
  // The open phase segment of the timeline.
  int seg_phase_ = -1;
  std::uint64_t seg_begin_ = 0, seg_end_ = 0, seg_steps_ = 0, seg_dirty_words_ = 0;
};

}  // namespace s2sim::sim
