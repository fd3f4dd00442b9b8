// What the agents of one run share: the config, the VM and its migrated memslot, the
// cache model, the locks, the TLB shootdown, the verifier's page record, the timeline
// and the result being filled. The engine owns all of it (engine.h) and builds one
// RunContext that every agent holds by reference.
#pragma once

#include "mmu/kvm.h"
#include "sim/config/config.h"
#include "sim/engine/lock_arbiter.h"
#include "sim/engine/run_result.h"
#include "sim/engine/timeline.h"
#include "sim/engine/tlb_shootdown.h"
#include "sim/engine/verifier.h"
#include "sim/timing/cache_model.h"

namespace s2sim::sim {

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
  // Set by the migration thread for stop-and-copy (vm_stop): each vCPU stops at its
  // next step outside a fault.
  bool pause_requested = false;
};

}  // namespace s2sim::sim
