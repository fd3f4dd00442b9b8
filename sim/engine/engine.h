// The cycle-level engine. Every agent — each vCPU, the migration thread, and an
// optional host agent that unmaps pages (the MMU-notifier case) — has its own cycle
// count; the engine always runs the step of the earliest runnable agent (ties: the
// lower agent id: vCPUs first, then the migration thread, then the host), so runs
// are deterministic and races happen exactly when their timing allows.
//
// A step is small: one guest memory operation (TLB lookup, a hardware walk on a
// miss that reads the descriptors as they are at that simulated time, the permission
// check, the write that bumps the page's version), or one stage-2 fault handled under
// mmu_lock, or one step of get_dirty_log (one bitmap word, one flush...), or one page
// copy, or one 2 MiB chunk of the enable-logging walk.
//
// Locks: an agent that finds a lock held waits for it in simulated time. Whether the
// holder keeps it across several steps (the agent queues and is handed the lock at
// the release) or took and released it inside one step that the waiter's clock has
// not reached yet (the waiter finds it free but released after its own time), the
// waiter owns it lock_handover cycles after the release, and its step runs only
// then, so that what it does under the lock is never seen by agents whose clocks
// are still before that. An uncontended acquire costs spin_lock. Both kinds of wait
// count as lock wait (per agent, and for mmu_lock in RunResult::mmu_lock_wait),
// never as busy time: a vCPU's clock is busy + idle + mmu_lock wait.
//
// With a Timeline recorder the engine also writes the run's timeline (see
// sim/engine/timeline.h): faults, lock waits, get_dirty_log phases, TLB flushes, page
// sends, rounds. Recording never changes what the engine does.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "mmu/dirty_log.h"
#include "mmu/kvm.h"
#include "sim/timing/cache_model.h"
#include "sim/config/config.h"
#include "sim/engine/leaf_prefetcher.h"
#include "sim/engine/op_lookahead.h"
#include "sim/engine/page_versions.h"
#include "sim/engine/run_result.h"
#include "sim/engine/sim_lock.h"
#include "sim/timing/tlb.h"
#include "sim/engine/timeline.h"
#include "workloads/guest_op.h"

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

class Engine final : public mmu::TlbMaintenance {
 public:
  // Builds the machine, the VM and the workload; throws InputError for bad input.
  // `trace` (optional, not owned, must outlive the engine) receives the timeline.
  explicit Engine(const SimConfig& cfg, Timeline* trace = nullptr);
  ~Engine() override;

  // Runs to the end. `progress` (optional) is called now and then (RunProgress).
  RunResult run(const std::function<void(const RunProgress&)>& progress = {});

  // mmu::TlbMaintenance: what each request does to every vCPU's TLB, and its cost on
  // the requesting core.
  void flush_remote_tlbs() override;
  void flush_vmid_ipa(mmu::ipa_t ipa) override;

 private:
  struct Agent;
  struct Vcpu;
  struct Migration;
  struct HostAgent;

  void step_vcpu(Agent& a);
  void step_migration(Agent& a);
  void step_host(Agent& a);
  void vcpu_access(Agent& a, Vcpu& v);
  // Host prefetches for an operation `v` will run a few operations from now.
  void prefetch_op(const Vcpu& v, const workloads::GuestOp& op);
  void vcpu_fault(Agent& a, Vcpu& v);
  // True: `a` owns the lock, now. False: not yet — the agent is queued (blocked until
  // the hand-over) or, the lock having been released after its clock, its clock was
  // moved to the hand-over; either way the step must be retried (nothing done yet).
  bool take_lock(SimLock& lock, Agent& a);
  void release_lock(SimLock& lock, Agent& a);
  void note_lock_wait(const SimLock& lock, Agent& a, std::uint64_t from, std::uint64_t to);
  void trace_gdl_segment(Agent& a);  // closes the open get_dirty_log phase event
  // Records a guest write to slot page `rel`; true if it is the page's first.
  bool first_write(std::uint64_t rel, std::uint64_t now);
  void copy_page(Agent& a, mmu::gfn_t gfn);
  std::uint64_t page_send_cycles() const;
  bool dirty_log_step(Agent& a);  // true when the ioctl has finished
  bool should_stop(unsigned round, std::uint64_t pending);
  void check_invariants(const std::vector<mmu::gfn_t>& reported);
  void verify();
  void finish_round(Agent& a);
  RunProgress progress_now(std::uint64_t now) const;

  SimConfig cfg_;
  std::unique_ptr<workloads::OpSource> ops_;
  std::unique_ptr<OpLookahead> ops_ahead_;  // reads ops_
  std::unique_ptr<mmu::Kvm> kvm_;
  std::unique_ptr<LeafPrefetcher> leaf_prefetcher_;  // reads kvm_'s tables
  std::unique_ptr<mmu::WpWalker> walker_;
  std::unique_ptr<CacheHierarchy> caches_;
  std::vector<Agent> agents_;
  std::vector<Vcpu> vcpus_;
  std::unique_ptr<Migration> mig_;
  std::unique_ptr<HostAgent> host_;
  SimLock mmu_lock_, slots_lock_;
  Agent* current_ = nullptr;  // the agent whose step is running (TLB maintenance charges it)
  mmu::Memslot* slot_ = nullptr;  // the migrated slot
  std::unique_ptr<PageVersions> src_, dst_;  // with migration: versions for the verifier
  std::vector<std::uint64_t> written_;       // without: which pages were written
  bool pause_requested_ = false;
  Timeline* trace_ = nullptr;
  RunResult res_;
};

}  // namespace s2sim::sim
