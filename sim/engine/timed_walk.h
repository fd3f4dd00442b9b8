// A main-TLB miss as a vCPU's core serves it: the hardware stage-2 walk, started below
// the deepest table descriptor the walk cache holds for the IPA, each descriptor it
// reads loaded through the core's caches (the cache model) at walk_step_overhead more
// a step, the table descriptors it passed put in the walk cache, and on success the
// translation filled into the TLBs. The descriptors are read as they are now.
//
// VcpuAgent::access() makes every walk through it; s2sim-bench's model floor makes the
// same walks with nothing around them.
#pragma once

#include <cstdint>
#include <optional>

#include "mmu/hw_walk.h"
#include "mmu/s2_pgtable.h"
#include "sim/engine/run_result.h"
#include "sim/timing/cache_model.h"
#include "sim/timing/tlb.h"

namespace s2sim::sim {

// The walk's result goes to `walk`; its loads are counted in `stats` (walk_loads,
// walk_loads_where, walk_cycles). Returns the walk's cycles.
inline std::uint64_t timed_walk(TlbHierarchy& tlb, const mmu::S2PageTable& pgtable, CacheHierarchy& caches,
                                unsigned core, std::uint16_t vmid, mmu::ipa_t ipa, mmu::Access access,
                                std::uint64_t walk_step_overhead, mmu::TranslateResult& walk, VcpuStats& stats) {
  WalkCache* wc = tlb.walk_cache();
  const std::optional<WalkCacheHit> wch = wc ? wc->lookup(vmid, ipa) : std::nullopt;
  walk = wch && pgtable.geometry().ipa_in_range(ipa)
             ? mmu::translate_from(pgtable, ipa, access, wch->level + 1, wch->next_table)
             : mmu::translate(pgtable, ipa, access);
  std::uint64_t cycles = 0;
  for (unsigned i = 0; i < walk.nvisited; ++i) {
    const CacheAccess c = caches.access(core, walk.visited[i], false);
    cycles += c.cycles + walk_step_overhead;
    stats.walk_loads.add(walk.visited_level[i]);
    stats.walk_loads_where.add(c.level);
    if (wc && i + 1 < walk.nvisited) wc->insert(vmid, walk.visited_level[i], ipa, walk.visited[i + 1] & mmu::PAGE_MASK);
  }
  stats.walk_cycles += cycles;
  if (walk.fault == mmu::FaultKind::None)
    tlb.fill(TlbEntry::make(vmid, ipa, walk.block_shift, walk.pa, walk.readable, walk.writable), access);
  return cycles;
}

}  // namespace s2sim::sim
