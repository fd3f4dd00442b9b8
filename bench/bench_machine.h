// The machine the benchmarks price simulated cycles with (the Cortex-A15 defaults)
// and a cache model for it; descriptor accesses are charged through sim::CycleSink.
#pragma once

#include <cstdint>

#include "sim/timing/cache_model.h"
#include "sim/timing/machine.h"

namespace s2sim::bench {

inline const sim::MachineConfig& default_machine() {
  static const sim::MachineConfig m = sim::cortex_a15();
  return m;
}

// The machine's cache hierarchy for `cores` cores (the benchmarks use one: the core
// running KVM_GET_DIRTY_LOG).
inline sim::CacheHierarchy make_cache(const sim::MachineConfig& m, unsigned cores = 1) {
  return sim::CacheHierarchy(cores, m.l1d, m.l2, m.dram_latency_cycles);
}

}  // namespace s2sim::bench
