// A vCPU: runs its stream of guest operations one costed step at a time.
//
// A step is the operation's think time (and, for a periodic workload, the idle wait
// for its timer tick), or its access — micro/main TLB lookup, on a miss a hardware
// walk through the cache model reading the descriptors as they are at that simulated
// time, the permission check, the write that bumps the page's version — or the
// stage-2 fault that access took: the trap and user_mem_abort's unlocked work
// (gfn_to_pfn_prot, the memory-cache top-up), then the table update under
// mmu_lock, after which the access is retried. The vCPU's clock is busy + idle + mmu_lock wait.
#pragma once

#include <cstdint>
#include <vector>

#include "mmu/hw_walk.h"
#include "sim/engine/agent.h"
#include "sim/engine/host_leaf_prefetch.h"
#include "sim/engine/op_lookahead.h"
#include "sim/engine/run_context.h"
#include "sim/engine/run_queue.h"
#include "sim/engine/run_result.h"
#include "sim/timing/tlb.h"
#include "workloads/guest_op.h"

namespace s2sim::sim {

// Where a vCPU is between two of its steps.
enum class VcpuState : std::uint8_t {
  NeedOp,   // no operation in hand: the next step takes one (and its think time)
  Halted,   // halted (WFI) since idle_from() until its operation's not_before time;
            // the next step does the access
  Access,   // the next step does the operation's access
  InFault,  // the access took a stage-2 fault (trap and unlocked work charged): the
            // next step updates the tables under mmu_lock, and the access is retried after
};
const char* to_string(VcpuState state);

class VcpuAgent {
 public:
  // Faults one access may take in a row before the vCPU gives up on it (each handled
  // fault changes the tables or the TLBs, so a real access needs two or three).
  static constexpr unsigned kMaxFaultRetries = 64;

  // `ops` and `leaf_prefetch` are shared by the vCPUs; all three must outlive it.
  VcpuAgent(RunContext& ctx, OpLookahead& ops, HostLeafPrefetch& leaf_prefetch);

  // One step of the vCPU whose scheduling state is `a`.
  void step(Agent& a);
  // Run-ahead: one step, then further steps while the vCPU's clock is at most
  // `horizon` (the latest clock at which it still runs before every other agent, see
  // RunQueue::horizon), it can run, and fewer than `max_steps` steps were made.
  // Stops after handling a fault: taking and releasing mmu_lock may wake another
  // agent, which moves the horizon. Returns the steps made (at least one).
  std::uint64_t run(Agent& a, std::uint64_t horizon, std::uint64_t max_steps);

  // vm_stop()'s kick: a vCPU halted since `now` or earlier leaves the halt at `now`
  // and stops there; one waiting after a dirty-ring-full exit stops where it waits.
  // Returns whether it did.
  bool kick_if_halted(Agent& a, std::uint64_t now);
  // After KVM_RESET_DIRTY_RINGS at `now`: a vCPU waiting since its
  // KVM_EXIT_DIRTY_RING_FULL whose ring is below the soft limit again re-enters the
  // guest (KVM_RUN) at `now` or its own clock. Returns whether it did (the caller
  // queues it).
  bool wake_if_ring_reset(Agent& a, std::uint64_t now);
  bool ring_full() const { return ring_full_; }

  // The iteration barrier let this vCPU go after it had waited `waited` cycles in
  // user space: it re-enters the guest (KVM_RUN).
  void resume(Agent& a, std::uint64_t waited);

  VcpuState state() const { return state_; }
  std::uint64_t idle_from() const { return idle_from_; }
  std::uint64_t paused_at() const { return paused_at_; }  // when it stopped for stop-and-copy
  TlbHierarchy& tlb() { return tlb_; }
  const TlbHierarchy& tlb() const { return tlb_; }
  const VcpuStats& stats() const { return st_; }

  // The vCPU's statistics at the end of a run that ended at `end`: its clock, its
  // lock wait and pause, its TLBs' counters.
  const VcpuStats& finish(const Agent& a, std::uint64_t end);

 private:
  // run()'s steps for operations that hit the micro TLB (see there); `n` steps made
  // so far, returns the new count.
  std::uint64_t run_tlb_hits(Agent& a, std::uint64_t horizon, std::uint64_t max_steps, std::uint64_t n);
  void access(Agent& a);
  // The end of `op`'s successful access at `now`: counted, and a write recorded in
  // its page's version for the verifier.
  void completed(const workloads::GuestOp& op, std::uint64_t now);
  void handle_fault(Agent& a);
  void guest_sync(Agent& a);
  // op_ = the vCPU's next operation (false when its stream is over), the ones drawn
  // ahead announced to prefetch().
  bool take_op(const Agent& a);
  // Host prefetches for an operation this vCPU, on cache-model core `core`, will run a
  // few operations from now.
  void prefetch(const workloads::GuestOp& op, unsigned core);

  RunContext& ctx_;
  OpLookahead& ops_;
  HostLeafPrefetch& leaf_prefetch_;
  // What every access reads, held here rather than reached through ctx_.
  const Costs& costs_;
  const mmu::S2PageTable& pgtable_;
  const mmu::Memslot& slot_;
  CacheHierarchy& caches_;
  LostWriteVerifier& pages_;
  std::uint16_t vmid_;

  TlbHierarchy tlb_;
  VcpuState state_ = VcpuState::NeedOp;
  workloads::GuestOp op_{};
  mmu::TranslateResult walk_{};  // the last hardware walk (its leaf, for hardware dirty state)
  unsigned retries_ = 0;           // faults taken by the current access
  std::uint8_t recent_walks_ = 0;  // bit i: the access i accesses ago missed the main TLB
  std::uint64_t idle_from_ = 0;
  std::uint64_t paused_at_ = 0;
  mmu::FaultKind fault_kind_ = mmu::FaultKind::None;  // the fault being handled (timeline)
  std::uint64_t fault_begin_ = 0;                     // when it was taken (timeline)
  std::uint64_t fault_lock_wait0_ = 0;                // the agent's lock_wait then (timeline)
  bool ring_full_ = false;                            // out after KVM_EXIT_DIRTY_RING_FULL
  VcpuStats st_;
};

// What the dirty ring's collector (the migration thread, perf-test's driver) asks of
// the vCPUs, `agents` holding their scheduling state by vCPU index in `vcpus`:
// whether one still runs but is out on KVM_EXIT_DIRTY_RING_FULL, and, after
// KVM_RESET_DIRTY_RINGS at `now`, putting back on `queue` every one whose ring has room.
bool any_vcpu_ring_full(const std::vector<Agent>& agents, const std::vector<VcpuAgent>& vcpus);
void wake_vcpus_after_ring_reset(std::vector<Agent>& agents, std::vector<VcpuAgent>& vcpus, RunQueue& queue,
                                 std::uint64_t now);

}  // namespace s2sim::sim
