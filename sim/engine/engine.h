// The cycle-level engine: builds a run's machine, VM, workload and agents, and
// schedules them. Every agent — each vCPU (vcpu_agent.h), the migration thread
// (migration_agent.h) or in its place perf-test's driver (perf_test_driver.h), and an optional host agent that unmaps pages (host_agent.h,
// the MMU-notifier case) — has its own cycle count; the engine always runs the step
// of the earliest runnable agent (ties: the lower agent id: vCPUs first, then the
// migration thread, then the host), so runs are deterministic and races happen
// exactly when their timing allows.
//
// A step is small: one guest memory operation, or one stage-2 fault handled under
// mmu_lock, or one step of get_dirty_log (one bitmap word, one flush...), or one page
// copy, or one 2 MiB chunk of the enable-logging walk. What agents share — locks
// (lock_arbiter.h), TLB maintenance (tlb_shootdown.h), the verifier's page record
// (verifier.h) — is in run_context.h.
//
// With a Timeline recorder the engine also writes the run's timeline (see
// sim/engine/timeline.h): faults, lock waits, get_dirty_log phases, TLB flushes, page
// sends, rounds. Recording never changes what the engine does.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "sim/config/config.h"
#include "sim/engine/agent.h"
#include "sim/engine/run_result.h"
#include "sim/engine/timeline.h"

namespace s2sim::mmu {
struct Kvm;
}
namespace s2sim::workloads {
class OpSource;
}

namespace s2sim::sim {

// What run() tells its progress callback now and then (every 65,536 steps). Reading
// it changes nothing the run computes.
struct RunProgress {
  double simulated_seconds = 0;
  // Share of the workload read so far (operations, or a trace's input bytes), in
  // [0, 1]; negative when unknown (a trace from a pipe).
  double fraction = -1;
  unsigned round = 0;      // the migration round in progress
  bool migrating = false;  // the migration thread has started its rounds
};

class CacheHierarchy;
class HostAgent;
class HwDirtyUnit;
class HostLeafPrefetch;
class LockArbiter;
class LostWriteVerifier;
class MigrationAgent;
class OpLookahead;
class RunQueue;
class PerfTestDriver;
struct PerfTestOptions;
class TlbShootdown;
class VcpuAgent;
struct RunContext;

class Engine final {
 public:
  // Builds the machine, the VM and the workload; throws InputError for bad input.
  // `trace` (optional, not owned, must outlive the engine) receives the timeline.
  // With `perf` the perf-test driver runs in the migration thread's place (the
  // config must have migration off and the memstress workload); the run's
  // RunResult::perf holds what it measured.
  explicit Engine(const SimConfig& cfg, Timeline* trace = nullptr, const PerfTestOptions* perf = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs to the end. `progress` (optional) is called now and then (RunProgress).
  RunResult run(const std::function<void(const RunProgress&)>& progress = {});

  // Run-ahead (on by default): an agent that still runs before every other agent
  // after its step is stepped again at once, without going through the run queue.
  // The steps and their order are the same either way, and so is every result; off,
  // the engine pushes and pops the run queue around every step (the differential
  // tests compare the two). A host-speed switch, not a config key.
  void set_run_ahead(bool on) { run_ahead_ = on; }

 private:
  // The earliest runnable agent (taken out of the run queue), or nullptr when the run
  // is over.
  Agent* next_agent();
  // Whether the run is over whatever the queue holds: the migration or perf-test's
  // last iteration is done.
  bool over() const;
  // Whether `a`, the earliest runnable agent, may take its step: without migration
  // the host alone does not go on once the guest is done.
  bool may_step(const Agent& a) const;
  // Steps `a` once, or a vCPU as far as run-ahead lets it (at most `max_steps`);
  // returns the steps made.
  std::uint64_t step(Agent& a, std::uint64_t max_steps);
  void collect_totals();
  void note_guest_finished();  // the result's guest_finished* fields
  RunProgress progress_now(std::uint64_t now) const;

  SimConfig cfg_;
  Timeline* trace_ = nullptr;
  bool run_ahead_ = true;
  RunResult res_;
  std::vector<Agent> agents_;  // by id: the vCPUs, then the migration thread, then the host
  std::unique_ptr<RunQueue> queue_;  // the runnable agents by (clock, id)
  unsigned vcpus_left_ = 0;          // vCPUs not done
  std::unique_ptr<TlbShootdown> shootdown_;
  std::unique_ptr<mmu::Kvm> kvm_;  // requests its TLB maintenance from shootdown_
  std::unique_ptr<CacheHierarchy> caches_;
  std::unique_ptr<workloads::OpSource> ops_;
  std::unique_ptr<OpLookahead> ops_ahead_;           // reads ops_
  std::unique_ptr<HostLeafPrefetch> leaf_prefetch_;  // reads kvm_'s tables
  std::unique_ptr<LockArbiter> locks_;
  std::unique_ptr<LostWriteVerifier> pages_;
  std::unique_ptr<RunContext> ctx_;
  std::unique_ptr<HwDirtyUnit> hw_dirty_;  // with dirty_log.hw_dirty other than none
  std::vector<VcpuAgent> vcpus_;
  std::unique_ptr<MigrationAgent> migration_;  // the migration thread (agent id cfg_.vcpus)
  std::unique_ptr<PerfTestDriver> perf_;       // or perf-test's driver (same id)
  std::unique_ptr<HostAgent> host_;
};

}  // namespace s2sim::sim
