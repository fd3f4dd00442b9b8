#include "sim/timing/cache_model.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "util/host_prefetch.h"

namespace s2sim::sim {

namespace {

bool is_power_of_two(std::uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

}  // namespace

std::string CacheLevelConfig::validate() const {
  if (line_bytes == 0) return "line_bytes must not be zero";
  // Descriptors are 8 bytes and must fit in a line; a line above a page is no cache.
  if (!is_power_of_two(line_bytes) || line_bytes < 8 || line_bytes > 4096) {
    return "line_bytes must be a power of two between 8 and 4096, got " + std::to_string(line_bytes);
  }
  if (ways == 0) return "ways must be at least 1";
  if (size_bytes == 0) return "size must not be zero";
  if (size_bytes > kMaxSizeBytes) return "size must be at most 1 GiB, got " + std::to_string(size_bytes) + " bytes";
  const std::uint64_t way_bytes = std::uint64_t{ways} * line_bytes;
  if (size_bytes < way_bytes || size_bytes % way_bytes != 0) {
    return "size (" + std::to_string(size_bytes) + " bytes) must be a multiple of ways x line_bytes (" +
           std::to_string(way_bytes) + " bytes)";
  }
  if (!is_power_of_two(sets())) {
    return "size / (ways x line_bytes) = " + std::to_string(sets()) + " sets: the number of sets must be a power of two";
  }
  return {};
}

CacheHierarchy::TagArray::TagArray(const CacheLevelConfig& c)
    : tags(c.lines(), 0),
      fps(c.lines(), 0),
      lru(c.sets(), c.ways),
      set_mask(c.sets() - 1),
      ways(c.ways),
      line_shift(static_cast<unsigned>(std::countr_zero(c.line_bytes))) {}

std::ptrdiff_t CacheHierarchy::TagArray::find(std::uint64_t line) const {
  const std::size_t base = set_of(line) * ways;
  const int w = find_way(&fps[base], ways, fingerprint(line), [&](unsigned way) { return tags[base + way] == line + 1; });
  return w < 0 ? -1 : static_cast<std::ptrdiff_t>(base) + w;
}

std::uint64_t CacheHierarchy::TagArray::fill(std::uint64_t line) {
  // A free way, else the least recently used one.
  const std::size_t victim = lru.take_victim(set_of(line));
  const std::uint64_t evicted = tags[victim];
  tags[victim] = line + 1;
  fps[victim] = fingerprint(line);
  return evicted;
}

bool CacheHierarchy::TagArray::invalidate(std::uint64_t line) {
  const std::ptrdiff_t i = find(line);
  if (i < 0) return false;
  tags[static_cast<std::size_t>(i)] = 0;
  fps[static_cast<std::size_t>(i)] = 0;
  lru.release(set_of(line), static_cast<std::size_t>(i));
  return true;
}

void CacheHierarchy::TagArray::clear() {
  std::fill(tags.begin(), tags.end(), 0);
  clear_fingerprints(fps);
  lru.clear();
}

namespace {

const CacheLevelConfig& checked(const char* what, const CacheLevelConfig& c) {
  if (const std::string err = c.validate(); !err.empty()) throw std::invalid_argument(std::string(what) + ": " + err);
  return c;
}

}  // namespace

CacheHierarchy::CacheHierarchy(unsigned cores, CacheLevelConfig l1, CacheLevelConfig l2,
                               std::uint64_t dram_latency_cycles)
    : l1_config_(checked("L1D", l1)),
      l2_config_(checked("L2", l2)),
      dram_latency_(dram_latency_cycles),
      l1_copies_(std::uint64_t{cores} * l1.lines()),
      l2_(l2),
      stats_(cores) {
  if (cores == 0) throw std::invalid_argument("cache hierarchy: at least one core is needed");
  l1_.reserve(cores);
  for (unsigned c = 0; c < cores; ++c) l1_.emplace_back(l1);
}

CacheAccess CacheHierarchy::access(unsigned core, mmu::phys_addr_t pa, bool store) {
  if (core >= l1_.size()) throw std::out_of_range("cache access by core " + std::to_string(core));
  TagArray& l1 = l1_[core];
  CacheCoreStats& st = stats_[core];
  const std::uint64_t l1_line = l1.line_of(pa);
  CacheAccess result;
  if (const std::ptrdiff_t i = l1.find(l1_line); i >= 0) {
    l1.touch(l1_line, i);
    result = {l1_config_.latency_cycles, 1};
  } else {
    const std::uint64_t l2_line = l2_.line_of(pa);
    if (const std::ptrdiff_t j = l2_.find(l2_line); j >= 0) {
      l2_.touch(l2_line, j);
      result = {l2_config_.latency_cycles, 2};
    } else {
      l2_.fill(l2_line);
      result = {dram_latency_, 3};
    }
    if (const std::uint64_t evicted = l1.fill(l1_line)) l1_copies_.remove(evicted - 1);
    l1_copies_.add(l1_line);
  }
  if (store && l1_copies_.others_may_hold(l1_line)) {
    // Write-invalidate: the writer ends up with the only L1 copy. (Every L1 has the
    // same line size, so l1_line names the line in each.)
    for (unsigned c = 0; c < l1_.size(); ++c) {
      if (c == core || !l1_[c].invalidate(l1_line)) continue;
      l1_copies_.remove(l1_line);
      ++stats_[c].l1_invalidations_received;
    }
  }
  (store ? st.stores : st.loads).add(result.level);
  return result;
}

void CacheHierarchy::prefetch(unsigned core, mmu::phys_addr_t pa) const {
  if (core >= l1_.size()) return;
  const TagArray& l1 = l1_[core];
  util::host_prefetch(&l1.fps[l1.set_of(l1.line_of(pa)) * l1.ways]);
  util::host_prefetch(&l2_.fps[l2_.set_of(l2_.line_of(pa)) * l2_.ways]);
}

void CacheHierarchy::flush_all() {
  for (TagArray& l1 : l1_) l1.clear();
  l1_copies_.clear();
  l2_.clear();
}

bool CacheHierarchy::l1_contains(unsigned core, mmu::phys_addr_t pa) const {
  const TagArray& l1 = l1_.at(core);
  return l1.find(l1.line_of(pa)) >= 0;
}

bool CacheHierarchy::l2_contains(mmu::phys_addr_t pa) const { return l2_.find(l2_.line_of(pa)) >= 0; }

CacheCoreStats CacheHierarchy::total_stats() const {
  CacheCoreStats t;
  for (const CacheCoreStats& s : stats_) t += s;
  return t;
}

void CacheHierarchy::reset_stats() {
  for (CacheCoreStats& s : stats_) s = {};
}

}  // namespace s2sim::sim
