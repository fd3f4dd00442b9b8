// The migration thread: the pre-copy driver, a state machine advanced one step at a
// time on its own clock.
//
//   Start        KVM_SET_USER_MEMORY_REGION with KVM_MEM_LOG_DIRTY_PAGES
//   Enable       kvm_mmu_wp_memory_region() under mmu_lock, one 2 MiB chunk a step
//   EnableFlush  its kvm_flush_remote_tlbs()
//   Round0       send every page while the guest runs
//   Round        get_dirty_log (dirty_log_timing.h), one step at a time
//   Decide       the stop rule (stop_rule.h): another round, or stop-and-copy
//   Send         send the pages reported dirty, one a step; then the next Round
//   Pause        vm_stop(): wait until every vCPU has left the guest
//   Final        the last get_dirty_log, guest stopped
//   FinalSend    send what it reported (the downtime), then verify
//   Done
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "mmu/wp_walker.h"
#include "sim/engine/agent.h"
#include "sim/engine/dirty_log_timing.h"
#include "sim/engine/run_context.h"
#include "sim/engine/run_result.h"
#include "sim/engine/stop_rule.h"
#include "sim/engine/tlb_shootdown.h"

namespace s2sim::sim {

class VcpuAgent;

class MigrationAgent {
 public:
  enum class Phase : std::uint8_t { Start, Enable, EnableFlush, Round0, Round, Decide, Send, Pause, Final, FinalSend, Done };

  // `agents` (by id) and `vcpus` (by index) are the engine's: vm_stop() waits for
  // every vCPU, and the invariant checker reads their TLBs. Throws
  // std::invalid_argument for a walker or stop rule nobody registered.
  MigrationAgent(RunContext& ctx, std::vector<Agent>& agents, std::vector<VcpuAgent>& vcpus);
  ~MigrationAgent();

  void step(Agent& a);

  Phase phase() const { return phase_; }
  bool done() const { return phase_ == Phase::Done; }
  unsigned round() const { return round_.round; }  // the round in progress

 private:
  void enable_chunk(Agent& a);     // Enable: one 2 MiB chunk of the write-protect walk
  void send_round0_pages(Agent& a);
  void get_dirty_log_step(Agent& a);
  void decide(Agent& a);
  void send_step(Agent& a);
  bool all_vcpus_stopped(Agent& a);  // Pause: true once every vCPU has stopped
  void copy_page(Agent& a, mmu::gfn_t gfn);
  void finish_round(Agent& a);
  std::uint64_t write_protect_faults() const;  // over every vCPU, so far

  RunContext& ctx_;
  std::vector<Agent>& agents_;
  std::vector<VcpuAgent>& vcpus_;
  std::vector<const TlbHierarchy*> tlbs_;  // each vCPU's, for the invariant checker
  std::unique_ptr<mmu::WpWalker> walker_;
  std::unique_ptr<StopRule> stop_rule_;
  std::uint64_t page_send_cycles_;  // one page: copy and wire, pipelined

  Phase phase_ = Phase::Start;
  mmu::gfn_t cursor_ = 0;              // next page to write-protect (Enable) or send (Round0)
  std::vector<mmu::gfn_t> pending_;    // pages to send, sorted
  std::size_t send_pos_ = 0;
  std::optional<TimedGetDirtyLog> call_;  // the get_dirty_log in progress
  std::uint64_t send_begin_ = 0;       // when the current send phase started (timeline)
  RoundStats round_;
  std::uint64_t faults_at_round_start_ = 0;
  TlbShootdownStats flushes_at_round_start_;
  std::uint64_t pause_start_ = 0;
  std::uint64_t start_cycle_ = 0;  // when the migration thread began
  bool forced_ = false;            // the stop rule forced stop-and-copy
};

}  // namespace s2sim::sim
