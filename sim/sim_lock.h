// A simulated lock (kvm->mmu_lock spinlock, kvm->slots_lock mutex). An agent that
// finds it held waits in FIFO order until it is released; waiting happens in
// simulated time (the waiter's clock jumps to the hand-over), never by polling.
#pragma once

#include <cstdint>
#include <deque>

namespace s2sim::sim {

class SimLock {
 public:
  static constexpr int kNone = -1;

  // Tries to take the lock for `agent` at `now`. If it is free it is taken and the
  // time at which the holder owns it is returned (never before the last release);
  // otherwise the agent is queued and nothing is returned.
  bool try_acquire(int agent, std::uint64_t now, std::uint64_t* owned_at) {
    if (owner_ != kNone) {
      waiters_.push_back(agent);
      ++contended_;
      return false;
    }
    owner_ = agent;
    *owned_at = now > free_at_ ? now : free_at_;
    ++acquisitions_;
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
  std::uint64_t free_at() const { return free_at_; }
  std::uint64_t acquisitions() const { return acquisitions_; }
  std::uint64_t contended() const { return contended_; }

 private:
  int owner_ = kNone;
  std::uint64_t free_at_ = 0;
  std::deque<int> waiters_;
  std::uint64_t acquisitions_ = 0, contended_ = 0;
};

}  // namespace s2sim::sim
