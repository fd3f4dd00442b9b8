// Lock arbitration: an uncontended acquire costs spin_lock; a waiter is handed the
// lock lock_handover after the release, and its wait is lock wait (mmu_lock's also
// summed for the run); a lock released later than the taker's clock is owned from
// the hand-over, with the step retried then.
#include <gtest/gtest.h>

#include <vector>

#include "sim/engine/lock_arbiter.h"

namespace s2sim::sim {
namespace {

struct Rig {
  Rig() {
    costs.spin_lock = 40;
    costs.lock_handover = 100;
    for (int i = 0; i < 2; ++i) agents.push_back(Agent{Agent::Kind::Vcpu, static_cast<unsigned>(i), 0, i});
  }
  Costs costs;
  std::vector<Agent> agents;
  LockArbiter locks{agents, costs, nullptr};
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

}  // namespace
}  // namespace s2sim::sim
