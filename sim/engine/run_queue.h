// The engine's run queue: the runnable agents ordered by (clock, id), so that picking
// the next agent costs O(log n) with 512 vCPUs instead of a scan of them all. The
// order is the scan's: the earliest clock first, ties to the lower id.
//
// A tournament (winner) tree over the agents: one leaf per agent holding the key it
// was queued with ((clock, id) packed in 128 bits; all ones when it is not queued),
// each inner node the least key below it, the root the next agent. Queuing or taking
// an agent replays the matches on its leaf's path to the root: log2(n) steps of one
// comparison and a select each, without the data-dependent branches of a binary
// heap's sifts (which mispredict on every level: a fifth of a 152-vCPU perf-test's
// time went there).
//
// Agents leave it lazily. An agent that blocks on a lock, pauses or finishes keeps its
// key until it reaches the root, where it is dropped because the agent can no longer
// run; queuing an agent again replaces its key. So the only thing the rest of the
// engine must do is push() an agent whenever it becomes runnable or its clock changes
// while it is not the agent being stepped:
//   - the engine pushes the agent it has just stepped (its clock moved);
//   - the lock arbiter pushes a waiter it hands a lock to (blocked -> runnable);
//   - perf-test's iteration barrier pushes the agents it wakes (waiting -> runnable).
//   - the migration thread pushes the vCPUs a dirty-ring reset wakes (waiting -> runnable).
// Nothing else makes an agent runnable (paused and done are never undone), and the
// only clock set on another agent that is runnable is kick_if_halted's, which pauses
// it in the same breath. pop() checks that a queued agent's clock is still the one it
// was queued with, so a missed push is an error, not a silent reordering.
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
  explicit RunQueue(std::vector<Agent>& agents);

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
  bool runs_first(const Agent& a) { return top() > key_of(a.time, a.id); }
  // The latest clock at which `a` (runnable, not queued) still runs before every
  // queued agent; UINT64_MAX when nothing is queued. Valid until the next push.
  std::uint64_t horizon(const Agent& a) {
    const Key t = top();
    if (t == kNotQueued) return UINT64_MAX;
    return id_of(t) > a.id ? time_of(t) : time_of(t) - 1;  // a tie goes to the lower id
  }

 private:
  // The clock in bits 32-95, the id below it: one unsigned comparison orders (clock, id).
  __extension__ typedef unsigned __int128 Key;
  static constexpr Key kNotQueued = ~Key{0};
  static Key key_of(std::uint64_t time, int id) {
    return (Key{time} << 32) | static_cast<std::uint32_t>(id);
  }
  static std::uint64_t time_of(Key k) { return static_cast<std::uint64_t>(k >> 32); }
  static int id_of(Key k) { return static_cast<int>(static_cast<std::uint32_t>(k)); }
  // Sets agent `id`'s leaf and replays the matches above it.
  void set_leaf(std::size_t id, Key k);
  // The key of the runnable agent pop() would take next, or kNotQueued; drops the
  // agents at the root that can no longer run, as pop() does.
  Key top();

  std::vector<Agent>& agents_;
  std::size_t leaves_;     // a power of two, at least the number of agents
  std::vector<Key> tree_;  // [1] the root, [leaves_ + id] agent id's leaf
};

}  // namespace s2sim::sim
