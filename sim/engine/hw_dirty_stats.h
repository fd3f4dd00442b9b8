// What the hardware dirty-state mechanisms did in a run (sim/engine/hw_dirty.h): kept
// apart so that the run result gains one member, written only when a mode is on.
#pragma once

#include <cstdint>

namespace s2sim::sim {

struct HwDirtyStats {
  std::uint64_t hw_updates = 0;        // writes the walker let through by setting S2AP[1] (no fault)
  std::uint64_t hw_update_cycles = 0;  // their walks, descriptor stores and HDBSS appends
  std::uint64_t syncs = 0;             // kvm_arch_sync_dirty_log calls (scans or drains)
  std::uint64_t sync_cycles = 0;       // their time on the syncing thread, lock waits included
  std::uint64_t ptes_scanned = 0;      // DBM: leaf ptes read by the scans
  std::uint64_t ptes_cleaned = 0;      // DBM: writable ptes made writable-clean
  std::uint64_t blocks_protected = 0;  // DBM: writable blocks made read-only
  std::uint64_t hdbss_appends = 0;     // HDBSS: entries the hardware wrote
  std::uint64_t hdbss_full_traps = 0;  // HDBSS: buffer-full aborts (ESR ISS2.HDBSSF) drained by the vCPU
  std::uint64_t hdbss_drained = 0;     // HDBSS: entries drained (at full, and at sync)
  std::uint64_t hacdbs_rounds = 0;          // HACDBS: lists the hardware processed (one HACDBSIRQ each)
  std::uint64_t hacdbs_entries = 0;         // HACDBS: page entries software listed
  std::uint64_t hacdbs_cleaned = 0;         // HACDBS: writable-dirty leaves the hardware made writable-clean
  std::uint64_t hacdbs_already_clean = 0;   // HACDBS: listed leaves it found writable-clean
  std::uint64_t hacdbs_errors = 0;          // HACDBS: rounds stopped by an error (IPAF, IPAHACF)
  std::uint64_t hacdbs_fallback_pages = 0;  // HACDBS: pages write-protected by software after an error
  std::uint64_t hacdbs_cycles = 0;          // HACDBS: list writes, entry reads, walk steps, round trips
};

}  // namespace s2sim::sim
