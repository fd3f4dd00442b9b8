// What the scheduler knows of an agent — each vCPU, the migration thread, the host's
// MMU-notifier unmapper: its own clock (cycles), whether it can run, and the time it
// spent waiting for locks. What the agent does lives in vcpu_agent.h,
// migration_agent.h, perf_test_driver.h and host_agent.h.
#pragma once

#include <cstdint>

namespace s2sim::sim {

struct Agent {
  // PerfTest: the dirty_log_perf_test main thread, in the migration thread's place.
  enum class Kind : std::uint8_t { Vcpu, Migration, Host, PerfTest };
  Kind kind = Kind::Vcpu;
  unsigned index = 0;  // vCPU index, else 0
  unsigned core = 0;   // the core in the cache model
  int id = 0;          // position in the engine's agent list: the tie-break (lower runs first)
  std::uint64_t time = 0;
  bool blocked = false;  // queued for a lock (lock_arbiter.h) until its hand-over
  bool done = false;     // finished: never runs again
  bool paused = false;   // a vCPU stopped for stop-and-copy (vm_stop)
  // Waiting off the schedule until another agent wakes it: on the iteration barrier
  // (iteration_barrier.h), or a vCPU after KVM_EXIT_DIRTY_RING_FULL (vcpu_agent.h).
  bool waiting = false;
  std::uint64_t block_start = 0;  // when it queued
  std::uint64_t lock_wait = 0;    // cycles spent waiting for locks, hand-overs included
};

}  // namespace s2sim::sim
