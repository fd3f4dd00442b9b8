// What the perf-test driver measures (perf_test_driver.h): dirty_log_perf_test's
// timed phases, and per iteration what the vCPUs and the dirty-log calls did.
// Cycles at the machine's clock; the CLI turns them into seconds.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/hw_dirty_stats.h"

namespace s2sim::sim {

struct PerfIteration {
  unsigned iteration = 0;  // 1 .. iterations (0 is the populate pass, reported apart)
  std::uint64_t dirty_memory_cycles = 0;    // from the start of the iteration to the last vCPU's GUEST_SYNC
  std::uint64_t get_dirty_log_cycles = 0;   // KVM_GET_DIRTY_LOG, entry to return
  std::uint64_t clear_dirty_log_cycles = 0; // KVM_CLEAR_DIRTY_LOG (manual-protect mode only)
  std::uint64_t dirty_pages = 0;            // pages the get_dirty_log call reported (ring: pages harvested)
  // With a dirty ring instead of GET/CLEAR: the collection after the pass (harvest +
  // KVM_RESET_DIRTY_RINGS), how many collections the iteration took (the ones that
  // served vCPUs out on KVM_EXIT_DIRTY_RING_FULL during the pass included), and those exits.
  std::uint64_t ring_collect_cycles = 0, ring_collections = 0, soft_full_exits = 0;
  // From the start of this iteration to the start of the next one (or of disabling):
  // the vCPUs' pass and the dirty-log calls after it. The fault kinds are disjoint:
  // a write-protect fault that dissolved a block counts as split only.
  std::uint64_t translation_faults = 0, write_protect_faults = 0, split_faults = 0;
  // TLB maintenance requests (kvm_flush_remote_tlbs, kvm_tlb_flush_vmid_ipa):
  // broadcast (inner shareable) or local (this PE only).
  std::uint64_t tlbi_broadcast = 0, tlbi_local = 0;
  std::uint64_t mmu_lock_wait_cycles = 0;   // every agent's wait for mmu_lock, hand-overs included
  // With hardware dirty state: writes the walker let through without a fault, and
  // HDBSS buffer-full aborts, over the same span; with HACDBS, the leaves the hardware
  // cleaned from its lists.
  std::uint64_t hw_updates = 0, hdbss_full_traps = 0, hacdbs_cleaned = 0;
};

struct PerfTestResult {
  std::uint64_t populate_cycles = 0;          // iteration 0, from time 0 to the last vCPU's GUEST_SYNC
  std::uint64_t enable_logging_cycles = 0;    // the ioctl, the write-protect walk and its flush
  std::uint64_t disable_logging_cycles = 0;
  std::vector<PerfIteration> iterations;
  HwDirtyStats hw_dirty;  // the whole run's, copied at the end
};

}  // namespace s2sim::sim
