// Charges software descriptor accesses (fault handler, write-protect walkers) to the
// cache model of the core that makes them, and counts them per level.
#pragma once

#include <cstdint>

#include "mmu/access_sink.h"
#include "sim/timing/cache_model.h"
#include "sim/timing/level_counts.h"

namespace s2sim::sim {

class CycleSink final : public mmu::AccessSink {
 public:
  CycleSink(CacheHierarchy& caches, unsigned core) : caches_(caches), core_(core) {}
  void on_load(mmu::phys_addr_t pa, mmu::level_t level) override {
    cycles += caches_.access(core_, pa, false).cycles;
    loads.add(level);
  }
  void on_store(mmu::phys_addr_t pa, mmu::level_t level) override {
    cycles += caches_.access(core_, pa, true).cycles;
    stores.add(level);
  }
  std::uint64_t cycles = 0;
  LevelCounts loads, stores;

 private:
  CacheHierarchy& caches_;
  unsigned core_;
};

}  // namespace s2sim::sim
