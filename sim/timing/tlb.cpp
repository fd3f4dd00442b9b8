#include "sim/timing/tlb.h"

#include <stdexcept>

namespace s2sim::sim {

namespace {

bool is_power_of_two(std::uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

}  // namespace

const TlbConfig& TlbConfig::checked(const char* what) const {
  if (const std::string err = validate(); !err.empty()) throw std::invalid_argument(std::string(what) + ": " + err);
  return *this;
}

// ---------------------------------------------------------------------------------
// TlbConfig

std::string TlbConfig::validate() const {
  if (entries == 0) return "entries must be at least 1";
  if (ways == 0) return "ways must be at least 1";
  if (entries > kMaxEntries) return "entries must be at most " + std::to_string(kMaxEntries);
  if (ways > entries) return "ways (" + std::to_string(ways) + ") must not exceed entries (" + std::to_string(entries) + ")";
  if (entries % ways != 0) {
    return "entries (" + std::to_string(entries) + ") must be a multiple of ways (" + std::to_string(ways) + ")";
  }
  if (!is_power_of_two(sets())) {
    return "entries / ways = " + std::to_string(sets()) + " sets: the number of sets must be a power of two";
  }
  return {};
}

// ---------------------------------------------------------------------------------
// TlbEntry

TlbEntry TlbEntry::make(std::uint16_t vmid, mmu::ipa_t ipa, unsigned block_shift, mmu::phys_addr_t output,
                        bool readable, bool writable) {
  TlbEntry e;
  e.vmid = vmid;
  e.block_shift = static_cast<std::uint8_t>(block_shift);
  e.ipa_tag = ipa >> block_shift;
  e.output_base = output & ~((std::uint64_t{1} << block_shift) - 1);
  e.readable = readable;
  e.writable = writable;
  return e;
}

// ---------------------------------------------------------------------------------
// Tlb

Tlb::Tlb(const TlbConfig& config) : config_(config.checked("TLB size")), lru_(config.sets(), config.ways) {
  set_mask_ = config.sets() - 1;
  fps_.assign(config.entries, 0);
  entries_.resize(config.entries);
}

inline int Tlb::search(std::size_t base, std::uint32_t fp, std::uint16_t vmid, std::uint64_t tag,
                       unsigned shift) const {
  const int w = find_way(fps_.data() + base, config_.ways, fp,
                         [&](unsigned way) { return matches(base + way, fp, vmid, tag, shift); });
  return w < 0 ? -1 : static_cast<int>(base) + w;
}

int Tlb::find(std::uint16_t vmid, mmu::ipa_t ipa, std::size_t& set) const {
  if (const int i = find_recent(vmid, ipa, set); i >= 0) return i;
  // Smallest size first.
  for (std::size_t s = 0; s < kTlbBlockShifts.size(); ++s) {
    if (live_by_size_[s] == 0) continue;
    const unsigned shift = kTlbBlockShifts[s];
    const std::uint64_t tag = ipa >> shift;
    const int i = search(set_of(tag) * config_.ways, fingerprint(vmid, tag, shift), vmid, tag, shift);
    if (i >= 0) {
      set = set_of(tag);
      return i;
    }
  }
  return -1;
}

const TlbEntry* Tlb::lookup(std::uint16_t vmid, mmu::ipa_t ipa) {
  ++stats_.lookups;
  std::size_t set = 0;
  const int i = find(vmid, ipa, set);
  if (i < 0) {
    ++stats_.misses;
    return nullptr;
  }
  const auto slot = static_cast<std::size_t>(i);
  lru_.touch(set, slot);
  recent_hit_[recent_index(ipa)] = static_cast<std::uint32_t>(slot);
  ++stats_.hits;
  return &entries_[slot];
}

const TlbEntry* Tlb::probe(std::uint16_t vmid, mmu::ipa_t ipa) const {
  std::size_t set = 0;
  const int i = find(vmid, ipa, set);
  return i < 0 ? nullptr : &entries_[static_cast<std::size_t>(i)];
}

TlbInsert Tlb::insert(const TlbEntry& entry) {
  const int size = size_index(entry.block_shift);
  if (size < 0) {
    throw std::invalid_argument("TLB entry: block_shift must be 12, 21 or 30, got " + std::to_string(entry.block_shift));
  }
  ++stats_.inserts;
  const std::size_t set = set_of(entry.ipa_tag);
  const std::uint32_t fp = fingerprint(entry.vmid, entry.ipa_tag, entry.block_shift);
  // The same translation already cached (e.g. a read-only entry being replaced by the
  // read/write one after a write fault) is updated in place, no second copy.
  if (const int i = search(set * config_.ways, fp, entry.vmid, entry.ipa_tag, entry.block_shift); i >= 0) {
    entries_[static_cast<std::size_t>(i)] = entry;
    lru_.touch(set, static_cast<std::size_t>(i));
    return TlbInsert::Replaced;
  }
  return fill_victim(entry, size, set, fp);
}

TlbInsert Tlb::insert_new(const TlbEntry& entry) {
  const int size = size_index(entry.block_shift);
  if (size < 0) return insert(entry);  // insert() reports the bad size
  ++stats_.inserts;
  const std::size_t set = set_of(entry.ipa_tag);
  return fill_victim(entry, size, set, fingerprint(entry.vmid, entry.ipa_tag, entry.block_shift));
}

TlbInsert Tlb::fill_victim(const TlbEntry& entry, int size, std::size_t set, std::uint32_t fp) {
  // The first free way if there is one, else the least recently used way.
  const std::size_t victim = lru_.take_victim(set);
  TlbInsert result = TlbInsert::Filled;
  if (fps_[victim] != 0) {
    ++stats_.evictions;
    --live_by_size_[static_cast<std::size_t>(size_index(entries_[victim].block_shift))];
    regions_.remove(entries_[victim].ipa_base());
    result = TlbInsert::Evicted;
  }
  fps_[victim] = fp;
  entries_[victim] = entry;
  if (fill_log_n_ < kFillLog) fill_log_[fill_log_n_++] = static_cast<std::uint32_t>(victim);
  else fill_log_n_ = kFillLog + 1;
  ++live_by_size_[static_cast<std::size_t>(size)];
  regions_.add(entry.ipa_base());
  return result;
}

void Tlb::drop(std::size_t set, std::size_t i) {
  fps_[i] = 0;
  lru_.release(set, i);
  --live_by_size_[static_cast<std::size_t>(size_index(entries_[i].block_shift))];
  regions_.remove(entries_[i].ipa_base());
  ++stats_.invalidated;
}

unsigned Tlb::invalidate_vmid(std::uint16_t vmid) {
  ++stats_.flush_vmid;
  if (size() == 0) {
    fill_log_n_ = 0;
    return 0;
  }
  unsigned n = 0;
  auto drop_if_vmid = [&](std::size_t i) {
    if (entries_[i].vmid != vmid) return;
    drop(i / config_.ways, i);
    ++n;
  };
  // Dropping a set of ways leaves the same state in any order (the LRU list keeps the
  // others' order, the free bits are a set), so the log's order is as good as the scan's.
  if (fill_log_n_ <= kFillLog) {
    for (unsigned k = 0; k < fill_log_n_; ++k)
      if (fps_[fill_log_[k]] != 0) drop_if_vmid(fill_log_[k]);
  } else {
    for_each_valid_way(fps_.data(), fps_.size(), drop_if_vmid);
  }
  if (size() == 0) fill_log_n_ = 0;
  return n;
}

unsigned Tlb::invalidate_ipa(std::uint16_t vmid, mmu::ipa_t ipa) {
  ++stats_.flush_ipa;
  if (!regions_.may_hold(ipa)) return 0;  // no entry of the IPA's region
  unsigned n = 0;
  // Only the one set per size that can hold an entry covering the IPA needs probing,
  // and entries are unique per VMID, tag and size: at most one per size.
  for (std::size_t s = 0; s < kTlbBlockShifts.size(); ++s) {
    if (live_by_size_[s] == 0) continue;
    const unsigned shift = kTlbBlockShifts[s];
    const std::uint64_t tag = ipa >> shift;
    if (const int i = search(set_of(tag) * config_.ways, fingerprint(vmid, tag, shift), vmid, tag, shift); i >= 0) {
      drop(set_of(tag), static_cast<std::size_t>(i));
      ++n;
    }
  }
  return n;
}

unsigned Tlb::invalidate_all() {
  ++stats_.flush_all;
  const unsigned n = clear_fingerprints(fps_);
  fill_log_n_ = 0;
  lru_.clear();
  live_by_size_ = {};
  regions_.clear();
  stats_.invalidated += n;
  return n;
}

unsigned Tlb::size() const {
  unsigned n = 0;
  for (unsigned c : live_by_size_) n += c;
  return n;
}

std::vector<TlbEntry> Tlb::entries() const {
  std::vector<TlbEntry> out;
  for (std::size_t i = 0; i < fps_.size(); ++i) {
    if (fps_[i] != 0) out.push_back(entries_[i]);
  }
  return out;
}

// ---------------------------------------------------------------------------------
// TlbHierarchy

std::string TlbHierarchyConfig::validate() const {
  if (micro_data && (micro_load || micro_store)) {
    return "micro_data (one micro TLB shared by loads and stores) excludes micro_load and micro_store";
  }
  const auto check = [](const char* what, const std::optional<TlbConfig>& c) -> std::string {
    if (!c) return {};
    const std::string err = c->validate();
    return err.empty() ? err : std::string(what) + ": " + err;
  };
  if (std::string e = check("micro_load", micro_load); !e.empty()) return e;
  if (std::string e = check("micro_store", micro_store); !e.empty()) return e;
  if (std::string e = check("micro_data", micro_data); !e.empty()) return e;
  if (std::string e = check("main", main); !e.empty()) return e;
  if (std::string e = check("walk_cache", walk_cache); !e.empty()) return e;
  return {};
}

const char* to_string(TlbHitLevel level) {
  switch (level) {
    case TlbHitLevel::Micro: return "micro";
    case TlbHitLevel::Main: return "main";
    case TlbHitLevel::Miss: return "miss";
  }
  return "?";
}

namespace {

const TlbHierarchyConfig& checked(const TlbHierarchyConfig& config) {
  if (const std::string err = config.validate(); !err.empty()) throw std::invalid_argument("TLB hierarchy: " + err);
  return config;
}

}  // namespace

TlbHierarchy::TlbHierarchy(const TlbHierarchyConfig& config) : config_(checked(config)), main_(config.main) {
  if (config.micro_data) {
    micro_load_.emplace(*config.micro_data);
    shared_micro_ = true;
  } else {
    if (config.micro_load) micro_load_.emplace(*config.micro_load);
    if (config.micro_store) micro_store_.emplace(*config.micro_store);
  }
  if (config.walk_cache) walk_cache_.emplace(*config.walk_cache);
}

const Tlb* TlbHierarchy::micro(mmu::Access access) const {
  const std::optional<Tlb>& m = (shared_micro_ || access == mmu::Access::Read) ? micro_load_ : micro_store_;
  return m ? &*m : nullptr;
}

TlbLookup TlbHierarchy::search(std::uint16_t vmid, mmu::ipa_t ipa, mmu::Access access) {
  ++stats_.lookups;
  miss_.valid = false;
  Tlb* micro = micro_for(access);
  if (micro) {
    if (const TlbEntry* e = micro->lookup(vmid, ipa)) {
      ++stats_.micro_hits;
      return {TlbHitLevel::Micro, *e};
    }
  }
  if (const TlbEntry* e = main_.lookup(vmid, ipa)) {
    const TlbEntry entry = *e;
    ++stats_.main_hits;
    if (micro) micro->insert_new(entry);  // it has just missed this IPA
    return {TlbHitLevel::Main, entry};
  }
  ++stats_.misses;
  miss_ = {true, vmid, ipa, micro};
  // A walk follows, then fill(): get the ways it will replace on their way.
  main_.prefetch_fill(ipa);
  if (micro) micro->prefetch_fill(ipa);
  return {};
}

void TlbHierarchy::fill(const TlbEntry& entry, mmu::Access access) {
  ++stats_.fills;
  // After a miss of an IPA this entry covers, neither TLB searched holds it.
  const bool absent = miss_.valid && entry.vmid == miss_.vmid && entry.covers(miss_.ipa);
  miss_.valid = false;
  if (absent) main_.insert_new(entry);
  else main_.insert(entry);
  if (Tlb* micro = micro_for(access)) {
    if (absent && micro == miss_.micro) micro->insert_new(entry);
    else micro->insert(entry);
  }
}

unsigned TlbHierarchy::invalidate_vmid(std::uint16_t vmid) {
  unsigned n = main_.invalidate_vmid(vmid);
  if (micro_load_) n += micro_load_->invalidate_vmid(vmid);
  if (micro_store_) n += micro_store_->invalidate_vmid(vmid);
  if (walk_cache_) walk_cache_->invalidate_vmid(vmid);
  return counted_invalidation(n);
}

unsigned TlbHierarchy::invalidate_ipa(std::uint16_t vmid, mmu::ipa_t ipa) {
  unsigned n = main_.invalidate_ipa(vmid, ipa);
  if (micro_load_) n += micro_load_->invalidate_ipa(vmid, ipa);
  if (micro_store_) n += micro_store_->invalidate_ipa(vmid, ipa);
  if (walk_cache_) walk_cache_->invalidate_ipa(vmid, ipa);
  return counted_invalidation(n);
}

unsigned TlbHierarchy::invalidate_ipa_and_stage1(std::uint16_t vmid, mmu::ipa_t ipa) {
  unsigned n = main_.invalidate_vmid(vmid);
  if (micro_load_) n += micro_load_->invalidate_vmid(vmid);
  if (micro_store_) n += micro_store_->invalidate_vmid(vmid);
  if (walk_cache_) walk_cache_->invalidate_ipa(vmid, ipa);
  return counted_invalidation(n);
}

unsigned TlbHierarchy::invalidate_all() {
  unsigned n = main_.invalidate_all();
  if (micro_load_) n += micro_load_->invalidate_all();
  if (micro_store_) n += micro_store_->invalidate_all();
  if (walk_cache_) walk_cache_->invalidate_all();
  return counted_invalidation(n);
}

unsigned TlbHierarchy::counted_invalidation(unsigned dropped) {
  ++stats_.invalidations;
  stats_.entries_invalidated += dropped;
  return dropped;
}

void TlbHierarchy::reset_stats() {
  stats_ = {};
  main_.reset_stats();
  if (micro_load_) micro_load_->reset_stats();
  if (micro_store_) micro_store_->reset_stats();
  if (walk_cache_) walk_cache_->reset_stats();
}

}  // namespace s2sim::sim
