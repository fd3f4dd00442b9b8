#include "sim/engine/run_queue.h"

#include <algorithm>
#include <stdexcept>

namespace s2sim::sim {

void RunQueue::push(Agent& a) {
  const auto id = static_cast<std::size_t>(a.id);
  if (!runnable(a)) {
    stamp_[id] = 0;  // whatever entry it had is stale
    return;
  }
  stamp_[id] = next_stamp_++;
  heap_.push_back(Entry{a.time, a.id, stamp_[id]});
  std::push_heap(heap_.begin(), heap_.end(), later);
}

void RunQueue::push_all() {
  for (Agent& a : agents_) push(a);
}

const RunQueue::Entry* RunQueue::top() {
  while (!heap_.empty()) {
    const Entry& e = heap_.front();
    const auto id = static_cast<std::size_t>(e.id);
    const Agent& a = agents_[id];
    if (e.stamp == stamp_[id] && runnable(a)) {
      if (a.time != e.time)
        throw std::logic_error("run queue: an agent's clock changed while it was queued and nobody re-queued it");
      return &e;
    }
    // Superseded by a later push, or blocked, paused or done since it was pushed.
    if (e.stamp == stamp_[id]) stamp_[id] = 0;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
  return nullptr;
}

Agent* RunQueue::pop() {
  const Entry* e = top();
  if (!e) return nullptr;
  Agent& a = agents_[static_cast<std::size_t>(e->id)];
  stamp_[static_cast<std::size_t>(e->id)] = 0;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  heap_.pop_back();
  return &a;
}

}  // namespace s2sim::sim
