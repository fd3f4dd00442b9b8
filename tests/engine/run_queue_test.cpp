// The run queue: agents come out by (clock, id), ties to the lower id, exactly as the
// linear scan it replaced chose them; blocked, paused and done agents drop out and
// come back when pushed; a clock changed behind the queue's back is an error. Also
// checked against a scan on random schedules.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

#include "sim/engine/lock_arbiter.h"
#include "sim/engine/run_queue.h"

namespace s2sim::sim {
namespace {

std::vector<Agent> agents_at(const std::vector<std::uint64_t>& times) {
  std::vector<Agent> out;
  for (std::size_t i = 0; i < times.size(); ++i) {
    Agent a{Agent::Kind::Vcpu, static_cast<unsigned>(i), static_cast<unsigned>(i), static_cast<int>(i)};
    a.time = times[i];
    out.push_back(a);
  }
  return out;
}

// What the linear scan the queue replaced would run next: the runnable agent with the
// earliest clock, ties to the lower id (the first found), `except` left out.
const Agent* scan_first(const std::vector<Agent>& ag, const Agent* except = nullptr) {
  const Agent* best = nullptr;
  for (const Agent& a : ag)
    if (&a != except && RunQueue::runnable(a) && (!best || a.time < best->time)) best = &a;
  return best;
}

TEST(RunQueue, EarliestClockFirstTiesToTheLowerId) {
  std::vector<Agent> ag = agents_at({50, 10, 50, 10, 30});
  RunQueue q(ag);
  q.push_all();
  std::vector<int> order;
  while (Agent* a = q.pop()) order.push_back(a->id);
  EXPECT_EQ(order, (std::vector<int>{1, 3, 4, 0, 2}));
}

TEST(RunQueue, AgentsThatCannotRunDropOutAndComeBackWhenPushed) {
  std::vector<Agent> ag = agents_at({10, 20, 30});
  RunQueue q(ag);
  q.push_all();
  ag[0].blocked = true;  // blocked while queued
  ag[1].paused = true;
  Agent* next = q.pop();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->id, 2);
  next->done = true;
  q.push(*next);  // the engine pushes what it stepped: done, so not queued
  EXPECT_EQ(q.pop(), nullptr);
  ag[0].blocked = false;  // a hand-over
  ag[0].time = 100;
  q.push(ag[0]);
  EXPECT_EQ(q.pop(), &ag[0]);
  EXPECT_EQ(q.pop(), nullptr);
}

TEST(RunQueue, APushReplacesTheAgentsEarlierEntry) {
  std::vector<Agent> ag = agents_at({10, 20});
  RunQueue q(ag);
  q.push_all();
  ag[0].time = 30;
  q.push(ag[0]);
  EXPECT_EQ(q.pop(), &ag[1]);
  EXPECT_EQ(q.pop(), &ag[0]);
  EXPECT_EQ(q.pop(), nullptr);  // the stale entry at 10 is gone too
}

TEST(RunQueue, AClockChangedWithoutAPushIsAnError) {
  std::vector<Agent> ag = agents_at({10});
  RunQueue q(ag);
  q.push_all();
  ag[0].time = 5;
  EXPECT_THROW(q.pop(), std::logic_error);
}

TEST(RunQueue, TheLockArbiterQueuesTheWaiterItHandsTheLockTo) {
  std::vector<Agent> ag = agents_at({0, 10});
  RunQueue q(ag);
  Costs costs;
  costs.lock_handover = 100;
  LockArbiter locks(ag, costs, nullptr, &q);
  q.push_all();
  Agent* a = q.pop();
  ASSERT_TRUE(locks.take(locks.mmu_lock, *a));
  a->time = 50;
  q.push(*a);
  Agent* b = q.pop();
  ASSERT_EQ(b, &ag[1]);
  EXPECT_FALSE(locks.take(locks.mmu_lock, *b));  // blocked: out of the queue
  q.push(*b);
  EXPECT_EQ(q.pop(), a);
  a->time = 500;
  locks.release(locks.mmu_lock, *a);  // b handed the lock at 600 and queued again
  EXPECT_EQ(q.pop(), b);
  EXPECT_EQ(b->time, 600u);
}

TEST(RunQueue, MatchesTheLinearScanOnARandomSchedule) {
  std::mt19937_64 rng(42);
  std::vector<Agent> ag = agents_at(std::vector<std::uint64_t>(64, 0));
  for (Agent& a : ag) a.time = rng() % 100;
  RunQueue q(ag);
  q.push_all();
  for (int step = 0; step < 20000; ++step) {
    Agent* next = q.pop();
    ASSERT_EQ(next, scan_first(ag)) << "step " << step;
    if (!next) break;
    next->time += rng() % 50;  // often ties
    if (rng() % 500 == 0) next->done = true;
    q.push(*next);
  }
}

// 153 agents (perf-test's 152 vCPUs and its driver: a tree of 256 leaves, most of the
// last level empty), agents blocking while queued and coming back when pushed, and
// run-ahead's two questions answered as a scan of the others would.
TEST(RunQueue, MatchesTheScanWithBlockingAndRunAheadQuestions) {
  std::mt19937_64 rng(7);
  std::vector<Agent> ag = agents_at(std::vector<std::uint64_t>(153, 0));
  for (Agent& a : ag) a.time = rng() % 64;
  RunQueue q(ag);
  q.push_all();
  for (int step = 0; step < 50000; ++step) {
    Agent* next = q.pop();
    ASSERT_EQ(next, scan_first(ag)) << "step " << step;
    if (!next) break;
    next->time += rng() % 8;  // many ties
    // What push(next) then pop() would return, and until when it stays so.
    const Agent* other = scan_first(ag, next);
    const bool first = !other || other->time > next->time || (other->time == next->time && other->id > next->id);
    ASSERT_EQ(q.runs_first(*next), first) << "step " << step;
    const std::uint64_t horizon = !other ? UINT64_MAX : other->id > next->id ? other->time : other->time - 1;
    ASSERT_EQ(q.horizon(*next), horizon) << "step " << step;
    // Another agent blocks behind the queue's back (a lock it waits for), or one that
    // was blocked is handed its lock and queued again at a later clock.
    Agent& x = ag[rng() % ag.size()];
    if (&x != next) {
      if (!x.blocked && rng() % 4 == 0) {
        x.blocked = true;
      } else if (x.blocked) {
        x.blocked = false;
        x.time = std::max(x.time, next->time) + rng() % 8;
        q.push(x);
      }
    }
    q.push(*next);
  }
}

}  // namespace
}  // namespace s2sim::sim
