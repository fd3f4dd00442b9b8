// SimLock on its own: the simulated mmu_lock / slots_lock the engine builds its lock
// waits on. Free acquires, FIFO hand-over, the free_at rule for a lock released
// "in the future" of the caller's clock, and the counters.
#include <gtest/gtest.h>

#include "sim/engine/sim_lock.h"

using s2sim::sim::SimLock;

TEST(SimLock, FreeLockIsTakenAtOnce) {
  SimLock l;
  EXPECT_EQ(l.owner(), SimLock::kNone);
  EXPECT_EQ(l.free_at(), 0u);
  std::uint64_t owned = 12345;
  ASSERT_TRUE(l.try_acquire(3, 500, &owned));
  EXPECT_EQ(owned, 500u);  // no earlier release: owned at `now`
  EXPECT_EQ(l.owner(), 3);
  EXPECT_FALSE(l.has_waiters());
  EXPECT_EQ(l.acquisitions(), 1u);
  EXPECT_EQ(l.contended(), 0u);
  EXPECT_EQ(l.release(900), SimLock::kNone);
  EXPECT_EQ(l.owner(), SimLock::kNone);
  EXPECT_EQ(l.free_at(), 900u);
}

TEST(SimLock, WaitersAreHandedTheLockInFifoOrder) {
  SimLock l;
  std::uint64_t owned = 0;
  ASSERT_TRUE(l.try_acquire(2, 100, &owned));
  // Queued in the order they asked, whatever their ids or clocks.
  EXPECT_FALSE(l.try_acquire(5, 150, &owned));
  EXPECT_FALSE(l.try_acquire(0, 120, &owned));
  EXPECT_FALSE(l.try_acquire(7, 110, &owned));
  EXPECT_TRUE(l.has_waiters());
  EXPECT_EQ(l.waiters(), 3u);
  EXPECT_EQ(l.owner(), 2);  // queuing does not disturb the holder

  EXPECT_EQ(l.release(1000), 5);
  EXPECT_EQ(l.owner(), 5);  // handed over: owned by the waiter without a new try_acquire
  EXPECT_EQ(l.free_at(), 1000u);
  EXPECT_EQ(l.release(1100), 0);
  EXPECT_EQ(l.owner(), 0);
  EXPECT_EQ(l.release(1200), 7);
  EXPECT_EQ(l.owner(), 7);
  EXPECT_FALSE(l.has_waiters());
  EXPECT_EQ(l.release(1300), SimLock::kNone);
  EXPECT_EQ(l.owner(), SimLock::kNone);
  EXPECT_EQ(l.free_at(), 1300u);

  // 1 free acquire + 3 hand-overs; each queued waiter was contention.
  EXPECT_EQ(l.acquisitions(), 4u);
  EXPECT_EQ(l.contended(), 3u);
}

TEST(SimLock, ReleasedAfterTheCallersClockIsOwnedFromTheRelease) {
  // The holder's critical section ran as one step ending at 2000; an agent whose clock
  // says 1500 finds the lock free but can only own it from 2000.
  SimLock l;
  std::uint64_t owned = 0;
  ASSERT_TRUE(l.try_acquire(1, 1000, &owned));
  EXPECT_EQ(l.release(2000), SimLock::kNone);

  ASSERT_TRUE(l.try_acquire(0, 1500, &owned));
  EXPECT_EQ(owned, 2000u);
  EXPECT_EQ(l.contended(), 1u);
  EXPECT_EQ(l.release(2300), SimLock::kNone);

  // Exactly at the release: no wait, no contention.
  ASSERT_TRUE(l.try_acquire(1, 2300, &owned));
  EXPECT_EQ(owned, 2300u);
  EXPECT_EQ(l.contended(), 1u);
  EXPECT_EQ(l.release(2400), SimLock::kNone);

  // After it: owned at `now`.
  ASSERT_TRUE(l.try_acquire(0, 9000, &owned));
  EXPECT_EQ(owned, 9000u);
  EXPECT_EQ(l.contended(), 1u);
  EXPECT_EQ(l.acquisitions(), 4u);
}

TEST(SimLock, ReleaseTimeDoesNotReorderWaiters) {
  // A hand-over goes to the head of the queue even if a later waiter's clock is
  // earlier: the engine, not the lock, decides when each waiter resumes.
  SimLock l;
  std::uint64_t owned = 0;
  ASSERT_TRUE(l.try_acquire(0, 10, &owned));
  EXPECT_FALSE(l.try_acquire(1, 900, &owned));
  EXPECT_FALSE(l.try_acquire(2, 20, &owned));
  EXPECT_EQ(l.release(50), 1);
  EXPECT_EQ(l.release(60), 2);
  EXPECT_EQ(l.contended(), 2u);
}

TEST(SimLock, QueuedAgainAfterAHandOver) {
  SimLock l;
  std::uint64_t owned = 0;
  ASSERT_TRUE(l.try_acquire(0, 0, &owned));
  EXPECT_FALSE(l.try_acquire(1, 5, &owned));
  EXPECT_EQ(l.release(10), 1);
  // The old holder asks again while 1 holds it: queued behind nobody, served next.
  EXPECT_FALSE(l.try_acquire(0, 11, &owned));
  EXPECT_EQ(l.release(20), 0);
  EXPECT_EQ(l.release(30), SimLock::kNone);
  EXPECT_EQ(l.acquisitions(), 3u);
  EXPECT_EQ(l.contended(), 2u);
}
