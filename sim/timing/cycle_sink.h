// Charges software descriptor accesses (fault handler, write-protect walkers) to the
// cache model of the core that makes them, and counts them per level.
#pragma once

#include <array>
#include <cstdint>

#include "mmu/access_sink.h"
#include "sim/timing/cache_model.h"

namespace s2sim::sim {

class CycleSink final : public mmu::AccessSink {
 public:
  CycleSink(CacheHierarchy& caches, unsigned core) : caches_(caches), core_(core) {}
  void on_load(mmu::phys_addr_t pa, mmu::level_t level) override {
    cycles += caches_.access(core_, pa, false).cycles;
    ++loads[static_cast<std::size_t>(level)];
  }
  void on_store(mmu::phys_addr_t pa, mmu::level_t level) override {
    cycles += caches_.access(core_, pa, true).cycles;
    ++stores[static_cast<std::size_t>(level)];
  }
  std::uint64_t cycles = 0;
  std::array<std::uint64_t, 4> loads{}, stores{};

 private:
  CacheHierarchy& caches_;
  unsigned core_;
};

}  // namespace s2sim::sim
