// Stage-2 TLBs: a set-associative LRU TLB, and the per-vCPU hierarchy of micro TLBs
// in front of a main TLB (plus an optional walk cache) that a Cortex-A15 core has.
//
// In this simulator the guest's accesses are IPAs, so an entry caches IPA -> output
// address (host PA) with the stage-2 permissions. Entries are tagged with the VMID
// (VTTBR.VMID), which is how the hardware keeps several guests' translations apart
// without flushing on a world switch (the Cortex-A15 TRM's MMU chapter describes its
// TLB entries as VMID-tagged).
//
// Permission checks stay with the caller. The caller sees `writable` on the entry it
// hits: a write that hits a read-only entry becomes a permission fault, and a write
// that hits a writable entry completes without looking at the tables. That window —
// the tables say read-only, a TLB still says writable until the flush — is exactly
// what the dirty-log code has to close with TLB maintenance, and what s2sim exists to
// observe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mmu/types.h"
#include "sim/timing/key_search.h"
#include "sim/timing/lru_list.h"
#include "sim/timing/region_filter.h"
#include "sim/timing/walk_cache.h"
#include "util/host_prefetch.h"

namespace s2sim::sim {

// Size of one TLB-like structure. ways == entries makes it fully associative.
struct TlbConfig {
  unsigned entries = 0;
  unsigned ways = 0;

  // Largest structure accepted: far beyond any real TLB, small enough to allocate.
  static constexpr unsigned kMaxEntries = 1u << 20;

  unsigned sets() const { return ways == 0 ? 0 : entries / ways; }
  // Empty if usable, else what is wrong: entries and ways non-zero, entries a multiple
  // of ways, the number of sets a power of two (the set index is a bit field of the
  // address), at most kMaxEntries.
  std::string validate() const;
  // *this if validate() is empty, else throws std::invalid_argument("<what>: <error>").
  const TlbConfig& checked(const char* what) const;

  friend bool operator==(const TlbConfig&, const TlbConfig&) = default;
};

// Translation sizes a 4 KiB-granule stage-2 TLB holds: a page (level 3), a 2 MiB
// block (level 2) and a 1 GiB block (level 1). The LPAE format (ARM ARM DDI 0406C
// B3.6) and AArch64 with a 4 KiB granule allow blocks at levels 1 and 2 only.
inline constexpr std::array<unsigned, 3> kTlbBlockShifts = {12, 21, 30};  // Tlb::size_index knows there are 3
// The block_shift of a leaf descriptor found at `level` (3 -> 12, 2 -> 21, 1 -> 30).
constexpr unsigned block_shift_for_level(mmu::level_t level) {
  return mmu::PAGE_SHIFT + 9u * static_cast<unsigned>(mmu::kMaxLevel - level);
}

// One cached translation.
struct TlbEntry {
  mmu::ipa_t ipa_tag = 0;            // ipa >> block_shift
  mmu::phys_addr_t output_base = 0;  // output address of the first byte of the page/block
  std::uint16_t vmid = 0;            // VTTBR.VMID (8 bits on ARMv7, up to 16 on ARMv8.1)
  std::uint8_t block_shift = 12;     // 12, 21 or 30
  bool readable = true;              // S2AP/HAP bit 6
  bool writable = false;             // S2AP/HAP bit 7

  // Builds the entry for the page or block containing `ipa`, mapped to the page or
  // block containing `output`; both are aligned down to the block size.
  static TlbEntry make(std::uint16_t vmid, mmu::ipa_t ipa, unsigned block_shift, mmu::phys_addr_t output,
                       bool readable, bool writable);

  std::uint64_t size() const { return std::uint64_t{1} << block_shift; }
  mmu::ipa_t ipa_base() const { return ipa_tag << block_shift; }
  bool covers(mmu::ipa_t ipa) const { return (ipa >> block_shift) == ipa_tag; }
  // The output address of `ipa`, which must be covered by this entry.
  mmu::phys_addr_t translate(mmu::ipa_t ipa) const { return output_base | (ipa & (size() - 1)); }

  friend bool operator==(const TlbEntry&, const TlbEntry&) = default;
};

// Counters of one TLB (gem5 names in brackets where they differ).
struct TlbStats {
  std::uint64_t lookups = 0;      // lookup() calls
  std::uint64_t hits = 0;         // lookups that found an entry [readHits + writeHits]
  std::uint64_t misses = 0;       // lookups that found none
  std::uint64_t inserts = 0;      // insert() calls (refills after a walk or from the main TLB)
  std::uint64_t evictions = 0;    // valid entries of another translation dropped to make room
  std::uint64_t invalidated = 0;  // entries dropped by invalidate_* [flushedEntries]
  std::uint64_t flush_vmid = 0;   // invalidate_vmid() calls (TLBIALLIS as KVM/ARM uses it)
  std::uint64_t flush_ipa = 0;    // invalidate_ipa() calls (TLBI IPAS2E1IS on ARMv8)
  std::uint64_t flush_all = 0;    // invalidate_all() calls

  // What changed between two readings of the same TLB (later - earlier).
  friend TlbStats operator-(const TlbStats& a, const TlbStats& b) {
    return {a.lookups - b.lookups,         a.hits - b.hits,
            a.misses - b.misses,           a.inserts - b.inserts,
            a.evictions - b.evictions,     a.invalidated - b.invalidated,
            a.flush_vmid - b.flush_vmid,   a.flush_ipa - b.flush_ipa,
            a.flush_all - b.flush_all};
  }
  friend bool operator==(const TlbStats&, const TlbStats&) = default;
};

// What insert() did.
enum class TlbInsert : std::uint8_t {
  Filled,    // took a free way
  Replaced,  // overwrote the entry of the same VMID, IPA tag and size (e.g. RO -> RW)
  Evicted,   // dropped the least recently used valid entry of the set
};

// A set-associative TLB with true LRU replacement, holding entries of all three sizes.
// Each size is indexed by its own tag ((ipa >> block_shift) mod sets), so a lookup
// probes up to three sets; sizes with no valid entry are skipped. Storage is one flat
// array allocated at construction; lookups never allocate.
class Tlb {
 public:
  // Throws std::invalid_argument if config.validate() is not empty.
  explicit Tlb(const TlbConfig& config);

  const TlbConfig& config() const { return config_; }

  // The entry of `vmid` covering `ipa`, or nullptr. A hit becomes most recently used.
  // If entries of several sizes cover the IPA (the architecture calls that a TLB
  // conflict and lets it abort), the smallest size wins, deterministically.
  // The pointer is valid until the next insert or invalidate.
  const TlbEntry* lookup(std::uint16_t vmid, mmu::ipa_t ipa);
  // lookup()'s first step alone, inline for the hierarchy's hot path: the entry in the
  // slot that last hit this page, if accept(entry), made most recently used and
  // counted as lookup() counts a hit; else nullptr, nothing touched or counted (and
  // lookup() would then make the whole search).
  template <class Accept>
  const TlbEntry* lookup_recent_if(std::uint16_t vmid, mmu::ipa_t ipa, Accept&& accept) {
    std::size_t set = 0;
    const int i = find_recent(vmid, ipa, set);
    if (i < 0 || !accept(entries_[static_cast<std::size_t>(i)])) return nullptr;
    ++stats_.lookups;
    ++stats_.hits;
    lru_.touch(set, static_cast<std::size_t>(i));  // recent_hit_ already names it
    return &entries_[static_cast<std::size_t>(i)];
  }
  // Same search without touching LRU state or statistics (for reports and tests).
  const TlbEntry* probe(std::uint16_t vmid, mmu::ipa_t ipa) const;

  // Throws std::invalid_argument if entry.block_shift is not one of kTlbBlockShifts.
  TlbInsert insert(const TlbEntry& entry);
  // A host-speed hint, nothing simulated: starts fetching the way a 4 KiB entry for
  // `ipa` would now replace, which insert() reads and writes. With many vCPUs their
  // TLBs outgrow the host's caches, and the walk between a miss and its fill has time
  // to hide the fetch.
  void prefetch_fill(mmu::ipa_t ipa) const {
    const std::size_t victim = lru_.victim(set_of(ipa >> kTlbBlockShifts[0]));
    util::host_prefetch_for_write(&entries_[victim]);
    util::host_prefetch_for_write(&fps_[victim]);
  }

  // Each returns the number of entries dropped.
  unsigned invalidate_vmid(std::uint16_t vmid);               // every entry of the VMID
  unsigned invalidate_ipa(std::uint16_t vmid, mmu::ipa_t ipa);  // every entry of the VMID covering ipa
  unsigned invalidate_all();

  unsigned size() const;  // valid entries
  std::vector<TlbEntry> entries() const;  // valid entries in storage order (allocates: reports/tests)

  const TlbStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }

 private:
  // Storage is split by use: a lookup scans only the fingerprints of a set (see
  // key_search.h; 0 = free way), the entries and LRU links are touched on a match.
  // The position of block_shift in kTlbBlockShifts, or -1.
  static int size_index(unsigned block_shift) {
    return block_shift == kTlbBlockShifts[0] ? 0 : block_shift == kTlbBlockShifts[1] ? 1 : block_shift == kTlbBlockShifts[2] ? 2 : -1;
  }
  std::size_t set_of(std::uint64_t tag) const { return static_cast<std::size_t>(tag & set_mask_); }
  bool matches(std::size_t i, std::uint32_t fp, std::uint16_t vmid, std::uint64_t tag, unsigned shift) const {
    return fps_[i] == fp && entries_[i].ipa_tag == tag && entries_[i].vmid == vmid && entries_[i].block_shift == shift;
  }
  // The slot of the entry with `fp` and this VMID, tag and size in the set at `base`,
  // or -1.
  int search(std::size_t base, std::uint32_t fp, std::uint16_t vmid, std::uint64_t tag, unsigned shift) const;
  // The slot holding the entry, or -1; `set` receives its set.
  int find(std::uint16_t vmid, mmu::ipa_t ipa, std::size_t& set) const;
  // find()'s first step: the slot that last hit this page, if it holds the entry and
  // no smaller size could also cover the IPA (see lookup() on conflicting entries).
  // Entries are unique per VMID, tag and size, so a match is what the whole search
  // would return. A free slot (fingerprint 0) or another entry in it is no match.
  int find_recent(std::uint16_t vmid, mmu::ipa_t ipa, std::size_t& set) const {
    const std::size_t i = recent_hit_[recent_index(ipa)];
    const TlbEntry& e = entries_[i];
    const std::uint64_t tag = ipa >> e.block_shift;
    if (fps_[i] == 0 || e.ipa_tag != tag || e.vmid != vmid) return -1;
    if (e.block_shift != kTlbBlockShifts[0]) {
      // A block: a live entry of a smaller size could cover the IPA too.
      const int s = size_index(e.block_shift);
      for (int k = 0; k < s; ++k)
        if (live_by_size_[static_cast<std::size_t>(k)] != 0) return -1;
    }
    set = set_of(tag);
    return static_cast<int>(i);
  }
  void drop(std::size_t set, std::size_t i);
  // insert() of an entry known to be absent (TlbHierarchy knows it after a miss):
  // no search for an entry to replace.
  friend class TlbHierarchy;
  TlbInsert insert_new(const TlbEntry& entry);
  // Puts `entry` (absent) in the set's victim way.
  TlbInsert fill_victim(const TlbEntry& entry, int size, std::size_t set, std::uint32_t fp);

  TlbConfig config_;
  std::uint64_t set_mask_ = 0;
  std::vector<std::uint32_t> fps_;
  std::vector<TlbEntry> entries_;
  LruList lru_;
  // Checked first: the slot of the last hit of each 4 KiB page (direct-mapped by page
  // number), confirmed against the slot's entry, so a hit in a small working set costs
  // no set search.
  static constexpr std::size_t kRecentHits = 64;
  std::array<std::uint32_t, kRecentHits> recent_hit_{};
  static std::size_t recent_index(mmu::ipa_t ipa) { return static_cast<std::size_t>(ipa >> 12) % kRecentHits; }
  std::array<unsigned, kTlbBlockShifts.size()> live_by_size_{};  // valid entries per size
  RegionFilter regions_;  // valid entries by 1 GiB region: invalidate_ipa skips empty ones
  // The slots filled since a flush by VMID last found the TLB empty, while they are
  // few: that flush then visits them instead of every way. On ARMv7 every fault's
  // TLBIALLIS empties each vCPU's TLBs, which refill a handful of entries before the
  // next one; with 152 vCPUs the scans of their ways were 8 % of a run. Every valid
  // slot is in the log unless it overflowed (fill_log_n_ > kFillLog); a slot may be in
  // it twice, or hold another entry since, which the flush checks.
  static constexpr unsigned kFillLog = 16;
  std::array<std::uint32_t, kFillLog> fill_log_{};
  unsigned fill_log_n_ = 0;
  TlbStats stats_;
};

// Sizes of one vCPU's translation caches.
struct TlbHierarchyConfig {
  // Separate micro TLBs for loads and for stores (Cortex-A15: 32 entries each,
  // fully associative). Absent: that access type goes straight to the main TLB.
  std::optional<TlbConfig> micro_load, micro_store;
  // One micro TLB shared by loads and stores (Cortex-A57: a 32-entry fully associative
  // L1 data TLB serving both pipelines). Excludes micro_load and micro_store.
  std::optional<TlbConfig> micro_data;
  TlbConfig main;                         // unified main (L2) TLB
  std::optional<TlbConfig> walk_cache;    // intermediate walk cache, see walk_cache.h

  // Empty if usable, else what is wrong.
  std::string validate() const;

  friend bool operator==(const TlbHierarchyConfig&, const TlbHierarchyConfig&) = default;
};

// Where a hierarchy lookup found the translation.
enum class TlbHitLevel : std::uint8_t { Micro, Main, Miss };
const char* to_string(TlbHitLevel level);

struct TlbLookup {
  TlbHitLevel hit_level = TlbHitLevel::Miss;
  TlbEntry entry{};  // meaningful unless hit_level == Miss
  bool hit() const { return hit_level != TlbHitLevel::Miss; }
};

struct TlbHierarchyStats {
  std::uint64_t lookups = 0;
  std::uint64_t micro_hits = 0;
  std::uint64_t main_hits = 0;  // micro miss (or no micro TLB) that hit the main TLB
  std::uint64_t misses = 0;     // missed everywhere: a stage-2 walk follows
  std::uint64_t fills = 0;      // fill() calls after a walk
  std::uint64_t invalidations = 0;        // invalidate_*() calls: TLB maintenance that reached this core
  std::uint64_t entries_invalidated = 0;  // TLB entries they dropped, every level (walk-cache entries aside)

  std::uint64_t hits() const { return micro_hits + main_hits; }
  // What changed between two readings of the same hierarchy (later - earlier).
  friend TlbHierarchyStats operator-(const TlbHierarchyStats& a, const TlbHierarchyStats& b) {
    return {a.lookups - b.lookups,
            a.micro_hits - b.micro_hits,
            a.main_hits - b.main_hits,
            a.misses - b.misses,
            a.fills - b.fills,
            a.invalidations - b.invalidations,
            a.entries_invalidated - b.entries_invalidated};
  }
  friend bool operator==(const TlbHierarchyStats&, const TlbHierarchyStats&) = default;
};

// The translation caches of one vCPU (one physical core): micro TLB(s) -> main TLB,
// and the walk cache used by the hardware walker. Invalidations reach every level,
// as TLB maintenance does on the hardware (the ARM ARM's TLB maintenance operations
// also remove intermediate walk-cache entries for the addresses they cover).
class TlbHierarchy {
 public:
  // Throws std::invalid_argument if config.validate() is not empty.
  explicit TlbHierarchy(const TlbHierarchyConfig& config);

  const TlbHierarchyConfig& config() const { return config_; }

  // Micro TLB of the access type first, then the main TLB. A main-TLB hit refills the
  // micro TLB of that access type (the Cortex-A15 micro TLBs are refilled from the
  // main TLB). Block entries are copied to the micro TLB unchanged.
  TlbLookup lookup(std::uint16_t vmid, mmu::ipa_t ipa, mmu::Access access) {
    // Inline, the common case of a run whose pages stay in the TLBs: a hit in the
    // micro TLB's slot that last hit the page; anything else searches.
    if (const TlbEntry* e = lookup_micro_recent_if(vmid, ipa, access, [](const TlbEntry&) { return true; }))
      return {TlbHitLevel::Micro, *e};
    return search(vmid, ipa, access);
  }
  // lookup() when it would hit the micro TLB's slot that last hit the page and
  // accept(entry) holds (e.g. the access's permission): the same hit, counted and made
  // most recent; else nullptr, and nothing is touched or counted.
  template <class Accept>
  const TlbEntry* lookup_micro_recent_if(std::uint16_t vmid, mmu::ipa_t ipa, mmu::Access access, Accept&& accept) {
    Tlb* micro = micro_for(access);
    const TlbEntry* e = micro ? micro->lookup_recent_if(vmid, ipa, accept) : nullptr;
    if (!e) return nullptr;
    ++stats_.lookups;
    ++stats_.micro_hits;
    miss_.valid = false;
    return e;
  }
  // After a stage-2 walk: insert into the main TLB and the micro TLB of `access`.
  void fill(const TlbEntry& entry, mmu::Access access);

  // TLB entries dropped from all levels (walk-cache entries count in its own stats).
  unsigned invalidate_vmid(std::uint16_t vmid);
  unsigned invalidate_ipa(std::uint16_t vmid, mmu::ipa_t ipa);
  // TLBI IPAS2E1IS then TLBI VMALLE1IS (arm64 KVM's per-IPA flush): the stage-2 walk
  // cache loses what it holds for `ipa`; the TLBs, whose entries all combine stage 1
  // and stage 2, lose every entry of the VMID.
  unsigned invalidate_ipa_and_stage1(std::uint16_t vmid, mmu::ipa_t ipa);
  unsigned invalidate_all();

  // The micro TLB serving `access`, or nullptr if there is none.
  const Tlb* micro(mmu::Access access) const;
  const Tlb& main() const { return main_; }
  WalkCache* walk_cache() { return walk_cache_ ? &*walk_cache_ : nullptr; }
  const WalkCache* walk_cache() const { return walk_cache_ ? &*walk_cache_ : nullptr; }

  const TlbHierarchyStats& stats() const { return stats_; }
  void reset_stats();

 private:
  Tlb* micro_for(mmu::Access access) {
    std::optional<Tlb>& m = (shared_micro_ || access == mmu::Access::Read) ? micro_load_ : micro_store_;
    return m ? &*m : nullptr;
  }
  // lookup() past its inline case.
  TlbLookup search(std::uint16_t vmid, mmu::ipa_t ipa, mmu::Access access);
  unsigned counted_invalidation(unsigned dropped);  // counts one invalidate_*() call; returns `dropped`

  TlbHierarchyConfig config_;
  // With a shared micro TLB (micro_data) it lives in micro_load_ and serves stores too.
  std::optional<Tlb> micro_load_, micro_store_;
  bool shared_micro_ = false;
  Tlb main_;
  std::optional<WalkCache> walk_cache_;
  TlbHierarchyStats stats_;
  // What the last lookup() proved: no entry of `vmid` covering `ipa` in the main TLB
  // nor in `micro` (the micro TLB it searched). Only inserts can make an entry
  // present, and they all go through fill() and lookup(), which consume the proof, so
  // fill() may then skip the searches for an entry to replace.
  struct Miss {
    bool valid = false;
    std::uint16_t vmid = 0;
    mmu::ipa_t ipa = 0;
    const Tlb* micro = nullptr;
  } miss_;
};

}  // namespace s2sim::sim
