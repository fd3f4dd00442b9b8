// An access sink that prices every descriptor load and store a walker makes with the
// data-cache model, so a benchmark can report simulated cycles next to host time.
//
// The walkers never see time (DESIGN.md: "timing is added above, never inside"); this
// is the "above" for the benchmarks: each access goes to CacheHierarchy::access() on
// one core, the way the migration thread's core would issue it, and the latency of the
// level that served it is summed.
#pragma once

#include <cstdint>

#include "mmu/access_sink.h"
#include "sim/cache_model.h"
#include "sim/machine.h"

namespace s2sim::bench {

class CycleSink final : public mmu::AccessSink {
 public:
  explicit CycleSink(sim::CacheHierarchy& cache, unsigned core = 0) : cache_(cache), core_(core) {}

  void on_load(mmu::phys_addr_t pa, mmu::level_t) override { cycles_ += cache_.access(core_, pa, false).cycles; }
  void on_store(mmu::phys_addr_t pa, mmu::level_t) override { cycles_ += cache_.access(core_, pa, true).cycles; }

  std::uint64_t cycles() const { return cycles_; }
  void clear() { cycles_ = 0; }

 private:
  sim::CacheHierarchy& cache_;
  unsigned core_;
  std::uint64_t cycles_ = 0;
};

// The default cost model: Cortex-A15 (sim::cortex_a15(), configs/machines/cortex-a15.json).
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
