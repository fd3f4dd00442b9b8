// Descriptor accesses counted per lookup level, the ARM ARM's levels 0-3 (DDI 0406C
// B3.6 for ARMv7 LPAE, which uses levels 1-3). Which kernel name a level carries
// depends on the geometry's start level: on ARMv7 LPAE level 1 is the pgd (the pud is
// folded into it), level 2 the pmd and level 3 the pte; a 4-level ARMv8 geometry
// starts with its pgd at level 0. Level 3 holds only page descriptors: the leaf.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "mmu/types.h"

namespace s2sim::sim {

class LevelCounts {
 public:
  static constexpr std::size_t kLevels = mmu::kMaxLevel + 1;

  // Counts `n` accesses at `level` (0..3).
  void add(mmu::level_t level, std::uint64_t n = 1) { n_[static_cast<std::size_t>(level)] += n; }
  std::uint64_t at(mmu::level_t level) const { return n_[static_cast<std::size_t>(level)]; }

  std::uint64_t level0() const { return n_[0]; }
  std::uint64_t level1() const { return n_[1]; }
  std::uint64_t level2() const { return n_[2]; }
  std::uint64_t level3() const { return n_[3]; }
  // Accesses above the leaf level (levels 0-2): what crosses_pmd exists to save.
  std::uint64_t upper() const { return n_[0] + n_[1] + n_[2]; }
  std::uint64_t leaf() const { return n_[3]; }
  std::uint64_t total() const { return upper() + leaf(); }
  // Level 0 first, for the result JSON's "..._by_level" arrays.
  const std::array<std::uint64_t, kLevels>& by_level() const { return n_; }

  LevelCounts& operator+=(const LevelCounts& o) {
    for (std::size_t i = 0; i < kLevels; ++i) n_[i] += o.n_[i];
    return *this;
  }
  // What changed between two readings of the same counters (later - earlier).
  friend LevelCounts operator-(const LevelCounts& a, const LevelCounts& b) {
    LevelCounts d;
    for (std::size_t i = 0; i < kLevels; ++i) d.n_[i] = a.n_[i] - b.n_[i];
    return d;
  }
  friend bool operator==(const LevelCounts&, const LevelCounts&) = default;

 private:
  std::array<std::uint64_t, kLevels> n_{};
};

}  // namespace s2sim::sim
