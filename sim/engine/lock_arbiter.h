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
//
// mmu_lock is a spinlock (LockKind::Exclusive: ARMv7, arm64 before 5.18) or a queued
// rwlock (LockKind::ReadWrite: arm64 5.18+), chosen at construction. On an rwlock, a
// read acquire is one atomic on the lock word (queued_read_lock: atomic_add_return of
// _QR_BIAS), which needs the word's cache line in this core: spin_lock, plus
// lock_handover when another agent acquired it last and the line must come from that
// core. Assumption: that transfer costs what a hand-over does (both move the lock line
// between cores; the hand-over also wakes a waiter, so if anything this is high).
// Readers admitted together at a hand-over pass qrwlock's wait_lock on one after the
// other: the k-th of them owns the lock k lock_handovers after the release.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/agent.h"
#include "sim/engine/run_queue.h"
#include "sim/engine/sim_lock.h"
#include "sim/engine/timeline.h"
#include "sim/timing/machine.h"

namespace s2sim::sim {

class LockArbiter {
 public:
  // `agents` is the engine's agent list, indexed by Agent::id (a waiter is found by
  // its id at the hand-over); `trace` (optional) receives the waits; `queue`
  // (optional) is given back the waiters handed a lock; `mmu_lock_kind` is the kernel's.
  LockArbiter(std::vector<Agent>& agents, const Costs& costs, Timeline* trace, RunQueue* queue = nullptr,
              LockKind mmu_lock_kind = LockKind::Exclusive)
      : mmu_lock(mmu_lock_kind), agents_(agents), costs_(costs), trace_(trace), queue_(queue) {}

  // True: `a` holds the lock in `mode`, now. False: not yet — the agent is queued
  // (blocked until the hand-over) or, the lock having been released after its clock,
  // its clock was moved to the hand-over; either way the step must be retried
  // (nothing done yet). An exclusive lock takes every mode as Write.
  bool take(SimLock& lock, Agent& a, LockMode mode = LockMode::Write);
  // Releases a's hold (either mode) at a's clock and hands the lock to the waiters it
  // admits, if any.
  void release(SimLock& lock, Agent& a);

  // Cycles agents spent waiting for mmu_lock, summed over the run: all, and by the
  // mode they waited to take it in.
  std::uint64_t mmu_lock_wait() const { return mmu_lock_read_wait_ + mmu_lock_write_wait_; }
  std::uint64_t mmu_lock_read_wait() const { return mmu_lock_read_wait_; }
  std::uint64_t mmu_lock_write_wait() const { return mmu_lock_write_wait_; }

  SimLock mmu_lock;    // kvm->mmu_lock (a spinlock, or an rwlock on arm64 5.18+)
  SimLock slots_lock;  // kvm->slots_lock (a mutex)

 private:
  void note_wait(const SimLock& lock, Agent& a, LockMode mode, std::uint64_t from, std::uint64_t to);

  std::vector<Agent>& agents_;
  const Costs& costs_;
  Timeline* trace_;
  RunQueue* queue_;
  std::uint64_t mmu_lock_read_wait_ = 0, mmu_lock_write_wait_ = 0;
};

}  // namespace s2sim::sim
