// SimLock as arm64's queued rwlock (LockKind::ReadWrite), and the exclusive lock's
// treatment of read requests. Hand-worked schedules: readers overlap; a writer
// waits for every reader; a reader behind a queued writer waits (qrwlock fairness);
// the queue is FIFO and a release admits its head plus the consecutive readers behind
// it; the free_at rule per mode; read and write contention counted apart.
#include <gtest/gtest.h>

#include <vector>

#include "sim/engine/sim_lock.h"

namespace s2sim::sim {
namespace {

using Ids = std::vector<int>;

TEST(SimRwLock, ReadersOverlap) {
  SimLock l(LockKind::ReadWrite);
  std::uint64_t owned = 0;
  ASSERT_TRUE(l.try_acquire(0, 100, &owned, LockMode::Read));
  ASSERT_TRUE(l.try_acquire(1, 110, &owned, LockMode::Read));
  EXPECT_EQ(owned, 110u);
  ASSERT_TRUE(l.try_acquire(2, 120, &owned, LockMode::Read));
  EXPECT_EQ(l.readers(), 3u);
  EXPECT_EQ(l.owner(), SimLock::kNone);  // no writer
  EXPECT_TRUE(l.holds(1));
  EXPECT_EQ(l.held_mode(1), LockMode::Read);
  EXPECT_EQ(l.holders(), (Ids{0, 1, 2}));
  EXPECT_EQ(l.read_contended(), 0u);
  EXPECT_TRUE(l.release(1, 200).empty());
  EXPECT_FALSE(l.holds(1));
  EXPECT_EQ(l.readers(), 2u);
  EXPECT_EQ(l.read_acquisitions(), 3u);
}

TEST(SimRwLock, AWriterWaitsForEveryReader) {
  SimLock l(LockKind::ReadWrite);
  std::uint64_t owned = 0;
  ASSERT_TRUE(l.try_acquire(0, 100, &owned, LockMode::Read));
  ASSERT_TRUE(l.try_acquire(1, 105, &owned, LockMode::Read));
  EXPECT_FALSE(l.try_acquire(2, 110, &owned, LockMode::Write));
  EXPECT_EQ(l.write_contended(), 1u);
  EXPECT_TRUE(l.release(0, 300).empty());  // one reader left: the writer still waits
  EXPECT_EQ(l.owner(), SimLock::kNone);
  EXPECT_EQ(l.release(1, 400), (Ids{2}));  // the last reader out admits it
  EXPECT_EQ(l.owner(), 2);
  EXPECT_EQ(l.held_mode(2), LockMode::Write);
}

TEST(SimRwLock, AReaderBehindAQueuedWriterWaits) {
  SimLock l(LockKind::ReadWrite);
  std::uint64_t owned = 0;
  ASSERT_TRUE(l.try_acquire(0, 100, &owned, LockMode::Read));
  EXPECT_FALSE(l.try_acquire(1, 110, &owned, LockMode::Write));
  // Read-held, but a writer is waiting: a new reader queues behind it.
  EXPECT_FALSE(l.try_acquire(2, 120, &owned, LockMode::Read));
  EXPECT_FALSE(l.holds(2));
  EXPECT_EQ(l.read_contended(), 1u);
  EXPECT_EQ(l.release(0, 200), (Ids{1}));  // the writer first
  EXPECT_EQ(l.release(1, 300), (Ids{2}));  // then the reader
  EXPECT_EQ(l.readers(), 1u);
}

TEST(SimRwLock, ReleaseAdmitsTheHeadAndTheConsecutiveReadersInFifoOrder) {
  SimLock l(LockKind::ReadWrite);
  std::uint64_t owned = 0;
  ASSERT_TRUE(l.try_acquire(9, 100, &owned, LockMode::Write));
  // Queue: R5 R3 W7 R1 R4 W2, in arrival order whatever the ids or clocks.
  EXPECT_FALSE(l.try_acquire(5, 150, &owned, LockMode::Read));
  EXPECT_FALSE(l.try_acquire(3, 120, &owned, LockMode::Read));
  EXPECT_FALSE(l.try_acquire(7, 110, &owned, LockMode::Write));
  EXPECT_FALSE(l.try_acquire(1, 130, &owned, LockMode::Read));
  EXPECT_FALSE(l.try_acquire(4, 140, &owned, LockMode::Read));
  EXPECT_FALSE(l.try_acquire(2, 145, &owned, LockMode::Write));
  EXPECT_EQ(l.waiters(), 6u);
  EXPECT_EQ(l.release(9, 1000), (Ids{5, 3}));  // two readers, stopped by W7
  EXPECT_TRUE(l.release(3, 1100).empty());
  EXPECT_EQ(l.release(5, 1200), (Ids{7}));
  EXPECT_EQ(l.release(7, 1300), (Ids{1, 4}));
  EXPECT_TRUE(l.release(4, 1400).empty());
  EXPECT_EQ(l.release(1, 1500), (Ids{2}));
  EXPECT_TRUE(l.release(2, 1600).empty());
  EXPECT_FALSE(l.has_waiters());
  EXPECT_EQ(l.holders(), Ids{});
  EXPECT_EQ(l.read_contended(), 4u);
  EXPECT_EQ(l.write_contended(), 2u);
  EXPECT_EQ(l.acquisitions(), 7u);
}

TEST(SimRwLock, AReaderWaitsOnlyForWriteReleasesAWriterForBoth) {
  SimLock l(LockKind::ReadWrite);
  std::uint64_t owned = 0;
  // A reader held it 0..800 inside one step of its own.
  ASSERT_TRUE(l.try_acquire(0, 0, &owned, LockMode::Read));
  EXPECT_TRUE(l.release(0, 800).empty());
  ASSERT_TRUE(l.try_acquire(1, 300, &owned, LockMode::Read));
  EXPECT_EQ(owned, 300u);  // readers share: no wait
  EXPECT_TRUE(l.release(1, 350).empty());
  ASSERT_TRUE(l.try_acquire(2, 400, &owned, LockMode::Write));
  EXPECT_EQ(owned, 800u);  // a writer waits for the reader's release
  EXPECT_TRUE(l.release(2, 900).empty());
  ASSERT_TRUE(l.try_acquire(3, 850, &owned, LockMode::Read));
  EXPECT_EQ(owned, 900u);  // and a reader for the writer's
  EXPECT_EQ(l.read_contended(), 1u);
  EXPECT_EQ(l.write_contended(), 1u);
}

TEST(SimRwLock, AnExclusiveLockTakesReadsAsWrites) {
  SimLock l;  // a spinlock
  std::uint64_t owned = 0;
  ASSERT_TRUE(l.try_acquire(0, 100, &owned, LockMode::Read));
  EXPECT_EQ(l.owner(), 0);
  EXPECT_EQ(l.held_mode(0), LockMode::Write);
  EXPECT_FALSE(l.try_acquire(1, 110, &owned, LockMode::Read));  // no sharing
  EXPECT_EQ(l.release(200), 1);
  EXPECT_EQ(l.write_acquisitions(), 2u);
  EXPECT_EQ(l.read_acquisitions(), 0u);
  EXPECT_EQ(l.write_contended(), 1u);
}

}  // namespace
}  // namespace s2sim::sim
