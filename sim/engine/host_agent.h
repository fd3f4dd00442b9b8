// The host's MMU-notifier activity: every host.unmap_every_ms the host kernel unmaps
// a random page of the migrated slot (kvm_unmap_hva_range -> unmap_stage2_range), or
// with host.unmap = "pmd" its whole 2 MiB pmd, under mmu_lock — as when it reclaims,
// migrates or merges the memory behind it. The guest faults the page back in.
#pragma once

#include <cstdint>

#include "sim/engine/agent.h"
#include "sim/engine/run_context.h"

namespace s2sim::sim {

class HostAgent {
 public:
  explicit HostAgent(RunContext& ctx);

  // Cycles between two unmaps (and before the first).
  std::uint64_t period() const { return period_; }
  void step(Agent& a);

 private:
  RunContext& ctx_;
  std::uint64_t period_;
  std::uint64_t rng_;
  bool whole_pmd_;  // host.unmap: "pmd" (else "page")
};

}  // namespace s2sim::sim
