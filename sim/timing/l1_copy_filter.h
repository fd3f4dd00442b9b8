// How many L1 copies of cache lines all cores' L1s hold together, counted per bucket of
// a hash of the line. The cache model's write-invalidate asks every other core's L1
// to drop the line a store writes: with 64 or 152 vCPUs that is one tag search per
// core for each descriptor store of the fault path, nearly always finding nothing
// (a vCPU of dirty_log_perf_test walks only its own part of the tables). A store
// whose bucket counts only the writer's own copy has no other copy to drop and skips
// the search.
//
// A host-speed device, exact by construction (like RegionFilter): every L1 fill adds
// to its line's bucket and every copy dropped (evicted, invalidated, flushed) takes
// from it, so a bucket never counts fewer copies than its lines have; a count above
// the writer's own copy may belong to another line, and then every L1 is searched as
// before.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace s2sim::sim {

class L1CopyFilter {
 public:
  // For `l1_lines` lines of L1 in all: about four buckets a line, so that a line
  // seldom shares its bucket (at most 4M buckets, 16 MiB).
  explicit L1CopyFilter(std::uint64_t l1_lines)
      : count_(std::bit_ceil(std::clamp<std::uint64_t>(4 * l1_lines, 4096, std::uint64_t{1} << 22))),
        mask_(count_.size() - 1) {}

  void add(std::uint64_t line) { ++count_[bucket(line)]; }
  void remove(std::uint64_t line) { --count_[bucket(line)]; }
  void clear() { std::fill(count_.begin(), count_.end(), 0); }
  // False only if no L1 but the one known to hold `line` holds a copy of it.
  bool others_may_hold(std::uint64_t line) const { return count_[bucket(line)] > 1; }

 private:
  std::size_t bucket(std::uint64_t line) const {
    return static_cast<std::size_t>((line * 0x9E3779B97F4A7C15ull) >> 40) & mask_;
  }
  std::vector<std::uint32_t> count_;
  std::size_t mask_;
};

}  // namespace s2sim::sim
