#include "sim/timing/walk_cache.h"

#include <stdexcept>
#include <string>

#include "sim/timing/tlb.h"

namespace s2sim::sim {

WalkCache::WalkCache(const TlbConfig& size)
    : ways_(size.checked("walk cache size").ways),
      set_mask_(size.sets() - 1),
      fps_(size.entries, 0),
      slots_(size.entries),
      lru_(size.sets(), size.ways) {}

int WalkCache::find(std::uint16_t vmid, mmu::level_t level, std::uint64_t tag) const {
  const std::uint32_t fp = fingerprint(vmid, tag, static_cast<unsigned>(level));
  const std::size_t base = set_of(tag) * ways_;
  const int w = find_way(fps_.data() + base, ways_, fp, [&](unsigned way) {
    const Slot& s = slots_[base + way];
    return s.tag == tag && s.vmid == vmid && s.level == level;
  });
  return w < 0 ? -1 : static_cast<int>(base) + w;
}

std::optional<WalkCacheHit> WalkCache::probe(std::uint16_t vmid, mmu::ipa_t ipa) const {
  // Deepest first: a level-2 table descriptor skips more of the walk than a level-1 one.
  for (mmu::level_t level = kMaxTableLevel; level >= kMinTableLevel; --level) {
    if (live_by_level_[static_cast<std::size_t>(level)] == 0) continue;
    const int i = find(vmid, level, ipa >> level_shift(level));
    if (i >= 0) return WalkCacheHit{level, slots_[static_cast<std::size_t>(i)].next_table};
  }
  return std::nullopt;
}

std::optional<WalkCacheHit> WalkCache::lookup(std::uint16_t vmid, mmu::ipa_t ipa) {
  ++stats_.lookups;
  miss_ = {vmid, ipa, 0};
  for (mmu::level_t level = kMaxTableLevel; level >= kMinTableLevel; --level) {
    if (live_by_level_[static_cast<std::size_t>(level)] != 0) {
      const std::uint64_t tag = ipa >> level_shift(level);
      if (const int i = find(vmid, level, tag); i >= 0) {
        lru_.touch(set_of(tag), static_cast<std::size_t>(i));
        ++stats_.hits;
        stats_.hits_by_level.add(level);
        return WalkCacheHit{level, slots_[static_cast<std::size_t>(i)].next_table};
      }
    }
    miss_.levels |= 1u << level;  // no entry at this level
  }
  ++stats_.misses;
  return std::nullopt;
}

void WalkCache::insert(std::uint16_t vmid, mmu::level_t level, mmu::ipa_t ipa, mmu::phys_addr_t next_table) {
  if (level < kMinTableLevel || level > kMaxTableLevel) {
    throw std::invalid_argument("walk cache: only table descriptors of levels 0..2 are cached, got level " +
                                std::to_string(level));
  }
  ++stats_.inserts;
  const std::uint64_t tag = ipa >> level_shift(level);
  const std::size_t set = set_of(tag);
  const unsigned bit = 1u << level;
  if ((miss_.levels & bit) && vmid == miss_.vmid && tag == miss_.ipa >> level_shift(level)) {
    miss_.levels &= ~bit;  // known absent: no search
  } else {
    miss_.levels = 0;
    if (const int i = find(vmid, level, tag); i >= 0) {
      slots_[static_cast<std::size_t>(i)].next_table = next_table;
      lru_.touch(set, static_cast<std::size_t>(i));
      return;
    }
  }
  // A free way, else the least recently used one.
  const std::size_t victim = lru_.take_victim(set);
  if (fps_[victim] != 0) {
    ++stats_.evictions;
    count(slots_[victim], -1);
  }
  fps_[victim] = fingerprint(vmid, tag, static_cast<unsigned>(level));
  slots_[victim] = Slot{tag, next_table, vmid, static_cast<std::int8_t>(level)};
  count(slots_[victim], +1);
}

void WalkCache::count(const Slot& s, int delta) {
  live_by_level_[static_cast<std::size_t>(s.level)] += static_cast<unsigned>(delta);
  if (s.level == 0) return;
  const mmu::ipa_t base = s.tag << level_shift(s.level);
  if (delta > 0) regions_.add(base);
  else regions_.remove(base);
}

void WalkCache::drop(std::size_t set, std::size_t i) {
  fps_[i] = 0;
  lru_.release(set, i);
  count(slots_[i], -1);
  ++stats_.invalidated;
}

unsigned WalkCache::invalidate_vmid(std::uint16_t vmid) {
  if (size() == 0) return 0;
  unsigned n = 0;
  for_each_valid_way(fps_.data(), fps_.size(), [&](std::size_t i) {
    if (slots_[i].vmid != vmid) return;
    drop(i / ways_, i);
    ++n;
  });
  return n;
}

unsigned WalkCache::invalidate_ipa(std::uint16_t vmid, mmu::ipa_t ipa) {
  unsigned n = 0;
  const bool region_held = regions_.may_hold(ipa);
  for (mmu::level_t level = kMinTableLevel; level <= kMaxTableLevel; ++level) {
    if (live_by_level_[static_cast<std::size_t>(level)] == 0 || (level > 0 && !region_held)) continue;
    const std::uint64_t tag = ipa >> level_shift(level);
    // Entries are unique per VMID, level and tag: at most one per level.
    if (const int i = find(vmid, level, tag); i >= 0) {
      drop(set_of(tag), static_cast<std::size_t>(i));
      ++n;
    }
  }
  return n;
}

unsigned WalkCache::invalidate_all() {
  const unsigned n = clear_fingerprints(fps_);
  lru_.clear();
  live_by_level_ = {};
  regions_.clear();
  stats_.invalidated += n;
  return n;
}

unsigned WalkCache::size() const {
  unsigned n = 0;
  for (unsigned c : live_by_level_) n += c;
  return n;
}

}  // namespace s2sim::sim
