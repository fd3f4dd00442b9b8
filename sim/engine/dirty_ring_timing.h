// The dirty ring's collection as the migration thread runs it (dirty_log.api "ring"):
// QEMU's kvm_dirty_ring_reap() -- harvest every vCPU's ring in user space, then
// KVM_RESET_DIRTY_RINGS (mmu/reset_dirty_rings.h) -- a step at a time:
//   Harvest   user space reads each published entry and flags it RESET: per entry
//             atomic_xchg (assumption: the load-acquire of the flags and the
//             store-release of RESET on a line the vCPU writes cost about one atomic)
//   Enter     ioctl_entry; slots_lock
//   Run       per coalesced run of entries: the kernel reads each entry
//             (bitmap_word_scan per entry, assumption: one word-sized read), then under
//             mmu_lock (write) kvm_reset_dirty_gfn() write-protects the run again; its
//             descriptor accesses at the core's cache latencies
//   Flush     after slots_lock is released, kvm_flush_remote_tlbs() if any entry was
//             reset (TLB shootdown)
// The harvested pages are user space's to send; the counts go to res.api.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "mmu/reset_dirty_rings.h"
#include "mmu/wp_walker.h"
#include "sim/engine/agent.h"
#include "sim/engine/run_context.h"
#include "sim/timing/machine.h"

namespace s2sim::sim {

// User space's harvest of `entries` entries, and the kernel's read of one entry in
// KVM_RESET_DIRTY_RINGS, on `m` (the assumptions above). The engine and the ring
// benchmark (bench/bench_dirty_api.cpp) both charge these.
std::uint64_t ring_harvest_cycles(const MachineConfig& m, std::uint64_t entries);
std::uint64_t ring_reset_entry_cycles(const MachineConfig& m);

class TimedRingCollect {
 public:
  TimedRingCollect(RunContext& ctx, mmu::WpWalker& walker, const Agent& a);

  // Runs the next step, charging `a`; true when the reset has returned. A step that
  // must wait for a lock does nothing and is retried.
  bool step(Agent& a);

  // The migrated slot's pages harvested, sorted, each once.
  const std::vector<mmu::gfn_t>& harvested() const { return harvested_; }
  std::uint64_t start() const { return start_; }

 private:
  enum class Phase : std::uint8_t { Harvest, Enter, Run, Flush, Done };
  void harvest(Agent& a);
  // The next run to protect again, walking ring after ring; false when every ring is done.
  bool next_run(Agent& a);

  RunContext& ctx_;
  mmu::WpWalker& walker_;
  std::uint64_t start_;
  Phase phase_ = Phase::Harvest;
  std::vector<mmu::gfn_t> harvested_;
  std::size_t ring_ = 0;
  std::optional<mmu::DirtyRingResetWalk> walk_;
  std::uint64_t walk_entries_seen_ = 0;
  std::optional<mmu::DirtyGfnRun> run_;
  mmu::ResetStats stats_;
};

}  // namespace s2sim::sim
