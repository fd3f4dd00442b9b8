// The dirty-logging invariant, checked after each get_dirty_log when
// verify.invariants is on: every page of the migrated slot is dirty in the bitmap
// just returned (or otherwise known to user space: pages collected and not yet sent)
// or in the live bitmap or a vCPU's dirty ring, or else write-protected in the stage-2 tables
// with no writable TLB entry for it on any vCPU. A page that is neither can be
// written without anyone noticing: a lost write waiting to happen.
#pragma once

#include <cstdint>
#include <vector>

#include "mmu/kvm.h"
#include "sim/engine/run_result.h"
#include "sim/timing/tlb.h"

namespace s2sim::sim {

// Checks the invariant at simulated time `now` (the migration thread's clock) against
// `reported` (sorted gfns) and counts each violation in res.invariant_violations,
// describing the first few in res.first_invariant_violations. `tlbs`: each vCPU's
// TLBs, by vCPU index.
void check_dirty_log_invariant(const mmu::Kvm& kvm, const mmu::Memslot& slot, const std::vector<mmu::gfn_t>& reported,
                               const std::vector<const TlbHierarchy*>& tlbs, std::uint64_t now, RunResult& res);

}  // namespace s2sim::sim
