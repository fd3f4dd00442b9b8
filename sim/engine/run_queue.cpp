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

Agent* RunQueue::pop() {
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const Entry e = heap_.back();
    heap_.pop_back();
    const auto id = static_cast<std::size_t>(e.id);
    if (e.stamp != stamp_[id]) continue;  // superseded by a later push
    stamp_[id] = 0;
    Agent& a = agents_[id];
    if (!runnable(a)) continue;  // blocked, paused or done since it was pushed
    if (a.time != e.time)
      throw std::logic_error("run queue: an agent's clock changed while it was queued and nobody re-queued it");
    return &a;
  }
  return nullptr;
}

}  // namespace s2sim::sim
