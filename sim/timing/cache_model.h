// Data-cache model for descriptor accesses: per-core L1D, one shared L2, DRAM.
//
// Stage-2 descriptors are ordinary memory. The hardware walker reads them through the
// data caches, and the hypervisor's software walkers (the write-protect walkers of
// KVM_GET_DIRTY_LOG, the fault handler) load and store them like any other data, so the
// cost of a walk depends on where its descriptors happen to be. This model answers one
// question per access — at which level did it hit, and how many cycles did that take —
// and keeps the caches' contents so that the answer depends on history.
//
// Model, deliberately simple and deterministic:
//   - Set-associative, true LRU at every level; lines are identified by physical
//     address. L1 and L2 may have different line sizes.
//   - Latency is load-to-use of the level that hits: an L1 hit costs l1.latency; an L1
//     miss that hits the L2 costs l2.latency (which already includes the L1 lookup, as
//     the 7-cpu.com figures do); a miss in both costs dram_latency_cycles, a total
//     that already includes the L1 and L2 lookups (7-cpu.com gives Cortex-A15 RAM
//     latency as "21 cycles + 110 ns", the 21 being the L2 lookup).
//   - Allocate on every miss, loads and stores alike (write-allocate): an L2 hit fills
//     the L1; a DRAM access fills both.
//   - A store costs what a load of the same line would (the store buffer hides nothing
//     here: walkers' descriptor stores are read-modify-writes whose load came first).
//   - Write-invalidate coherence: a store removes the line from every other core's L1,
//     so their next access to it misses the L1 and is served by the shared L2 (the
//     snoop itself is not charged).
//   - The L2 is neither inclusive nor exclusive: an L2 eviction leaves L1 copies alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mmu/types.h"
#include "sim/timing/key_search.h"
#include "sim/timing/l1_copy_filter.h"
#include "sim/timing/lru_list.h"

namespace s2sim::sim {

struct CacheLevelConfig {
  std::uint64_t size_bytes = 0;
  unsigned ways = 0;
  unsigned line_bytes = 0;
  std::uint64_t latency_cycles = 0;

  // Largest cache accepted: 1 GiB.
  static constexpr std::uint64_t kMaxSizeBytes = std::uint64_t{1} << 30;

  std::uint64_t lines() const { return line_bytes == 0 ? 0 : size_bytes / line_bytes; }
  std::uint64_t sets() const { return ways == 0 ? 0 : lines() / ways; }
  // Empty if usable, else what is wrong: line size a power of two between 8 and 4096
  // bytes, size a multiple of ways x line, the number of sets a power of two, at most
  // kMaxSizeBytes.
  std::string validate() const;

  friend bool operator==(const CacheLevelConfig&, const CacheLevelConfig&) = default;
};

// The result of one access: its cost and the level that served it.
struct CacheAccess {
  std::uint64_t cycles = 0;
  int level = 0;  // 1 = L1D, 2 = L2, 3 = DRAM

  friend bool operator==(const CacheAccess&, const CacheAccess&) = default;
};

// Accesses counted by the level that served them.
struct CacheHits {
  std::uint64_t l1 = 0, l2 = 0, dram = 0;

  // Counts one access served at `level` (CacheAccess::level: 1 = L1D, 2 = L2, 3 = DRAM).
  // Without branches: on a walk-heavy run the level is different at every access.
  void add(int level) {
    l1 += level == 1;
    l2 += level == 2;
    dram += level > 2;
  }
  std::uint64_t total() const { return l1 + l2 + dram; }
  CacheHits& operator+=(const CacheHits& o) {
    l1 += o.l1;
    l2 += o.l2;
    dram += o.dram;
    return *this;
  }
  // What changed between two readings of the same counters (later - earlier).
  friend CacheHits operator-(const CacheHits& a, const CacheHits& b) { return {a.l1 - b.l1, a.l2 - b.l2, a.dram - b.dram}; }
  friend bool operator==(const CacheHits&, const CacheHits&) = default;
};

// Per-core counters.
struct CacheCoreStats {
  CacheHits loads, stores;
  // Lines of this core's L1 invalidated by other cores' stores.
  std::uint64_t l1_invalidations_received = 0;

  CacheCoreStats& operator+=(const CacheCoreStats& o) {
    loads += o.loads;
    stores += o.stores;
    l1_invalidations_received += o.l1_invalidations_received;
    return *this;
  }
  // What changed between two readings of the same core (later - earlier).
  friend CacheCoreStats operator-(const CacheCoreStats& a, const CacheCoreStats& b) {
    return {a.loads - b.loads, a.stores - b.stores, a.l1_invalidations_received - b.l1_invalidations_received};
  }
  friend bool operator==(const CacheCoreStats&, const CacheCoreStats&) = default;
};

class CacheHierarchy {
 public:
  // Throws std::invalid_argument for zero cores or an invalid level configuration.
  CacheHierarchy(unsigned cores, CacheLevelConfig l1, CacheLevelConfig l2, std::uint64_t dram_latency_cycles);

  // One load or store of the descriptor (or data word) at `pa` by `core`.
  // Throws std::out_of_range for a core >= cores().
  CacheAccess access(unsigned core, mmu::phys_addr_t pa, bool store);

  // A host-speed hint, nothing simulated: starts fetching the tag sets a later
  // access(core, pa, ...) searches first (the core's L1 set and the L2 set). With many
  // cores the tag arrays outgrow the host's caches.
  void prefetch(unsigned core, mmu::phys_addr_t pa) const;

  // Empties every cache (statistics are kept).
  void flush_all();

  // Contents, without touching LRU state (for tests and reports).
  bool l1_contains(unsigned core, mmu::phys_addr_t pa) const;
  bool l2_contains(mmu::phys_addr_t pa) const;

  unsigned cores() const { return static_cast<unsigned>(l1_.size()); }
  const CacheLevelConfig& l1_config() const { return l1_config_; }
  const CacheLevelConfig& l2_config() const { return l2_config_; }
  std::uint64_t dram_latency_cycles() const { return dram_latency_; }

  const CacheCoreStats& stats(unsigned core) const { return stats_.at(core); }
  CacheCoreStats total_stats() const;
  void reset_stats();

 private:
  // Tags of one cache: sets x ways, flat. A tag holds line number + 1 so that 0 can
  // mean "invalid" without a separate flag; a set is searched by the tags'
  // fingerprints first (key_search.h; 0 = invalid).
  struct TagArray {
    std::vector<std::uint64_t> tags;
    std::vector<std::uint32_t> fps;
    LruList lru;
    std::uint64_t set_mask = 0;
    unsigned ways = 0;
    unsigned line_shift = 0;

    explicit TagArray(const CacheLevelConfig& c);
    std::uint64_t line_of(mmu::phys_addr_t pa) const { return pa >> line_shift; }
    std::size_t set_of(std::uint64_t line) const { return static_cast<std::size_t>(line & set_mask); }
    std::ptrdiff_t find(std::uint64_t line) const;  // index into tags, or -1
    void touch(std::uint64_t line, std::ptrdiff_t i) { lru.touch(set_of(line), static_cast<std::size_t>(i)); }
    // `line` (known to be absent) becomes most recently used; returns the line it
    // evicted plus one, or 0 when it took a free way.
    std::uint64_t fill(std::uint64_t line);
    bool invalidate(std::uint64_t line);
    void clear();
  };

  CacheLevelConfig l1_config_, l2_config_;
  std::uint64_t dram_latency_;
  std::vector<TagArray> l1_;  // one per core
  L1CopyFilter l1_copies_;    // every L1 copy, for the write-invalidate's skip
  TagArray l2_;
  std::vector<CacheCoreStats> stats_;
};

}  // namespace s2sim::sim
