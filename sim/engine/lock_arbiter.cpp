#include "sim/engine/lock_arbiter.h"

#include <algorithm>

namespace s2sim::sim {

bool LockArbiter::take(SimLock& lock, Agent& a, LockMode mode) {
  if (lock.holds(a.id)) return true;  // handed over while the agent waited (charged then)
  if (lock.kind() == LockKind::Exclusive) mode = LockMode::Write;
  const int last = lock.last_acquirer();
  std::uint64_t owned_at = 0;
  if (!lock.try_acquire(a.id, a.time, &owned_at, mode)) {
    a.blocked = true;
    a.block_start = a.time;
    return false;
  }
  if (owned_at > a.time) {
    // Another agent held it until owned_at inside one of its own steps: this core
    // spun meanwhile and gets the lock the way a queued waiter does, lock_handover
    // after the release (see release()). It holds the lock from now on (later
    // arrivals queue behind it or, readers, share it), but its step resumes only at
    // that time: run now, the critical section would become visible to agents whose
    // clocks are still before the acquisition.
    const std::uint64_t resume = owned_at + costs_.lock_handover;
    note_wait(lock, a, mode, a.time, resume);
    a.time = resume;
    return false;
  }
  a.time += costs_.spin_lock;  // uncontended: the acquire (and the later release)
  // A read acquire on a lock word last written by another core fetches the line.
  if (mode == LockMode::Read && last != SimLock::kNone && last != a.id) a.time += costs_.lock_handover;
  return true;
}

void LockArbiter::release(SimLock& lock, Agent& a) {
  const std::vector<int>& admitted = lock.release(a.id, a.time);
  // Hand-over: the lock line moves to each admitted waiter's core in turn and the
  // waiter wakes up (one waiter on an exclusive lock).
  std::uint64_t k = 0;
  for (const int next : admitted) {
    Agent& w = agents_[static_cast<std::size_t>(next)];
    const std::uint64_t resume = std::max(w.time, a.time + ++k * costs_.lock_handover);
    note_wait(lock, w, lock.held_mode(next), w.block_start, resume);
    w.time = resume;
    w.blocked = false;
    if (queue_) queue_->push(w);
  }
}

void LockArbiter::note_wait(const SimLock& lock, Agent& a, LockMode mode, std::uint64_t from, std::uint64_t to) {
  a.lock_wait += to - from;
  if (&lock == &mmu_lock) (mode == LockMode::Read ? mmu_lock_read_wait_ : mmu_lock_write_wait_) += to - from;
  if (trace_ && to > from) trace_->complete(a.id, &lock == &mmu_lock ? "mmu_lock wait" : "slots_lock wait", from, to);
}

}  // namespace s2sim::sim
