// Lock arbitration between agents: who owns kvm->mmu_lock and kvm->slots_lock, when a
// waiter gets a lock, and what waiting costs.
//
// An agent that finds a lock held waits for it in simulated time. Whether the holder
// keeps it across several steps (the agent queues and is handed the lock at the
// release) or took and released it inside one step that the waiter's clock has not
// reached yet (the waiter finds it free but released after its own time), the waiter
// owns it lock_handover cycles after the release, and its step runs only then, so
// that what it does under the lock is never seen by agents whose clocks are still
// before that. An uncontended acquire costs spin_lock. Both kinds of wait count as
// lock wait (per agent, and for mmu_lock in mmu_lock_wait()), never as busy time.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/agent.h"
#include "sim/engine/sim_lock.h"
#include "sim/engine/timeline.h"
#include "sim/timing/machine.h"

namespace s2sim::sim {

class LockArbiter {
 public:
  // `agents` is the engine's agent list, indexed by Agent::id (a waiter is found by
  // its id at the hand-over); `trace` (optional) receives the waits.
  LockArbiter(std::vector<Agent>& agents, const Costs& costs, Timeline* trace)
      : agents_(agents), costs_(costs), trace_(trace) {}

  // True: `a` owns the lock, now. False: not yet — the agent is queued (blocked until
  // the hand-over) or, the lock having been released after its clock, its clock was
  // moved to the hand-over; either way the step must be retried (nothing done yet).
  bool take(SimLock& lock, Agent& a);
  // Releases at a's clock and hands the lock to the first waiter, if any.
  void release(SimLock& lock, Agent& a);

  // Cycles agents spent waiting for mmu_lock, summed over the run.
  std::uint64_t mmu_lock_wait() const { return mmu_lock_wait_; }

  SimLock mmu_lock;    // kvm->mmu_lock (a spinlock)
  SimLock slots_lock;  // kvm->slots_lock (a mutex)

 private:
  void note_wait(const SimLock& lock, Agent& a, std::uint64_t from, std::uint64_t to);

  std::vector<Agent>& agents_;
  const Costs& costs_;
  Timeline* trace_;
  std::uint64_t mmu_lock_wait_ = 0;
};

}  // namespace s2sim::sim
