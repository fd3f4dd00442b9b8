// Everything a run measured: filled by the engine, printed by the report and written
// as the result JSON (schema s2sim.result/1). No field is ever filled in by hand.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mmu/hazard.h"
#include "mmu/wp_walker.h"
#include "sim/engine/hw_dirty_stats.h"
#include "sim/engine/perf_test_result.h"
#include "sim/timing/cache_model.h"
#include "sim/timing/level_counts.h"
#include "sim/timing/tlb.h"

namespace s2sim::sim {

// What the dirty-log APIs of today did (dirty_log.api clear / ring, eager splitting):
// over the run in RunResult::api, over a round in RoundStats::api.
struct DirtyApiStats {
  std::uint64_t clear_calls = 0;            // KVM_CLEAR_DIRTY_LOG ioctls
  std::uint64_t clear_pages_protected = 0;  // bits CLEAR cleared (each page write-protected again)
  std::uint64_t clear_cycles = 0;           // the ioctls, lock waits included
  std::uint64_t ring_harvests = 0;          // user space collections of every vCPU's ring
  std::uint64_t ring_entries_harvested = 0;
  std::uint64_t ring_resets = 0;            // KVM_RESET_DIRTY_RINGS ioctls
  std::uint64_t ring_pages_protected = 0;   // bits of the runs the resets write-protected again
  std::uint64_t ring_cycles = 0;            // harvests and resets, lock waits included
  std::uint64_t soft_full_exits = 0;        // KVM_EXIT_DIRTY_RING_FULL
  std::uint64_t blocks_split = 0;           // eager splitting: blocks replaced by tables
  std::uint64_t split_chunks = 0;           // kvm_pgtable_stage2_split calls
  std::uint64_t split_topups = 0;           // split page cache top-ups (mmu_lock dropped)
  std::uint64_t split_cycles = 0;           // eager splitting, at enable time or in CLEAR

  DirtyApiStats operator-(const DirtyApiStats& o) const {
    return {clear_calls - o.clear_calls,         clear_pages_protected - o.clear_pages_protected,
            clear_cycles - o.clear_cycles,       ring_harvests - o.ring_harvests,
            ring_entries_harvested - o.ring_entries_harvested, ring_resets - o.ring_resets,
            ring_pages_protected - o.ring_pages_protected, ring_cycles - o.ring_cycles,
            soft_full_exits - o.soft_full_exits, blocks_split - o.blocks_split,
            split_chunks - o.split_chunks,       split_topups - o.split_topups,
            split_cycles - o.split_cycles};
  }
};

struct RoundStats {
  unsigned round = 0;
  std::uint64_t dirty_pages = 0;   // to send after this round's get_dirty_log (round 0: every page; stop-and-copy:
                                   // the last pre-copy report and the final one, merged)
  std::uint64_t pages_sent = 0;
  std::uint64_t start_cycle = 0, cycles = 0;       // the round's span
  std::uint64_t get_dirty_log_cycles = 0;          // the ioctl, lock waits included
  std::uint64_t guest_write_faults = 0;            // write-protect faults during the round
  std::uint64_t tlb_flushes = 0;                   // flush requests during the round
  DirtyApiStats api;                               // what the dirty-log API did during the round
  bool stop_and_copy = false;
};

// What happened before the migration started (round 0 counts from its start).
struct WarmupStats {
  std::uint64_t cycles = 0;  // from 0 to the migration's start
  std::uint64_t translation_faults = 0, write_protect_faults = 0;
  std::uint64_t tlb_flushes = 0;  // flush requests
};

struct VcpuStats {
  std::uint64_t ops = 0, reads = 0, writes = 0;
  std::uint64_t cycles = 0;           // the vCPU's clock at the end
  std::uint64_t busy_cycles = 0;      // spent on operations (think, TLB, walks, faults)
  std::uint64_t idle_cycles = 0;      // waiting for a periodic workload's next burst, or in user space
                                      // for the next memstress iteration
  std::uint64_t paused_cycles = 0;    // stopped for stop-and-copy
  std::uint64_t mmu_lock_wait = 0;
  // The vCPU's TLBs' own counters, read at the end of the run: hits (micro, main),
  // misses (each one a hardware walk), the TLB maintenance requests that reached them.
  TlbHierarchyStats tlb;
  std::uint64_t walk_cycles = 0;
  LevelCounts walk_loads;       // hardware walk descriptor loads per level
  CacheHits walk_loads_where;   // ... by the cache level that served them
  std::uint64_t translation_faults = 0, write_protect_faults = 0, other_faults = 0, mmio = 0;
  // Write-protect faults that dissolved a block (stage2_dissolve_pmd): the 4 KiB pages
  // around it fault again. Counted within write_protect_faults.
  std::uint64_t split_faults = 0;
  std::uint64_t ucalls = 0;     // GUEST_SYNC exits to user space (memstress)
  std::uint64_t abandoned = 0;  // accesses given up after kMaxFaultRetries faults in a row
  std::uint64_t fault_cycles = 0;
};

// Where the migration thread's KVM_GET_DIRTY_LOG time went, summed over every call of
// the run, in cycles. The phases add up to the calls' spans (the sum of
// rounds[].get_dirty_log_cycles); without lock_wait they add up to dl_cycles.
struct GetDirtyLogPhases {
  std::uint64_t entry = 0;          // ioctl entry, validation, zeroing the snapshot buffer
  std::uint64_t lock_wait = 0;      // waiting for slots_lock / mmu_lock (the hand-over included)
  std::uint64_t lock = 0;           // taking slots_lock and mmu_lock uncontended (spin_lock)
  std::uint64_t words = 0;          // reading every bitmap word, xchg of the non-zero ones
  std::uint64_t write_protect = 0;  // the walker's descriptor loads and stores (its cache latencies)
  std::uint64_t flush = 0;          // kvm_flush_remote_tlbs (TLBIALLIS + DSB on the migration core)
  std::uint64_t snapshot = 0;       // the late per-word snapshot of the after_wp teaching order
  std::uint64_t copy_out = 0;       // copy_to_user of the dirty bitmap
  std::uint64_t hw_sync = 0;        // kvm_arch_sync_dirty_log with hardware dirty state (scan or drain)

  std::uint64_t work() const { return entry + lock + words + write_protect + flush + snapshot + copy_out + hw_sync; }
  std::uint64_t total() const { return work() + lock_wait; }
};

struct LostWrite {
  std::uint64_t gfn = 0;
  std::uint32_t source_version = 0, copied_version = 0;
  std::uint64_t last_write_cycle = 0;
  unsigned round = 0;  // the round during which the last write happened
};

struct RunResult {
  std::uint64_t seed = 0;
  std::string dirty_log_api;  // dirty_log.api: get, clear or ring
  DirtyApiStats api;
  std::string walker;
  std::string workload;
  // guest
  std::uint64_t ops = 0, reads = 0, writes = 0, distinct_pages_written = 0;
  // Every vCPU ran out of operations (rather than being stopped for stop-and-copy):
  // when the last one did, and during which round (-1: before the migration started).
  bool guest_finished = false;
  std::uint64_t guest_finished_cycles = 0;
  int guest_finished_round = -1;
  // trace workloads: lines that were not operations, and the 2 MiB regions of trace
  // addresses placed in the memslot (lackey)
  std::uint64_t trace_lines_skipped = 0, trace_regions_mapped = 0;
  // TLBs
  std::uint64_t tlb_hits = 0, tlb_misses = 0, flush_all = 0, flush_ipa = 0, tlb_entries_invalidated = 0;
  // faults
  std::uint64_t translation_faults = 0, write_protect_faults = 0, mmio_aborts = 0;
  // perf-test runs only (the perf-test driver in the migration thread's place); not
  // part of the result JSON, which perf-test does not write.
  HwDirtyStats hw_dirty;  // with dirty_log.hw_dirty other than none
  PerfTestResult perf;
  // Guest accesses the engine gave up on because their faults made no progress: a
  // model bug; any fails verification (a dropped write would never reach the verifier).
  std::uint64_t abandoned_accesses = 0;
  // dirty log
  std::uint64_t get_dirty_log_calls = 0, pages_reported = 0;
  mmu::WpStats wp;  // walker stats over all get_dirty_log calls
  LevelCounts dl_loads, dl_stores;  // walker descriptor accesses per level
  std::uint64_t dl_cycles = 0;  // get_dirty_log's own work, lock waits excluded (= dl_phases.work())
  GetDirtyLogPhases dl_phases;
  // The walker's descriptor accesses by the cache level that served them (migration core).
  CacheHits dl_loads_where, dl_stores_where;
  std::uint64_t enable_logging_cycles = 0;
  // migration
  bool migration_enabled = false;
  // Before the migration started (its start_ms): the guest's warm-up, kept out of round 0.
  WarmupStats warmup;
  std::vector<RoundStats> rounds;
  std::uint64_t pages_sent_total = 0, downtime_pages = 0, downtime_cycles = 0;
  // True only when the stop rule fired on pages that converged, the guest still
  // running. stop_reason: "converged", "rounds_limit", "data_limit" or
  // "guest_finished" (stop_rule.h); stop_detail: the rule's own words.
  bool converged = false;
  std::string stop_reason, stop_detail;
  // verify
  bool verify_enabled = false;
  std::uint64_t checked_pages = 0;  // pages compared: every page of the slot the guest wrote
  std::uint64_t lost_writes = 0;
  std::vector<LostWrite> first_lost;
  std::uint64_t invariant_violations = 0;
  std::vector<std::string> first_invariant_violations;
  std::array<std::uint64_t, mmu::kHazardKinds> hazards{};
  std::vector<mmu::Hazard> first_hazards;
  std::uint64_t host_unmaps = 0;
  // time
  std::uint64_t total_cycles = 0, migration_cycles = 0, mmu_lock_wait = 0;
  std::vector<VcpuStats> vcpu;
  double clock_hz = 0;

  bool verify_ok() const {
    return !verify_enabled || (lost_writes == 0 && invariant_violations == 0 && abandoned_accesses == 0);
  }
  std::uint64_t upper_level_loads() const { return dl_loads.upper(); }
  std::uint64_t descriptor_loads() const { return dl_loads.total(); }
  std::uint64_t descriptor_stores() const { return dl_stores.total(); }
};

}  // namespace s2sim::sim
