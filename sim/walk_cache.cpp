#include "sim/walk_cache.h"

#include <stdexcept>
#include <string>

#include "sim/tlb.h"

namespace s2sim::sim {

WalkCache::WalkCache(const TlbConfig& size) {
  if (const std::string err = size.validate(); !err.empty()) throw std::invalid_argument("walk cache size: " + err);
  ways_ = size.ways;
  set_mask_ = size.sets() - 1;
  slots_.resize(size.entries);
}

int WalkCache::find(std::uint16_t vmid, mmu::level_t level, std::uint64_t tag) const {
  const std::size_t base = set_base(tag);
  for (unsigned w = 0; w < ways_; ++w) {
    const Slot& s = slots_[base + w];
    if (s.valid && s.tag == tag && s.vmid == vmid && s.level == level) return static_cast<int>(base + w);
  }
  return -1;
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
  for (mmu::level_t level = kMaxTableLevel; level >= kMinTableLevel; --level) {
    if (live_by_level_[static_cast<std::size_t>(level)] == 0) continue;
    const int i = find(vmid, level, ipa >> level_shift(level));
    if (i < 0) continue;
    Slot& s = slots_[static_cast<std::size_t>(i)];
    s.last_use = ++clock_;
    ++stats_.hits;
    ++stats_.hits_by_level[static_cast<std::size_t>(level)];
    return WalkCacheHit{level, s.next_table};
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
  if (const int i = find(vmid, level, tag); i >= 0) {
    Slot& s = slots_[static_cast<std::size_t>(i)];
    s.next_table = next_table;
    s.last_use = ++clock_;
    return;
  }
  const std::size_t base = set_base(tag);
  // A free way, else the least recently used (lowest way on a tie); the oldest stamp
  // stays in a register rather than being reloaded through the victim each way.
  std::size_t victim = base;
  std::uint64_t oldest = slots_[base].last_use;
  for (unsigned w = 0; w < ways_; ++w) {
    const Slot& s = slots_[base + w];
    if (!s.valid) { victim = base + w; break; }
    if (s.last_use < oldest) {
      oldest = s.last_use;
      victim = base + w;
    }
  }
  Slot& v = slots_[victim];
  if (v.valid) {
    ++stats_.evictions;
    --live_by_level_[static_cast<std::size_t>(v.level)];
  }
  v = Slot{tag, next_table, ++clock_, vmid, static_cast<std::int8_t>(level), true};
  ++live_by_level_[static_cast<std::size_t>(level)];
}

void WalkCache::drop(Slot& slot) {
  slot.valid = false;
  --live_by_level_[static_cast<std::size_t>(slot.level)];
  ++stats_.invalidated;
}

unsigned WalkCache::invalidate_vmid(std::uint16_t vmid) {
  unsigned n = 0;
  for (Slot& s : slots_) {
    if (s.valid && s.vmid == vmid) { drop(s); ++n; }
  }
  return n;
}

unsigned WalkCache::invalidate_ipa(std::uint16_t vmid, mmu::ipa_t ipa) {
  unsigned n = 0;
  for (mmu::level_t level = kMinTableLevel; level <= kMaxTableLevel; ++level) {
    if (live_by_level_[static_cast<std::size_t>(level)] == 0) continue;
    const std::uint64_t tag = ipa >> level_shift(level);
    const std::size_t base = set_base(tag);
    for (unsigned w = 0; w < ways_; ++w) {
      Slot& s = slots_[base + w];
      if (s.valid && s.tag == tag && s.vmid == vmid && s.level == level) { drop(s); ++n; }
    }
  }
  return n;
}

unsigned WalkCache::invalidate_all() {
  unsigned n = 0;
  for (Slot& s : slots_) {
    if (s.valid) { drop(s); ++n; }
  }
  return n;
}

unsigned WalkCache::size() const {
  unsigned n = 0;
  for (unsigned c : live_by_level_) n += c;
  return n;
}

}  // namespace s2sim::sim
