// Every descriptor load and store made by a software walker (or the fault handler)
// is reported here with its level; timing is added by the layer above (the cycle
// engine charges cache-model latencies), never inside the walkers.
#pragma once

#include <array>
#include <cstdint>

#include "mmu/types.h"

namespace s2sim::mmu {

class AccessSink {
 public:
  virtual ~AccessSink() = default;
  virtual void on_load(phys_addr_t pa, level_t level) = 0;
  virtual void on_store(phys_addr_t pa, level_t level) = 0;
};

// Counts loads and stores per level.
class CountingSink final : public AccessSink {
 public:
  void on_load(phys_addr_t, level_t level) override { ++loads[static_cast<std::size_t>(level)]; }
  void on_store(phys_addr_t, level_t level) override { ++stores[static_cast<std::size_t>(level)]; }
  std::uint64_t total_loads() const { return loads[0] + loads[1] + loads[2] + loads[3]; }
  std::uint64_t total_stores() const { return stores[0] + stores[1] + stores[2] + stores[3]; }
  // Loads above the leaf (pte) level: what crosses_pmd exists to save.
  std::uint64_t upper_level_loads() const { return loads[0] + loads[1] + loads[2]; }
  void clear() { loads = {}; stores = {}; }

  std::array<std::uint64_t, 4> loads{}, stores{};
};

// Forwards to two sinks (e.g. a counter and the timing model).
class TeeSink final : public AccessSink {
 public:
  TeeSink(AccessSink& a, AccessSink& b) : a_(a), b_(b) {}
  void on_load(phys_addr_t pa, level_t level) override { a_.on_load(pa, level); b_.on_load(pa, level); }
  void on_store(phys_addr_t pa, level_t level) override { a_.on_store(pa, level); b_.on_store(pa, level); }

 private:
  AccessSink& a_;
  AccessSink& b_;
};

}  // namespace s2sim::mmu
