#include "mmu/s2_pgtable.h"

#include <stdexcept>

namespace s2sim::mmu {

S2PageTable::S2PageTable(PhysMem& mem, const Geometry& geometry, std::uint16_t vmid)
    : mem_(mem), geo_(geometry), vmid_(vmid) {
  const std::string err = geo_.validate();
  if (!err.empty()) throw std::invalid_argument("geometry: " + err);
  // The start-level table may be several concatenated pages, aligned to its size
  // (ARMv7: 8 KiB for 1024 entries; kvm_alloc_stage2_pgd with S2_PGD_ORDER).
  pgd_pa_ = mem_.alloc_table(geo_.start_level, 0, geo_.start_table_pages());
}

void S2PageTable::account(S2Desc old_desc, S2Desc new_desc, level_t level) {
  auto count = [&](S2Desc d, std::int64_t delta) {
    switch (d.type(level)) {
      case DescType::Page: mapped_pages_ += static_cast<std::uint64_t>(delta); break;
      case DescType::Block: mapped_blocks_ += static_cast<std::uint64_t>(delta); break;
      default: break;
    }
  };
  count(old_desc, -1);
  count(new_desc, +1);
}

phys_addr_t S2PageTable::walk_to(ipa_t ipa, level_t level, bool alloc, AccessSink* sink) {
  phys_addr_t table = pgd_pa_;
  for (level_t l = geo_.start_level;; ++l) {
    const phys_addr_t pa = table + geo_.index(l, ipa) * 8;
    if (l == level) return pa;
    if (sink) sink->on_load(pa, l);
    const S2Desc d{mem_.load64(pa)};
    switch (d.type(l)) {
      case DescType::Table:
        table = d.output_address(geo_.oa_mask());
        break;
      case DescType::Invalid: {
        if (!alloc) return 0;
        // The next table covers the range of this entry.
        const ipa_t base = ipa & ~(Geometry::level_size(l) - 1);
        table = mem_.alloc_table(l + 1, base);
        mem_.store64(pa, make_table(table).raw);
        if (sink) sink->on_store(pa, l);
        break;
      }
      default:
        return 0;  // a block is in the way
    }
  }
}

S2Desc S2PageTable::map_page(ipa_t ipa, phys_addr_t pa, std::uint64_t attrs, bool* ok, AccessSink* sink) {
  const phys_addr_t dpa = geo_.ipa_in_range(ipa) ? walk_to(ipa, kMaxLevel, true, sink) : 0;
  if (ok) *ok = dpa != 0;
  if (dpa == 0) return S2Desc{};
  const S2Desc old{mem_.load64(dpa)};
  const S2Desc d = make_page(pa, attrs);
  mem_.store64(dpa, d.raw);
  if (sink) sink->on_store(dpa, kMaxLevel);
  account(old, d, kMaxLevel);
  return old;
}

S2Desc S2PageTable::map_block(ipa_t ipa, phys_addr_t pa, level_t level, std::uint64_t attrs, AccessSink* sink) {
  if (level < 1 || level > 2 || level < geo_.start_level)
    throw std::invalid_argument("blocks exist at levels 1 and 2 only");
  const std::uint64_t size = Geometry::level_size(level);
  if ((ipa & (size - 1)) != 0 || (pa & (size - 1)) != 0)
    throw std::invalid_argument("block IPA and PA must be aligned to the block size");
  const phys_addr_t dpa = geo_.ipa_in_range(ipa) ? walk_to(ipa, level, true, sink) : 0;
  if (dpa == 0) return S2Desc{};
  const S2Desc old{mem_.load64(dpa)};
  if (old.type(level) == DescType::Table) free_subtree(old.output_address(geo_.oa_mask()), level + 1);
  const S2Desc d = make_block(pa, attrs);
  mem_.store64(dpa, d.raw);
  if (sink) sink->on_store(dpa, level);
  account(old, d, level);
  return old;
}

void S2PageTable::free_subtree(phys_addr_t table_pa, level_t level) {
  for (unsigned i = 0; i < PTRS_PER_TABLE; ++i) {
    const S2Desc d{mem_.load64(table_pa + i * 8)};
    if (d.type(level) == DescType::Table) free_subtree(d.output_address(geo_.oa_mask()), level + 1);
    account(d, S2Desc{}, level);
  }
  mem_.free_frame(table_pa);
}

level_t S2PageTable::clear_leaf(ipa_t ipa, AccessSink* sink) {
  const S2Lookup r = lookup(ipa);
  if (!r.mapped) return -1;
  if (sink)
    for (unsigned i = 0; i < r.nvisited; ++i) sink->on_load(r.visited[i], geo_.start_level + static_cast<level_t>(i));
  mem_.store64(r.desc_pa, 0);
  if (sink) sink->on_store(r.desc_pa, r.level);
  account(r.desc, S2Desc{}, r.level);
  return r.level;
}

bool S2PageTable::clear_leaf_entry(phys_addr_t pa, level_t level, AccessSink* sink) {
  const S2Desc old{mem_.load64(pa)};
  if (sink) sink->on_load(pa, level);
  if (old.raw == 0) return false;
  mem_.store64(pa, 0);
  if (sink) sink->on_store(pa, level);
  account(old, S2Desc{}, level);
  return true;
}

phys_addr_t S2PageTable::clear_table_entry(phys_addr_t pa, level_t level, AccessSink* sink) {
  const S2Desc old{mem_.load64(pa)};
  if (sink) sink->on_load(pa, level);
  if (old.type(level) != DescType::Table) return 0;
  mem_.store64(pa, 0);
  if (sink) sink->on_store(pa, level);
  const phys_addr_t table = old.output_address(geo_.oa_mask());
  free_subtree(table, level + 1);
  return table;
}

bool S2PageTable::table_empty(phys_addr_t table_pa) const {
  const std::uint64_t* words = mem_.table_words(table_pa);
  if (!words) return false;
  for (unsigned i = 0; i < PTRS_PER_TABLE; ++i)
    if (words[i] != 0) return false;
  return true;
}

bool S2PageTable::clear_entry(ipa_t ipa, level_t level, AccessSink* sink) {
  const phys_addr_t dpa = geo_.ipa_in_range(ipa) ? walk_to(ipa, level, false, sink) : 0;
  if (dpa == 0) return false;
  const S2Desc old{mem_.load64(dpa)};
  if (!old.valid()) return false;
  if (old.type(level) == DescType::Table) free_subtree(old.output_address(geo_.oa_mask()), level + 1);
  mem_.store64(dpa, 0);
  if (sink) sink->on_store(dpa, level);
  account(old, S2Desc{}, level);
  return true;
}

bool S2PageTable::set_readonly(ipa_t ipa, AccessSink* sink) {
  const S2Lookup r = lookup(ipa);
  if (!r.mapped) return false;
  mem_.store64(r.desc_pa, kvm_set_s2pte_readonly(r.desc).raw);
  if (sink) sink->on_store(r.desc_pa, r.level);
  return true;
}

bool S2PageTable::set_writable(ipa_t ipa, AccessSink* sink) {
  const S2Lookup r = lookup(ipa);
  if (!r.mapped) return false;
  mem_.store64(r.desc_pa, kvm_set_s2pte_writable(r.desc).raw);
  if (sink) sink->on_store(r.desc_pa, r.level);
  return true;
}

S2Lookup S2PageTable::lookup(ipa_t ipa) const {
  S2Lookup r;
  r.level = geo_.start_level;
  if (!geo_.ipa_in_range(ipa)) {
    r.out_of_range = true;
    return r;
  }
  phys_addr_t table = pgd_pa_;
  for (level_t l = geo_.start_level; l <= kMaxLevel; ++l) {
    const phys_addr_t pa = table + geo_.index(l, ipa) * 8;
    const S2Desc d{mem_.load64(pa)};
    r.visited[r.nvisited++] = pa;
    r.level = l;
    r.desc = d;
    r.desc_pa = pa;
    switch (d.type(l)) {
      case DescType::Table: table = d.output_address(geo_.oa_mask()); break;
      case DescType::Block:
      case DescType::Page: r.mapped = true; return r;
      case DescType::Invalid: return r;
    }
  }
  return r;
}

phys_addr_t S2PageTable::entry_pa(ipa_t ipa, level_t level) const {
  if (!geo_.ipa_in_range(ipa)) return 0;
  phys_addr_t table = pgd_pa_;
  for (level_t l = geo_.start_level;; ++l) {
    const phys_addr_t pa = table + geo_.index(l, ipa) * 8;
    if (l == level) return pa;
    const S2Desc d{mem_.load64(pa)};
    if (d.type(l) != DescType::Table) return 0;
    table = d.output_address(geo_.oa_mask());
  }
}

}  // namespace s2sim::mmu
