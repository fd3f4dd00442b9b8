// Intermediate walk cache: cached table descriptors of stage-2 walks.
//
// A hardware walk that misses every TLB reads one descriptor per level, starting at
// the table VTTBR points to. Cores keep the table descriptors of recent walks so that
// the next walk in the same region can skip the upper levels. The Cortex-A15 TRM
// mentions such intermediate walk caches without giving their size; the
// Cortex-A53/A55 TRMs document a 64-entry 4-way walk cache. An entry here caches the
// table descriptor at `level` for the IPA range that descriptor resolves, i.e. the
// key is (vmid, level, ipa >> level_shift(level)) and the value the physical address
// of the next-level table. A lookup returns the deepest cached level, so the walk
// resumes at level + 1 reading from that table.
//
// Only table descriptors are cached: a block or page descriptor is a translation and
// belongs in the TLB. Entries are set-associative with true LRU, sized like a TLB.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "mmu/types.h"
#include "sim/timing/key_search.h"
#include "sim/timing/level_counts.h"
#include "sim/timing/lru_list.h"
#include "sim/timing/region_filter.h"

namespace s2sim::sim {

struct TlbConfig;  // tlb.h: the same entries/ways shape sizes the walk cache

// A walk-cache hit: the table descriptor at `level` is cached; `next_table` is the
// physical address of the level + 1 table it points to.
struct WalkCacheHit {
  mmu::level_t level = 0;
  mmu::phys_addr_t next_table = 0;

  friend bool operator==(const WalkCacheHit&, const WalkCacheHit&) = default;
};

struct WalkCacheStats {
  std::uint64_t lookups = 0;
  std::uint64_t hits = 0;    // a table descriptor of some level was cached
  std::uint64_t misses = 0;  // the walk starts at the start level
  LevelCounts hits_by_level;  // by the level of the cached descriptor
  std::uint64_t inserts = 0;
  std::uint64_t evictions = 0;
  std::uint64_t invalidated = 0;

  // What changed between two readings of the same walk cache (later - earlier).
  friend WalkCacheStats operator-(const WalkCacheStats& a, const WalkCacheStats& b) {
    return {a.lookups - b.lookups, a.hits - b.hits,           a.misses - b.misses,
            a.hits_by_level - b.hits_by_level, a.inserts - b.inserts, a.evictions - b.evictions,
            a.invalidated - b.invalidated};
  }
  friend bool operator==(const WalkCacheStats&, const WalkCacheStats&) = default;
};

class WalkCache {
 public:
  // Address bits resolved by the descriptor at `level`: 3 -> 12, 2 -> 21, 1 -> 30, 0 -> 39.
  static constexpr unsigned level_shift(mmu::level_t level) {
    return mmu::PAGE_SHIFT + 9u * static_cast<unsigned>(mmu::kMaxLevel - level);
  }
  // Levels whose descriptors may be tables (level 3 holds pages only).
  static constexpr mmu::level_t kMinTableLevel = 0;
  static constexpr mmu::level_t kMaxTableLevel = 2;

  // Throws std::invalid_argument if size.validate() is not empty.
  explicit WalkCache(const TlbConfig& size);

  unsigned entries() const { return static_cast<unsigned>(slots_.size()); }
  unsigned ways() const { return ways_; }

  // The deepest cached table descriptor covering `ipa` for `vmid`; the hit becomes
  // most recently used.
  std::optional<WalkCacheHit> lookup(std::uint16_t vmid, mmu::ipa_t ipa);
  // Same search without touching LRU state or statistics.
  std::optional<WalkCacheHit> probe(std::uint16_t vmid, mmu::ipa_t ipa) const;

  // Records the table descriptor read at `level` (0..2) while walking `ipa`. Replaces
  // an entry with the same key, else fills a free way or evicts the LRU one.
  // Throws std::invalid_argument for a level outside 0..2.
  void insert(std::uint16_t vmid, mmu::level_t level, mmu::ipa_t ipa, mmu::phys_addr_t next_table);

  // Each returns the number of entries dropped.
  unsigned invalidate_vmid(std::uint16_t vmid);
  // Every entry of `vmid` whose range (level_shift of its level) covers `ipa`.
  unsigned invalidate_ipa(std::uint16_t vmid, mmu::ipa_t ipa);
  unsigned invalidate_all();

  unsigned size() const;  // valid entries

  const WalkCacheStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }

 private:
  // A lookup scans only the fingerprints of a set (see key_search.h; 0 = free way);
  // the slot confirms a candidate.
  struct Slot {
    std::uint64_t tag = 0;  // ipa >> level_shift(level)
    mmu::phys_addr_t next_table = 0;
    std::uint16_t vmid = 0;
    std::int8_t level = 0;
  };
  std::size_t set_of(std::uint64_t tag) const { return static_cast<std::size_t>(tag & set_mask_); }
  // The slot holding the entry, or -1.
  int find(std::uint16_t vmid, mmu::level_t level, std::uint64_t tag) const;
  void drop(std::size_t set, std::size_t i);

  unsigned ways_ = 0;
  std::uint64_t set_mask_ = 0;
  std::vector<std::uint32_t> fps_;
  std::vector<Slot> slots_;
  LruList lru_;
  std::array<unsigned, kMaxTableLevel + 1> live_by_level_{};
  // Entries of levels 1 and 2 (each within one 1 GiB region) by region: invalidate_ipa
  // skips those levels when the IPA's region holds none. Level-0 entries span 512 GiB
  // and are always searched.
  RegionFilter regions_;
  void count(const Slot& s, int delta);
  // What the last lookup() proved: no entry of `vmid` for `ipa` at the levels whose
  // bit is set. Only insert() makes entries present; it consumes the proof, and may
  // skip its search for an entry to replace when the proof covers the new entry.
  struct Miss {
    std::uint16_t vmid = 0;
    mmu::ipa_t ipa = 0;
    unsigned levels = 0;
  } miss_;
  WalkCacheStats stats_;
};

}  // namespace s2sim::sim
