// What the agents of one run share: the config, the VM and its migrated memslot, the
// cache model, the locks, the TLB shootdown, the verifier's page record, the timeline
// and the result being filled. The engine owns all of it (engine.h) and builds one
// RunContext that every agent holds by reference.
#pragma once

#include <cstdint>

#include "mmu/kvm.h"
#include "sim/config/config.h"
#include "sim/engine/iteration_barrier.h"
#include "sim/engine/lock_arbiter.h"
#include "sim/engine/run_result.h"
#include "sim/engine/timeline.h"
#include "sim/engine/tlb_shootdown.h"
#include "sim/engine/verifier.h"
#include "sim/timing/cache_model.h"

namespace s2sim::sim {

class HwDirtyUnit;

struct RunContext {
  const SimConfig& cfg;
  mmu::Kvm& kvm;
  mmu::Memslot& slot;  // the migrated slot (migration.slot)
  CacheHierarchy& caches;
  LockArbiter& locks;
  TlbShootdown& shootdown;
  LostWriteVerifier& pages;
  Timeline* trace;  // optional
  RunResult& res;
  // When the migration thread starts (migration.start_ms): what happens before is the
  // guest's warm-up, not round 0. 0 without migration: no warm-up to count.
  std::uint64_t migration_start = 0;
  // Set by the migration thread for stop-and-copy (vm_stop): each vCPU stops at its
  // next step outside a fault.
  bool pause_requested = false;
  // The perf-test driver's iteration handshake; null when nothing drives iterations
  // (a memstress GUEST_SYNC then returns to the guest at once).
  IterationBarrier* barrier = nullptr;
  // Hardware dirty state (hw_dirty.h); null with dirty_log.hw_dirty "none".
  HwDirtyUnit* hw_dirty = nullptr;
};

}  // namespace s2sim::sim
