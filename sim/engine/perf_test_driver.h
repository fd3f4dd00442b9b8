// The main thread of KVM's dirty_log_perf_test (tools/testing/selftests/kvm,
// run_test), as an agent in the migration thread's place, over vCPUs running the
// memstress workload (workloads/memstress_workload.cpp). One step at a time on its
// own clock:
//
//   Populate  wait for every vCPU's iteration 0 (all writes, logging off)
//   Enable    KVM_SET_USER_MEMORY_REGION with KVM_MEM_LOG_DIRTY_PAGES, the
//             write-protect walk and its flush (enable_logging_timing.h)
//   Dirty     iteration i: release the vCPUs (the iteration counter), wait for every
//             GUEST_SYNC (iteration_barrier.h)
//   Get       KVM_GET_DIRTY_LOG (dirty_log_timing.h)
//   Clear     KVM_CLEAR_DIRTY_LOG of the whole slot with GET's bitmap, manual-protect
//             mode only (clear_dirty_log_timing.h)
//   Collect   with a dirty ring instead of Get and Clear: harvest every vCPU's ring
//             and KVM_RESET_DIRTY_RINGS (dirty_ring_timing.h); also during Dirty,
//             whenever a vCPU is out on KVM_EXIT_DIRTY_RING_FULL (it wakes the driver)
//   Disable   KVM_SET_USER_MEMORY_REGION without the flag: the ioctl entry and
//             kvm_disable_dirty_logging (nothing in the tables changes: blocks come
//             back on later faults)
//   Done
//
// The times are those dirty_log_perf_test prints; res.perf receives them with the
// per-iteration counts (perf_test_result.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "mmu/wp_walker.h"
#include "sim/engine/agent.h"
#include "sim/engine/clear_dirty_log_timing.h"
#include "sim/engine/dirty_log_timing.h"
#include "sim/engine/dirty_ring_timing.h"
#include "sim/engine/enable_logging_timing.h"
#include "sim/engine/iteration_barrier.h"
#include "sim/engine/perf_test_support.h"
#include "sim/engine/run_context.h"
#include "sim/engine/tlb_shootdown.h"

namespace s2sim::sim {

class VcpuAgent;

struct PerfTestOptions {
  unsigned iterations = 2;  // dirty passes after populate; the memstress workload's "iterations"
  PerfTestRequest request;  // checked by the engine against the config's kernel (perf_test_unavailable)
};

class PerfTestDriver {
 public:
  enum class Phase : std::uint8_t { Populate, Enable, Dirty, Get, Clear, Collect, Disable, Done };

  // `a` is the driver's own scheduling state, `agents` (by id) and `vcpus` (by index)
  // the engine's. Installs the iteration barrier in ctx. Throws std::invalid_argument
  // for a workload that is not memstress with the
  // same iteration count. The engine has checked the request and enabled its caps.
  PerfTestDriver(RunContext& ctx, const PerfTestOptions& opts, Agent& a, std::vector<Agent>& agents,
                 std::vector<VcpuAgent>& vcpus, RunQueue& queue);
  ~PerfTestDriver();

  void step(Agent& a);

  Phase phase() const { return phase_; }
  bool done() const { return phase_ == Phase::Done; }
  unsigned iteration() const { return iteration_; }

 private:
  // What the per-iteration counts are measured against.
  struct Counters {
    std::uint64_t translation = 0, write_protect = 0, split = 0, mmu_lock_wait = 0;
    std::uint64_t hw_updates = 0, hdbss_full_traps = 0, hacdbs_cleaned = 0;
    TlbShootdownStats flushes;
  };
  Counters counters() const;
  void start_iteration(Agent& a);
  void get_dirty_log_step(Agent& a);
  void clear_dirty_log_step(Agent& a);
  // One step of a ring collection; true when it is over (the vCPUs it freed are back
  // on the schedule).
  bool ring_collect_step(Agent& a);
  void end_iteration(Agent& a);
  void disable(Agent& a);

  RunContext& ctx_;
  PerfTestOptions opts_;
  std::vector<Agent>& agents_;
  std::vector<VcpuAgent>& vcpus_;
  RunQueue& queue_;
  std::vector<const TlbHierarchy*> tlbs_;  // each vCPU's, for the invariant checker
  IterationBarrier barrier_;
  std::unique_ptr<mmu::WpWalker> walker_;

  Phase phase_ = Phase::Populate;
  unsigned iteration_ = 0;
  std::optional<TimedEnableLogging> enable_;
  std::optional<TimedGetDirtyLog> get_;
  std::optional<TimedClearDirtyLog> clear_;
  std::optional<TimedRingCollect> ring_;
  std::uint64_t soft_full_at_start_ = 0, collect_start_ = 0;
  std::uint64_t iteration_start_ = 0;
  Counters at_start_;
  PerfIteration it_;
};

}  // namespace s2sim::sim
