// Lab 2's tree: two 1 GiB regions with pmd tables (one often behind the second pgd
// page), a 2 MiB block, sometimes a 1 GiB block, and the four accesses drawn from it.
#include <algorithm>

#include "sim/labs/lab2_walk_the_tables/walk_lab.h"

namespace s2sim::sim::lab::walk {

using mmu::PMD_SIZE;
using mmu::PTRS_PER_PMD;
using mmu::PTRS_PER_PTE;
using mmu::PTRS_PER_TABLE;
using mmu::PUD_SIZE;

WalkLab::WalkLab(const ProblemId& id)
    : level_(id.level),
      rng_(workloads::derive_seed(id.seed, 2)),
      geo_(Geometry::armv7_lpae()),
      pt_(mem_, geo_, pick_vmid()),
      p_(start_problem(id, "walk the tables")) {
  build_tree();
  if (level_ != Level::Easy) add_traps();
}

// Levels normal and hard: a page mapped with AF = 0 (its first access takes an
// access-flag fault: ARMv7 stage 2 has no hardware AF update, ARM ARM B3.7.3) and a
// level-3 entry with the reserved encoding 0b01 (invalid: ARM ARM B3.6.1), each in a
// pte table that also maps valid pages, at an index no page uses.
void WalkLab::add_traps() {
  auto free_slot = [&](ipa_t region) {
    for (;;) {
      const ipa_t ipa = region + (rng_.below(mmu::PTRS_PER_PTE) << mmu::PAGE_SHIFT);
      const mmu::S2Lookup l = pt_.lookup(ipa);
      if (!l.mapped && l.level == 3 && l.desc.raw == 0) return ipa;
    }
  };
  const ipa_t af_ipa = free_slot(any(m_.pte_regions));
  pt_.map_page(af_ipa, page_pa(), attrs(rng_.below(2) == 0) & ~desc::AF);
  m_.no_af = af_ipa;
  const ipa_t res_ipa = free_slot(any(m_.pte_regions));
  mem_.store64(pt_.lookup(res_ipa).desc_pa, mmu::make_block(page_pa(), attrs(true)).raw);
  m_.reserved = res_ipa;
}

std::uint16_t WalkLab::pick_vmid() { return static_cast<std::uint16_t>(1 + rng_.below(255)); }

std::uint64_t WalkLab::attrs(bool writable) const { return desc::PAGE_S2_ATTRS | (writable ? desc::L_PTE_S2_RDWR : 0); }

phys_addr_t WalkLab::page_pa() { return (0x100000 + rng_.below(0x100000)) << mmu::PAGE_SHIFT; }  // 4-8 GiB: guest RAM

std::vector<std::uint64_t> WalkLab::distinct(std::size_t n, std::uint64_t below, std::vector<std::uint64_t> avoid) {
  std::vector<std::uint64_t> out;
  while (out.size() < n) {
    const std::uint64_t v = rng_.below(below);
    if (std::find(out.begin(), out.end(), v) == out.end() && std::find(avoid.begin(), avoid.end(), v) == avoid.end())
      out.push_back(v);
  }
  return out;
}

void WalkLab::map_pte_table(ipa_t region2m) {
  m_.pte_regions.push_back(region2m);
  bool any_ro = false;
  const auto idx = distinct(2 + rng_.below(3), PTRS_PER_PTE);
  for (std::size_t i = 0; i < idx.size(); ++i) {
    // The first page of the first table is read-only so every tree has one to write to.
    const bool writable = (m_.pte_regions.size() == 1 && i == 0) ? false : rng_.below(2) == 0;
    any_ro = any_ro || !writable;
    const ipa_t ipa = region2m + (idx[i] << mmu::PAGE_SHIFT);
    pt_.map_page(ipa, page_pa(), attrs(writable));
    m_.pages.push_back(ipa);
    (writable ? m_.pages_rw : m_.pages_ro).push_back(ipa);
    if (geo_.index(1, ipa) >= PTRS_PER_TABLE) m_.pages_high.push_back(ipa);
  }
}

void WalkLab::build_tree() {
  // Two 1 GiB regions with pmd tables; the second is usually behind pgd entry 512 or
  // more, in the second page of the concatenated pgd.
  const std::uint64_t lo = rng_.below(PTRS_PER_TABLE);
  const std::uint64_t hi =
      rng_.below(4) != 0 ? PTRS_PER_TABLE + rng_.below(PTRS_PER_TABLE) : distinct(1, PTRS_PER_TABLE, {lo})[0];
  m_.pgd_used = {lo, hi};
  const bool block_in_lo = rng_.below(2) == 0;
  for (const std::uint64_t g : {lo, hi}) {
    const ipa_t region = g * PUD_SIZE;
    m_.pmd_regions.push_back(region);
    const bool with_block = (g == lo) == block_in_lo;
    const auto pmd = distinct(with_block ? 2 + rng_.below(2) : 1 + rng_.below(2), PTRS_PER_PMD);
    for (std::size_t i = 0; i < pmd.size(); ++i) {
      if (with_block && i == 0) {
        m_.block2m = region + pmd[i] * PMD_SIZE;
        const phys_addr_t pa = (0x800 + rng_.below(0x800)) * PMD_SIZE;  // 4-8 GiB, 2 MiB aligned
        pt_.map_block(m_.block2m, pa, 2, attrs(rng_.below(2) == 0));
      } else {
        map_pte_table(region + pmd[i] * PMD_SIZE);
      }
    }
  }
  // Sometimes a 1 GiB block as well: a walk that ends at level 1.
  if (rng_.below(3) == 0) {
    const std::uint64_t g = distinct(1, geo_.start_entries(), m_.pgd_used)[0];
    m_.pgd_used.push_back(g);
    m_.block1g = g * PUD_SIZE;
    pt_.map_block(*m_.block1g, (8 + rng_.below(56)) * PUD_SIZE, 1, attrs(rng_.below(2) == 0));
  }
}

ipa_t WalkLab::offset() { return rng_.below(4096) & ~ipa_t{3}; }

Access WalkLab::read_or_write() { return rng_.below(2) == 0 ? Access::Read : Access::Write; }

// One candidate access of a category, or nothing if the tree has none.
std::optional<std::pair<ipa_t, Access>> WalkLab::candidate(int category) {
  switch (category) {
    case 0:  // a mapped page, read
      return std::pair{any(m_.pages) + offset(), Access::Read};
    case 1:  // a read/write page, written
      if (m_.pages_rw.empty()) return std::nullopt;
      return std::pair{any(m_.pages_rw) + offset(), Access::Write};
    case 2:  // a read-only page, written: a permission fault
      return std::pair{any(m_.pages_ro) + offset(), Access::Write};
    case 3:  // inside the 2 MiB block
      return std::pair{m_.block2m + (rng_.below(PTRS_PER_PTE) << mmu::PAGE_SHIFT) + offset(), read_or_write()};
    case 4:  // a hole in a pte table
      for (;;) {
        const ipa_t ipa = any(m_.pte_regions) + (rng_.below(PTRS_PER_PTE) << mmu::PAGE_SHIFT);
        const mmu::S2Lookup l = pt_.lookup(ipa);
        if (!l.mapped && l.level == 3) return std::pair{ipa + offset(), read_or_write()};
      }
    case 5:  // a hole in a pmd table
      for (;;) {
        const ipa_t ipa =
            any(m_.pmd_regions) + rng_.below(PTRS_PER_PMD) * PMD_SIZE + (rng_.below(PTRS_PER_PTE) << mmu::PAGE_SHIFT);
        const mmu::S2Lookup l = pt_.lookup(ipa);
        if (!l.mapped && l.level == 2) return std::pair{ipa + offset(), read_or_write()};
      }
    case 6: {  // a hole in the pgd, often 512 entries away from a used one
      std::uint64_t g = rng_.below(geo_.start_entries());
      if (rng_.below(2) == 0) g = m_.pgd_used[0] ^ PTRS_PER_TABLE;
      const ipa_t ipa =
          g * PUD_SIZE + rng_.below(PTRS_PER_PMD) * PMD_SIZE + (rng_.below(PTRS_PER_PTE) << mmu::PAGE_SHIFT);
      const mmu::S2Lookup l = pt_.lookup(ipa);
      if (l.mapped || l.level != 1) return std::nullopt;
      return std::pair{ipa + offset(), read_or_write()};
    }
    case 7:  // a page behind the second pgd page
      if (m_.pages_high.empty()) return std::nullopt;
      return std::pair{any(m_.pages_high) + offset(), read_or_write()};
    case 8:  // inside the 1 GiB block
      if (!m_.block1g) return std::nullopt;
      return std::pair{*m_.block1g + (rng_.below(mmu::PUD_PAGES) << mmu::PAGE_SHIFT) + offset(), read_or_write()};
    case 9:  // the page with AF = 0: an access-flag fault
      if (!m_.no_af) return std::nullopt;
      return std::pair{*m_.no_af + offset(), read_or_write()};
    case 10:  // the reserved level-3 encoding: a translation fault
      if (!m_.reserved) return std::nullopt;
      return std::pair{*m_.reserved + offset(), read_or_write()};
  }
  return std::nullopt;
}

// Four accesses: always the 2 MiB block, a page behind the second pgd page when the
// tree has one, at least one fault, the rest drawn from what is left. Normal adds
// the AF = 0 page or the reserved entry; hard both (five accesses).
std::vector<std::pair<ipa_t, Access>> WalkLab::pick_accesses() {
  std::vector<int> chosen = {3};
  if (!m_.pages_high.empty()) chosen.push_back(7);
  const int faults[] = {2, 4, 5, 6};
  chosen.push_back(faults[rng_.below(4)]);
  if (level_ == Level::Normal) chosen.push_back(rng_.below(2) == 0 ? 9 : 10);
  if (level_ == Level::Hard) chosen.insert(chosen.end(), {9, 10});
  std::vector<std::pair<ipa_t, Access>> out;
  auto take = [&](int c) {
    for (int tries = 0; tries < 8; ++tries) {
      auto a = candidate(c);
      if (!a) continue;
      bool dup = false;
      for (const auto& o : out) dup = dup || (o.first >> 12) == (a->first >> 12);
      if (!dup) {
        out.push_back(*a);
        return true;
      }
    }
    return false;
  };
  for (int c : chosen) take(c);
  std::vector<int> rest;
  for (int c = 0; c <= 8; ++c)  // 9 and 10 only when chosen above
    if (std::find(chosen.begin(), chosen.end(), c) == chosen.end()) rest.push_back(c);
  const std::size_t n = level_ == Level::Hard ? 5 : 4;
  while (out.size() < n && !rest.empty()) {
    const std::size_t i = rng_.below(rest.size());
    const int c = rest[i];
    rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(i));
    take(c);
  }
  while (out.size() < n) take(0);
  for (std::size_t i = out.size() - 1; i > 0; --i) std::swap(out[i], out[rng_.below(i + 1)]);
  return out;
}

// Every table frame, in address order: the two pgd pages and each table below.
std::vector<phys_addr_t> WalkLab::table_frames() const {
  std::vector<phys_addr_t> frames;
  for (unsigned i = 0; i < geo_.start_table_pages(); ++i) frames.push_back(pt_.pgd_pa() + i * mmu::PAGE_SIZE);
  for (std::size_t f = 0; f < frames.size(); ++f) {
    const level_t level = frames[f] - pt_.pgd_pa() < geo_.start_table_pages() * mmu::PAGE_SIZE
                              ? geo_.start_level
                              : mem_.table_info(frames[f]).level;
    if (level >= mmu::kMaxLevel) continue;
    const std::uint64_t* w = mem_.table_words(frames[f]);
    for (unsigned i = 0; i < mmu::PTRS_PER_TABLE; ++i)
      if (S2Desc{w[i]}.type(level) == DescType::Table) frames.push_back(S2Desc{w[i]}.output_address(geo_.oa_mask()));
  }
  std::sort(frames.begin(), frames.end());
  return frames;
}

}  // namespace s2sim::sim::lab::walk
