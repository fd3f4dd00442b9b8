// The engine's run queue: the runnable agents ordered by (clock, id), a binary heap so
// that picking the next agent costs O(log n) with 512 vCPUs instead of a scan of them
// all. The order is the scan's: the earliest clock first, ties to the lower id.
//
// Agents leave it lazily. An agent that blocks on a lock, pauses or finishes keeps its
// entry until the entry reaches the top, where it is dropped because the agent can no
// longer run; an agent that is queued again gets a new entry and its old one goes
// stale (each agent's entries carry a stamp, only the newest counts). So the only
// thing the rest of the engine must do is push() an agent whenever it becomes runnable
// or its clock changes while it is not the agent being stepped:
//   - the engine pushes the agent it has just stepped (its clock moved);
//   - the lock arbiter pushes a waiter it hands a lock to (blocked -> runnable);
//   - perf-test's iteration barrier pushes the agents it wakes (waiting -> runnable).
//   - the migration thread pushes the vCPUs a dirty-ring reset wakes (waiting -> runnable).
// Nothing else makes an agent runnable (paused and done are never undone), and the
// only clock set on another agent that is runnable is kick_if_halted's, which pauses
// it in the same breath. pop() checks that a live entry's clock is still the agent's,
// so a missed push is an error, not a silent reordering.
//
// Run-ahead (engine.cpp): the engine asks whether the agent it has just stepped, not
// yet pushed back, would be the one pop() returns (runs_first), and until which clock
// that stays so (horizon). While it does, the engine steps it again without the push
// and pop: the same agent would come out, so the order of steps is unchanged.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/agent.h"

namespace s2sim::sim {

class RunQueue {
 public:
  // `agents` is the engine's agent list, indexed by Agent::id; it must outlive the queue.
  explicit RunQueue(std::vector<Agent>& agents) : agents_(agents), stamp_(agents.size(), 0) {}

  // Queues `a` at its current clock if it can run (not blocked, paused or done),
  // replacing any entry it had.
  void push(Agent& a);
  // Queues every agent that can run (the start of a run).
  void push_all();
  // Removes and returns the runnable agent with the earliest (clock, id), or nullptr.
  // Throws std::logic_error if that agent's clock changed since it was pushed.
  Agent* pop();

  static bool runnable(const Agent& a) { return !a.done && !a.blocked && !a.paused && !a.waiting; }

  // Whether `a` (runnable, not queued) runs before every queued agent: push(a) then
  // pop() would return `a`.
  bool runs_first(const Agent& a) {
    const Entry* t = top();
    return !t || t->time > a.time || (t->time == a.time && t->id > a.id);
  }
  // The latest clock at which `a` (runnable, not queued) still runs before every
  // queued agent; UINT64_MAX when nothing is queued. Valid until the next push.
  std::uint64_t horizon(const Agent& a) {
    const Entry* t = top();
    if (!t) return UINT64_MAX;
    return t->id > a.id ? t->time : t->time - 1;  // a tie goes to the lower id
  }

 private:
  struct Entry {
    std::uint64_t time;
    int id;
    std::uint64_t stamp;
  };
  // The heap's order: std::push_heap keeps the greatest on top, so "greater" means
  // "runs later".
  static bool later(const Entry& a, const Entry& b) { return a.time != b.time ? a.time > b.time : a.id > b.id; }
  // The live entry pop() would take next (its agent runnable), or nullptr; drops the
  // stale entries above it as pop() does.
  const Entry* top();

  std::vector<Agent>& agents_;
  std::vector<std::uint64_t> stamp_;  // by agent id: the stamp of its live entry
  std::vector<Entry> heap_;
  std::uint64_t next_stamp_ = 1;
};

}  // namespace s2sim::sim
