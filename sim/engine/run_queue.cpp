#include "sim/engine/run_queue.h"

#include <stdexcept>

namespace s2sim::sim {

RunQueue::RunQueue(std::vector<Agent>& agents) : agents_(agents), leaves_(1) {
  while (leaves_ < agents.size()) leaves_ *= 2;
  tree_.assign(2 * leaves_, kNotQueued);
}

void RunQueue::set_leaf(std::size_t id, Key k) {
  std::size_t i = leaves_ + id;
  tree_[i] = k;
  // Replay the matches up to the root: each node takes the lesser of its two children
  // (a select, not a branch on the outcome). The winner so far stays in a register and
  // only the sibling is loaded, so no level waits for the store of the one below it.
  for (Key w = k; i > 1; i /= 2) {
    const Key sibling = tree_[i ^ 1];
    w = sibling < w ? sibling : w;
    tree_[i / 2] = w;
  }
}

void RunQueue::push(Agent& a) {
  set_leaf(static_cast<std::size_t>(a.id), runnable(a) ? key_of(a.time, a.id) : kNotQueued);
}

void RunQueue::push_all() {
  for (Agent& a : agents_) push(a);
}

RunQueue::Key RunQueue::top() {
  for (;;) {
    const Key k = tree_[1];
    if (k == kNotQueued) return k;
    const Agent& a = agents_[static_cast<std::size_t>(id_of(k))];
    if (runnable(a)) {
      if (a.time != time_of(k))
        throw std::logic_error("run queue: an agent's clock changed while it was queued and nobody re-queued it");
      return k;
    }
    // Blocked, paused or done since it was queued.
    set_leaf(static_cast<std::size_t>(a.id), kNotQueued);
  }
}

Agent* RunQueue::pop() {
  const Key k = top();
  if (k == kNotQueued) return nullptr;
  const auto id = static_cast<std::size_t>(id_of(k));
  set_leaf(id, kNotQueued);
  return &agents_[id];
}

}  // namespace s2sim::sim
