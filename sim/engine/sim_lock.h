// A simulated lock (kvm->mmu_lock spinlock, kvm->slots_lock mutex). An agent that
// finds it held waits in FIFO order until it is released; waiting happens in
// simulated time (the waiter's clock jumps to the hand-over), never by polling.
//
// Two ways to wait, because an agent's step is atomic in the engine:
//   - the holder keeps the lock across steps (owner() is someone else): the caller is
//     queued, and release() hands the lock to the first waiter in FIFO order;
//   - the holder took and released it within one step that ended after the caller's
//     clock (free_at() > now): the lock is free, but the caller owns it only from
//     free_at(), the moment of that release.
// The cost of a hand-over and of an uncontended acquire is the engine's business.
#pragma once

#include <cstdint>
#include <deque>

namespace s2sim::sim {

class SimLock {
 public:
  static constexpr int kNone = -1;

  // Tries to take the lock for `agent` at `now`. If it is free it is taken and the
  // time at which the holder owns it is returned in *owned_at (`now`, or the last
  // release if that is later); otherwise the agent is queued and false is returned.
  bool try_acquire(int agent, std::uint64_t now, std::uint64_t* owned_at) {
    if (owner_ != kNone) {
      waiters_.push_back(agent);
      ++contended_;
      return false;
    }
    owner_ = agent;
    ++acquisitions_;
    if (free_at_ > now) {
      ++contended_;
      *owned_at = free_at_;
    } else {
      *owned_at = now;
    }
    return true;
  }
  // Releases at `now`; returns the next waiter (now the owner), or kNone.
  int release(std::uint64_t now) {
    free_at_ = now;
    owner_ = kNone;
    if (waiters_.empty()) return kNone;
    owner_ = waiters_.front();
    waiters_.pop_front();
    ++acquisitions_;
    return owner_;
  }
  int owner() const { return owner_; }
  bool has_waiters() const { return !waiters_.empty(); }
  std::size_t waiters() const { return waiters_.size(); }
  // The time of the last release (0 before the first).
  std::uint64_t free_at() const { return free_at_; }
  // Every time the lock changed hands to an agent: free acquires and hand-overs.
  std::uint64_t acquisitions() const { return acquisitions_; }
  // Acquire attempts that had to wait: queued behind a holder, or finding the lock
  // released later than `now`.
  std::uint64_t contended() const { return contended_; }

 private:
  int owner_ = kNone;
  std::uint64_t free_at_ = 0;
  std::deque<int> waiters_;
  std::uint64_t acquisitions_ = 0, contended_ = 0;
};

}  // namespace s2sim::sim
