// memstress's iteration handshake (tools/testing/selftests/kvm/dirty_log_perf_test.c,
// vcpu_worker and run_test): a vCPU that ends its pass with GUEST_SYNC records the
// iteration it completed and spins in user space until the main thread bumps the
// iteration counter; the main thread waits until every vCPU has completed the
// current iteration.
//
// In the engine both sides wait off the schedule (Agent::waiting) instead of
// polling: the last vCPU to arrive wakes the driver at its own clock, and the driver
// releases every vCPU at the driver's clock. So the scheduler never steps an agent
// that only spins, and the times are those of the arrivals and the release.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/engine/agent.h"
#include "sim/engine/run_queue.h"

namespace s2sim::sim {

class IterationBarrier {
 public:
  // `vcpus` vCPUs arrive each iteration; `driver` (the agent the last arrival wakes)
  // and `queue` (the engine's run queue, which must learn of every agent woken) must
  // outlive the barrier.
  IterationBarrier(unsigned vcpus, Agent& driver, RunQueue& queue) : expected_(vcpus), driver_(driver), queue_(queue) {}

  // A vCPU reached GUEST_SYNC at its clock: it waits until release(). The last one
  // wakes the driver, no earlier than its own clock.
  void arrive(Agent& vcpu) {
    vcpu.waiting = true;
    last_arrival_ = std::max(last_arrival_, vcpu.time);
    if (++arrived_ == expected_ && driver_.waiting) {
      driver_.waiting = false;
      driver_.time = std::max(driver_.time, last_arrival_);
      queue_.push(driver_);
    }
  }
  bool all_arrived() const { return arrived_ == expected_; }
  // The latest clock among this iteration's arrivals.
  std::uint64_t last_arrival() const { return last_arrival_; }

  // A vCPU that cannot finish its pass without the driver (KVM_EXIT_DIRTY_RING_FULL:
  // it waits in user space until the rings are harvested and reset, as the vCPU
  // threads of the dirty_log_test selftest wait for its main thread) wakes the driver
  // at its clock `t`, if the driver waits.
  void wake_driver(std::uint64_t t) {
    if (!driver_.waiting) return;
    driver_.waiting = false;
    driver_.time = std::max(driver_.time, t);
    queue_.push(driver_);
  }

  // The driver waits for the iteration in progress (it is woken by the last arrival).
  void wait(Agent& driver) {
    if (!all_arrived()) driver.waiting = true;
  }

  // Starts the next iteration at `t`: every waiting vCPU of `agents` runs again from
  // t (the time it waited is returned per vCPU through `resumed`, by vCPU index).
  template <class Resumed>
  void release(std::vector<Agent>& agents, std::uint64_t t, Resumed&& resumed) {
    arrived_ = 0;
    last_arrival_ = 0;
    for (Agent& a : agents) {
      if (a.kind != Agent::Kind::Vcpu || !a.waiting) continue;
      a.waiting = false;
      const std::uint64_t from = a.time;
      a.time = std::max(a.time, t);
      resumed(a, a.time - from);
      queue_.push(a);
    }
  }

 private:
  unsigned expected_;
  Agent& driver_;
  RunQueue& queue_;
  unsigned arrived_ = 0;
  std::uint64_t last_arrival_ = 0;
};

}  // namespace s2sim::sim
