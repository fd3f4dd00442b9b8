// Lock arbitration: an uncontended acquire costs spin_lock; a waiter is handed the
// lock lock_handover after the release, and its wait is lock wait (mmu_lock's also
// summed for the run); a lock released later than the taker's clock is owned from
// the hand-over, with the step retried then. On an rwlock: a read acquire pays the
// lock line's transfer when another core acquired last, readers admitted together
// are woken one lock_handover apart, and read and write waits are summed apart.
#include <gtest/gtest.h>

#include <vector>

#include "sim/engine/lock_arbiter.h"

namespace s2sim::sim {
namespace {

struct Rig {
  explicit Rig(LockKind kind = LockKind::Exclusive) : locks(agents, costs, nullptr, nullptr, kind) {
    costs.spin_lock = 40;
    costs.lock_handover = 100;
    for (int i = 0; i < 3; ++i) agents.push_back(Agent{Agent::Kind::Vcpu, static_cast<unsigned>(i), 0, i});
  }
  Costs costs;
  std::vector<Agent> agents;
  LockArbiter locks;
};

TEST(LockArbiter, UncontendedAcquireCostsSpinLock) {
  Rig r;
  Agent& a = r.agents[0];
  a.time = 1000;
  EXPECT_TRUE(r.locks.take(r.locks.mmu_lock, a));
  EXPECT_EQ(a.time, 1040u);
  EXPECT_EQ(r.locks.mmu_lock.owner(), 0);
  EXPECT_TRUE(r.locks.take(r.locks.mmu_lock, a));  // already the owner: nothing more
  EXPECT_EQ(a.time, 1040u);
  r.locks.release(r.locks.mmu_lock, a);
  EXPECT_EQ(r.locks.mmu_lock.owner(), SimLock::kNone);
  EXPECT_EQ(a.lock_wait, 0u);
}

TEST(LockArbiter, AQueuedWaiterIsHandedTheLock) {
  Rig r;
  Agent &a = r.agents[0], &b = r.agents[1];
  ASSERT_TRUE(r.locks.take(r.locks.mmu_lock, a));  // a owns it from 40
  b.time = 100;
  EXPECT_FALSE(r.locks.take(r.locks.mmu_lock, b));
  EXPECT_TRUE(b.blocked);
  a.time = 500;
  r.locks.release(r.locks.mmu_lock, a);
  EXPECT_FALSE(b.blocked);
  EXPECT_EQ(b.time, 600u);  // release + lock_handover
  EXPECT_EQ(b.lock_wait, 500u);
  EXPECT_EQ(r.locks.mmu_lock_wait(), 500u);
  EXPECT_TRUE(r.locks.take(r.locks.mmu_lock, b));  // the retried step owns it, free of charge
  EXPECT_EQ(b.time, 600u);
}

TEST(LockArbiter, ALockReleasedAfterTheTakersClockIsOwnedFromTheHandOver) {
  Rig r;
  Agent &a = r.agents[0], &b = r.agents[1];
  a.time = 0;
  ASSERT_TRUE(r.locks.take(r.locks.slots_lock, a));
  a.time = 800;
  r.locks.release(r.locks.slots_lock, a);  // held 0..800 inside one step of a
  b.time = 300;
  EXPECT_FALSE(r.locks.take(r.locks.slots_lock, b));  // b owns it, but only from 900
  EXPECT_FALSE(b.blocked);
  EXPECT_EQ(b.time, 900u);
  EXPECT_EQ(b.lock_wait, 600u);
  EXPECT_EQ(r.locks.mmu_lock_wait(), 0u);  // slots_lock waits are not mmu_lock's
  EXPECT_TRUE(r.locks.take(r.locks.slots_lock, b));
}

TEST(LockArbiterRw, AReadAcquirePaysTheLineTransferFromAnotherCore) {
  Rig r(LockKind::ReadWrite);
  Agent &a = r.agents[0], &b = r.agents[1];
  a.time = 1000;
  ASSERT_TRUE(r.locks.take(r.locks.mmu_lock, a, LockMode::Read));
  EXPECT_EQ(a.time, 1040u);  // first acquire: spin_lock only
  b.time = 1010;
  ASSERT_TRUE(r.locks.take(r.locks.mmu_lock, b, LockMode::Read));  // shared with a
  EXPECT_EQ(b.time, 1150u);  // + lock_handover: the line was a's
  r.locks.release(r.locks.mmu_lock, a);
  r.locks.release(r.locks.mmu_lock, b);
  a.time = 2000;
  ASSERT_TRUE(r.locks.take(r.locks.mmu_lock, a, LockMode::Read));
  EXPECT_EQ(a.time, 2140u);  // b acquired last
  r.locks.release(r.locks.mmu_lock, a);
  a.time = 3000;
  ASSERT_TRUE(r.locks.take(r.locks.mmu_lock, a, LockMode::Read));
  EXPECT_EQ(a.time, 3040u);  // its own line
  EXPECT_EQ(r.locks.mmu_lock_wait(), 0u);
}

TEST(LockArbiterRw, AWriterWaitsForTheReaderAndAReaderForTheQueuedWriter) {
  Rig r(LockKind::ReadWrite);
  Agent &a = r.agents[0], &b = r.agents[1], &c = r.agents[2];
  ASSERT_TRUE(r.locks.take(r.locks.mmu_lock, a, LockMode::Read));  // a reads from 40
  b.time = 50;
  EXPECT_FALSE(r.locks.take(r.locks.mmu_lock, b, LockMode::Write));
  c.time = 60;
  EXPECT_FALSE(r.locks.take(r.locks.mmu_lock, c, LockMode::Read));  // behind the writer
  EXPECT_TRUE(b.blocked && c.blocked);
  a.time = 500;
  r.locks.release(r.locks.mmu_lock, a);
  EXPECT_FALSE(b.blocked);
  EXPECT_TRUE(c.blocked);
  EXPECT_EQ(b.time, 600u);  // release + lock_handover
  ASSERT_TRUE(r.locks.take(r.locks.mmu_lock, b, LockMode::Write));
  b.time = 900;
  r.locks.release(r.locks.mmu_lock, b);
  EXPECT_FALSE(c.blocked);
  EXPECT_EQ(c.time, 1000u);
  EXPECT_EQ(r.locks.mmu_lock_write_wait(), 550u);
  EXPECT_EQ(r.locks.mmu_lock_read_wait(), 940u);
  EXPECT_EQ(r.locks.mmu_lock_wait(), 1490u);
}

TEST(LockArbiterRw, ReadersAdmittedTogetherWakeOneHandOverApart) {
  Rig r(LockKind::ReadWrite);
  Agent &a = r.agents[0], &b = r.agents[1], &c = r.agents[2];
  ASSERT_TRUE(r.locks.take(r.locks.mmu_lock, a, LockMode::Write));
  b.time = 10;
  c.time = 20;
  EXPECT_FALSE(r.locks.take(r.locks.mmu_lock, b, LockMode::Read));
  EXPECT_FALSE(r.locks.take(r.locks.mmu_lock, c, LockMode::Read));
  a.time = 500;
  r.locks.release(r.locks.mmu_lock, a);
  // qrwlock: each reader takes the wait_lock in turn, so the lock line moves twice.
  EXPECT_EQ(b.time, 600u);
  EXPECT_EQ(c.time, 700u);
  EXPECT_EQ(r.locks.mmu_lock_read_wait(), 590u + 680u);
  EXPECT_EQ(r.locks.mmu_lock.readers(), 2u);
}

TEST(LockArbiterRw, ASpinlockTakesReadRequestsAsWrites) {
  Rig r;  // exclusive: today's mmu_lock
  Agent &a = r.agents[0], &b = r.agents[1];
  a.time = 1000;
  ASSERT_TRUE(r.locks.take(r.locks.mmu_lock, a, LockMode::Read));
  EXPECT_EQ(a.time, 1040u);  // spin_lock, no line transfer charged
  b.time = 1010;
  EXPECT_FALSE(r.locks.take(r.locks.mmu_lock, b, LockMode::Read));
  a.time = 1500;
  r.locks.release(r.locks.mmu_lock, a);
  EXPECT_EQ(b.time, 1600u);
  EXPECT_EQ(r.locks.mmu_lock_write_wait(), 590u);
  EXPECT_EQ(r.locks.mmu_lock_read_wait(), 0u);
}

}  // namespace
}  // namespace s2sim::sim
