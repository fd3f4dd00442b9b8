// The migration thread: the pre-copy driver, a state machine advanced one step at a
// time on its own clock.
//
//   Start        KVM_SET_USER_MEMORY_REGION with KVM_MEM_LOG_DIRTY_PAGES
//   Enable       kvm_mmu_wp_memory_region() under mmu_lock, one 2 MiB chunk a step
//                (resched_lock: the lock may drop only at a pgd entry boundary), then
//                its kvm_flush_remote_tlbs() (enable_logging_timing.h)
//   Round0       send every page while the guest runs
//   Round        the round's dirty-page sync, one step at a time, with dirty_log.api's
//                call: get_dirty_log (dirty_log_timing.h; with "clear" it only
//                snapshots), or the rings' harvest + KVM_RESET_DIRTY_RINGS
//                (dirty_ring_timing.h)
//   Decide       the stop rule (stop_rule.h): another round, or stop-and-copy
//   Send         send the pages reported dirty, one a step; then the next Round
//   Pause        vm_stop(): wait until every vCPU has left the guest
//   Final        the last sync, guest stopped (with the ring: harvest, then the
//                RING_WITH_BITMAP get_dirty_log of the bitmap)
//   FinalSend    send what it reported (the downtime), then verify
//   Done
//
// With "clear", every send pass (round 0 included) first hands each chunk of
// 2^clear_bitmap_shift pages back with KVM_CLEAR_DIRTY_LOG (clear_dirty_log_timing.h)
// before sending its first page, as QEMU's migration_clear_memory_region_dirty_bitmap
// does. With "ring", a vCPU that exits with KVM_EXIT_DIRTY_RING_FULL waits until the
// migration thread, at its next step while sending, harvests and resets the rings;
// the pages harvested then are sent in the next round.
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
#include "sim/engine/run_context.h"
#include "sim/engine/run_queue.h"
#include "sim/engine/run_result.h"
#include "sim/engine/stop_rule.h"
#include "sim/engine/tlb_shootdown.h"

namespace s2sim::sim {

class VcpuAgent;

class MigrationAgent {
 public:
  enum class Api : std::uint8_t { Get, Clear, Ring };  // dirty_log.api
  enum class Phase : std::uint8_t { Start, Enable, Round0, Round, Decide, Send, Pause, Final, FinalSend, Done };

  // `agents` (by id) and `vcpus` (by index) are the engine's: vm_stop() waits for
  // every vCPU, and the invariant checker reads their TLBs. Throws
  // std::invalid_argument for a walker or stop rule nobody registered.
  // `queue` learns of the vCPUs a dirty-ring reset wakes.
  MigrationAgent(RunContext& ctx, std::vector<Agent>& agents, std::vector<VcpuAgent>& vcpus, RunQueue& queue);
  ~MigrationAgent();

  void step(Agent& a);

  Phase phase() const { return phase_; }
  bool done() const { return phase_ == Phase::Done; }
  // The timeline track of the rounds (a track of their own, after the agents'): a
  // round spans the phases on the migration thread's track and would not nest there.
  static int rounds_track(std::size_t agents) { return static_cast<int>(agents); }
  unsigned round() const { return round_.round; }  // the round in progress

 private:
  void send_round0_pages(Agent& a);
  void sync_step(Agent& a);
  void get_dirty_log_step(Agent& a);
  void sync_done(Agent& a, const std::vector<mmu::gfn_t>& reported);
  // Clear: true once the CLEAR chunk holding `gfn` has been handed back in this send
  // pass (every page of it when `whole_chunk`, else the pages pending in it); false
  // while the CLEAR runs.
  bool clear_before_send(Agent& a, mmu::gfn_t gfn, bool whole_chunk);
  // Ring: true when no collection is due or running; else steps one (started when a
  // vCPU waits after KVM_EXIT_DIRTY_RING_FULL) and returns false.
  bool serve_rings(Agent& a);
  // Ring: steps the collection in progress; true when it has returned (its pages
  // then join collected_ and the vCPUs it freed run again).
  bool ring_collect_step(Agent& a);
  void check_invariant(std::uint64_t now, const std::vector<mmu::gfn_t>& known);
  void decide(Agent& a);
  void send_step(Agent& a);
  bool all_vcpus_stopped(Agent& a);  // Pause: true once every vCPU has stopped
  bool guest_finished() const;       // every vCPU has run out of operations
  void note_warmup(std::uint64_t now);  // Start: the counts before the migration
  void copy_page(Agent& a, mmu::gfn_t gfn);
  void finish_round(Agent& a);
  std::uint64_t write_protect_faults() const;  // over every vCPU, so far

  RunContext& ctx_;
  std::vector<Agent>& agents_;
  std::vector<VcpuAgent>& vcpus_;
  RunQueue& queue_;
  std::vector<const TlbHierarchy*> tlbs_;  // each vCPU's, for the invariant checker
  std::unique_ptr<mmu::WpWalker> walker_;
  std::unique_ptr<StopRule> stop_rule_;
  std::uint64_t page_send_cycles_;  // one page: copy and wire, pipelined

  Phase phase_ = Phase::Start;
  std::optional<TimedEnableLogging> enable_;  // Enable in progress
  mmu::gfn_t cursor_ = 0;              // next page to send (Round0)
  std::vector<mmu::gfn_t> pending_;    // pages to send, sorted
  std::size_t send_pos_ = 0;
  std::optional<TimedGetDirtyLog> call_;  // the get_dirty_log in progress
  Api api_;
  std::optional<TimedClearDirtyLog> clear_;  // the CLEAR in progress
  std::uint64_t clear_next_chunk_ = 0;       // chunks below it are cleared in this send pass
  std::optional<TimedRingCollect> ring_;     // the harvest + reset in progress
  bool ring_synced_ = false;                 // this sync's ring collection is done
  std::vector<mmu::gfn_t> collected_;        // harvested since the last sync, sorted
  DirtyApiStats api_at_round_start_;
  std::uint64_t send_begin_ = 0;       // when the current send phase started (timeline)
  RoundStats round_;
  std::uint64_t faults_at_round_start_ = 0;
  TlbShootdownStats flushes_at_round_start_;
  std::uint64_t pause_start_ = 0;
  std::uint64_t start_cycle_ = 0;  // when the migration thread began
};

}  // namespace s2sim::sim
