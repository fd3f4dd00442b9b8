#include "sim/engine/sim_lock.h"

#include <stdexcept>

namespace s2sim::sim {

bool SimLock::try_acquire(int agent, std::uint64_t now, std::uint64_t* owned_at, LockMode mode) {
  if (kind_ == LockKind::Exclusive) mode = LockMode::Write;
  // A writer needs the lock free; a reader needs no writer holding it and nobody
  // queued ahead of it (qrwlock: a waiting writer holds back later readers).
  const bool must_queue =
      mode == LockMode::Write ? writer_ != kNone || readers_ != 0 : writer_ != kNone || !waiters_.empty();
  if (must_queue) {
    waiters_.push_back(Waiter{agent, mode});
    note_contended(mode);
    return false;
  }
  grant(agent, mode);
  const std::uint64_t conflict = mode == LockMode::Write ? free_at() : write_free_at_;
  if (conflict > now) {
    note_contended(mode);
    *owned_at = conflict;
  } else {
    *owned_at = now;
  }
  return true;
}

const std::vector<int>& SimLock::release(int agent, std::uint64_t now) {
  admitted_.clear();
  const Held h = mode_of(agent);
  if (h == Held::None) throw std::logic_error("SimLock: released by an agent that does not hold it");
  held_[static_cast<std::size_t>(agent)] = Held::None;
  if (h == Held::Write) {
    writer_ = kNone;
    write_free_at_ = now;
  } else {
    --readers_;
    if (now > read_free_at_) read_free_at_ = now;
    if (readers_ != 0) return admitted_;  // still read-held: nobody queued can enter
  }
  if (waiters_.empty()) return admitted_;
  const Waiter head = waiters_.front();
  waiters_.pop_front();
  grant(head.agent, head.mode);
  admitted_.push_back(head.agent);
  if (head.mode == LockMode::Read) {
    while (!waiters_.empty() && waiters_.front().mode == LockMode::Read) {
      grant(waiters_.front().agent, LockMode::Read);
      admitted_.push_back(waiters_.front().agent);
      waiters_.pop_front();
    }
  }
  return admitted_;
}

int SimLock::release(std::uint64_t now) {
  if (writer_ == kNone) throw std::logic_error("SimLock: release() without a write holder");
  const std::vector<int>& next = release(writer_, now);
  return next.empty() ? kNone : next.front();
}

std::vector<int> SimLock::holders() const {
  std::vector<int> out;
  for (std::size_t i = 0; i < held_.size(); ++i)
    if (held_[i] != Held::None) out.push_back(static_cast<int>(i));
  return out;
}

void SimLock::grant(int agent, LockMode mode) {
  const auto i = static_cast<std::size_t>(agent);
  if (i >= held_.size()) held_.resize(i + 1, Held::None);
  if (mode == LockMode::Write) {
    writer_ = agent;
    held_[i] = Held::Write;
    ++write_acquisitions_;
  } else {
    ++readers_;
    held_[i] = Held::Read;
    ++read_acquisitions_;
  }
  last_acquirer_ = agent;
}

}  // namespace s2sim::sim
