#include "sim/engine/lock_arbiter.h"

#include <algorithm>

namespace s2sim::sim {

bool LockArbiter::take(SimLock& lock, Agent& a) {
  if (lock.owner() == a.id) return true;  // handed over while the agent waited (charged then)
  std::uint64_t owned_at = 0;
  if (!lock.try_acquire(a.id, a.time, &owned_at)) {
    a.blocked = true;
    a.block_start = a.time;
    return false;
  }
  if (owned_at > a.time) {
    // Another agent held it until owned_at inside one of its own steps: this core
    // spun meanwhile and gets the lock the way a queued waiter does, lock_handover
    // after the release (see release()). It owns the lock from now on (later
    // arrivals queue behind it), but its step resumes only at that time: run now,
    // the critical section would become visible to agents whose clocks are still
    // before the acquisition.
    const std::uint64_t resume = owned_at + costs_.lock_handover;
    note_wait(lock, a, a.time, resume);
    a.time = resume;
    return false;
  }
  a.time += costs_.spin_lock;  // uncontended: the acquire (and the later release)
  return true;
}

void LockArbiter::release(SimLock& lock, Agent& a) {
  const int next = lock.release(a.time);
  if (next == SimLock::kNone) return;
  // Hand-over: the lock line moves to the waiter's core and the waiter wakes up.
  Agent& w = agents_[static_cast<std::size_t>(next)];
  const std::uint64_t resume = std::max(w.time, a.time + costs_.lock_handover);
  note_wait(lock, w, w.block_start, resume);
  w.time = resume;
  w.blocked = false;
}

void LockArbiter::note_wait(const SimLock& lock, Agent& a, std::uint64_t from, std::uint64_t to) {
  a.lock_wait += to - from;
  if (&lock == &mmu_lock) mmu_lock_wait_ += to - from;
  if (trace_ && to > from) trace_->complete(a.id, &lock == &mmu_lock ? "mmu_lock wait" : "slots_lock wait", from, to);
}

}  // namespace s2sim::sim
