// A simulated lock (kvm->mmu_lock, kvm->slots_lock). An agent that finds it held
// waits in FIFO order until it is handed the lock; waiting happens in simulated time
// (the waiter's clock jumps to the hand-over), never by polling.
//
// Two kinds:
//   - Exclusive: a spinlock or mutex (mmu_lock on ARMv7 and on arm64 before 5.18,
//     slots_lock). Every acquisition is a write acquisition.
//   - ReadWrite: the queued rwlock arm64 KVM's mmu_lock became in 5.18 (fcc5bf89635a,
//     kernel/locking/qrwlock.c). Readers share it, a writer excludes everyone. It is
//     fair the way qrwlock is: a reader that finds a writer holding it, or anyone
//     already waiting, queues (queued_read_lock_slowpath: the wait_lock is FIFO), so
//     a stream of readers cannot starve a queued writer; when the lock frees, the
//     head of the queue is admitted and, if it is a reader, every consecutive reader
//     behind it too (each takes the wait_lock in turn, sees the writer gone, and
//     passes the wait_lock on).
//
// Two ways to wait, because an agent's step is atomic in the engine:
//   - the holder keeps the lock across steps: the caller is queued, and the release
//     that frees it hands it to the head of the queue;
//   - the holder took and released it within one step that ended after the caller's
//     clock (the release time > now): the lock is free, but the caller owns it only
//     from that release. A reader waits only for write releases, a writer for both.
// The cost of a hand-over and of an uncontended acquire is the lock arbiter's business.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

namespace s2sim::sim {

enum class LockKind : std::uint8_t { Exclusive, ReadWrite };
enum class LockMode : std::uint8_t { Read, Write };

class SimLock {
 public:
  static constexpr int kNone = -1;

  explicit SimLock(LockKind kind = LockKind::Exclusive) : kind_(kind) {}
  LockKind kind() const { return kind_; }

  // Tries to take the lock for `agent` at `now` in `mode` (always Write on an
  // exclusive lock). If it can be had, it is taken and the time from which the agent
  // holds it is returned in *owned_at (`now`, or the last conflicting release if that
  // is later); otherwise the agent is queued and false is returned.
  bool try_acquire(int agent, std::uint64_t now, std::uint64_t* owned_at, LockMode mode = LockMode::Write);
  // Releases `agent`'s hold at `now`. If that frees the lock, the head of the queue
  // is admitted (with the readers right behind it, if it reads); returns those
  // admitted, in queue order (empty if none). The reference is valid until the next
  // call.
  const std::vector<int>& release(int agent, std::uint64_t now);
  // Releases the write holder's hold: the exclusive lock's single holder. Returns
  // the next holder, or kNone.
  int release(std::uint64_t now);

  // The write holder (the exclusive lock's holder), or kNone (free or read-held).
  int owner() const { return writer_; }
  // Whether `agent` holds the lock, in either mode.
  bool holds(int agent) const { return mode_of(agent) != Held::None; }
  // The mode `agent` holds it in; only meaningful if holds(agent).
  LockMode held_mode(int agent) const { return mode_of(agent) == Held::Read ? LockMode::Read : LockMode::Write; }
  // Agents holding it for read.
  unsigned readers() const { return readers_; }
  // Every agent holding it, in id order.
  std::vector<int> holders() const;
  bool has_waiters() const { return !waiters_.empty(); }
  std::size_t waiters() const { return waiters_.size(); }
  // The time of the last release that a writer must wait for (0 before the first).
  std::uint64_t free_at() const { return write_free_at_ > read_free_at_ ? write_free_at_ : read_free_at_; }
  // The last agent that acquired it, in either mode (kNone before the first): where
  // the lock word's cache line was last written.
  int last_acquirer() const { return last_acquirer_; }

  // Every time the lock changed hands to an agent: free acquires and hand-overs.
  std::uint64_t acquisitions() const { return read_acquisitions_ + write_acquisitions_; }
  std::uint64_t read_acquisitions() const { return read_acquisitions_; }
  std::uint64_t write_acquisitions() const { return write_acquisitions_; }
  // Acquire attempts that had to wait: queued behind a holder, or finding the lock
  // released later than `now`. By mode: read waits and write waits.
  std::uint64_t contended() const { return read_contended_ + write_contended_; }
  std::uint64_t read_contended() const { return read_contended_; }
  std::uint64_t write_contended() const { return write_contended_; }

 private:
  enum class Held : std::uint8_t { None, Read, Write };
  struct Waiter {
    int agent;
    LockMode mode;
  };
  Held mode_of(int agent) const {
    const auto i = static_cast<std::size_t>(agent);
    return agent >= 0 && i < held_.size() ? held_[i] : Held::None;
  }
  void grant(int agent, LockMode mode);
  void note_contended(LockMode mode) { ++(mode == LockMode::Read ? read_contended_ : write_contended_); }

  LockKind kind_;
  int writer_ = kNone;
  unsigned readers_ = 0;
  std::vector<Held> held_;  // by agent id
  std::deque<Waiter> waiters_;
  std::vector<int> admitted_;
  std::uint64_t write_free_at_ = 0, read_free_at_ = 0;
  int last_acquirer_ = kNone;
  std::uint64_t read_acquisitions_ = 0, write_acquisitions_ = 0;
  std::uint64_t read_contended_ = 0, write_contended_ = 0;
};

}  // namespace s2sim::sim
