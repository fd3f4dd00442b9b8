#include "mmu/pgtable_accessors.h"

#include <algorithm>
#include <bit>

namespace s2sim::mmu {

void S2Walk::check_frame(phys_addr_t pa, level_t level, ipa_t ipa, bool store) {
  const FrameKind k = mem_.kind(pa);
  const bool explained = (pa & PAGE_MASK) == explained_frame_;
  switch (k) {
    case FrameKind::PageTable: {
      if (!store) return;
      // The entry written must be the one that maps `ipa` at the level meant.
      const TableFrameInfo& info = mem_.table_info(pa);
      const std::uint64_t idx = (pa & (PAGE_SIZE - 1)) >> 3;
      const ipa_t lo = info.ipa_base + (idx << Geometry::level_shift(info.level));
      const ipa_t hi = lo + Geometry::level_size(info.level);
      if (info.level != level || ipa < lo || ipa >= hi) hazard(HazardKind::WrongTableWp, ipa, pa, level);
      return;
    }
    case FrameKind::GuestData:
      if (store) hazard(HazardKind::GuestFrameCorrupted, ipa, pa, level);
      else if (!explained) hazard(HazardKind::StrayAccess, ipa, pa, level);
      return;
    case FrameKind::Unbacked:
    case FrameKind::Free:
      if (!explained) hazard(HazardKind::StrayAccess, ipa, pa, level);
      return;
  }
}

S2Desc S2Walk::load(phys_addr_t pa, level_t level, ipa_t ipa) {
  if (sink_) sink_->on_load(pa, level);
  check_frame(pa, level, ipa, false);
  const S2Desc d{mem_.load64(pa)};
  if (track_ && (level == kMaxLevel || d.type(level) == DescType::Block))
    cover((ipa & ~(Geometry::level_size(level) - 1)) >> PAGE_SHIFT, Geometry::level_size(level) >> PAGE_SHIFT);
  return d;
}

void S2Walk::cover(gfn_t first, std::uint64_t npages) {
  // The pages of [first, first + npages) that fall in the tracked window.
  const gfn_t from = std::max(first, track_gfn_), to = std::min(first + npages, track_gfn_ + track_bits_);
  if (from >= to) return;
  const unsigned n = static_cast<unsigned>(to - from), shift = static_cast<unsigned>(from - track_gfn_);
  covered_ |= (n >= 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << n) - 1)) << shift;
}

void S2Walk::report_abandoned(std::uint64_t mask) {
  track_ = false;
  for (std::uint64_t m = mask & ~covered_; m; m &= m - 1) {
    const ipa_t ipa = (track_gfn_ + static_cast<unsigned>(std::countr_zero(m))) << PAGE_SHIFT;
    const S2Lookup r = pt_.lookup(ipa);
    // Writable with DBM set is dirty state the hardware recorded (mmu/dbm.h), not a
    // write that goes unlogged.
    if (r.mapped && r.desc.writable() && !r.desc.dbm()) hazard(HazardKind::MaskAbandoned, ipa, r.desc_pa, r.level);
  }
}

void S2Walk::store(phys_addr_t pa, level_t level, S2Desc value, ipa_t ipa) {
  if (sink_) sink_->on_store(pa, level);
  check_frame(pa, level, ipa, true);
  mem_.store64(pa, value.raw);
}

std::uint64_t* S2Walk::entry_run(phys_addr_t pa, level_t level, ipa_t ipa, unsigned n) {
  const std::uint64_t idx = (pa & (PAGE_SIZE - 1)) >> 3;
  if (n == 0 || idx + n > PTRS_PER_TABLE || mem_.kind(pa) != FrameKind::PageTable) return nullptr;
  // Loads from a table frame are never hazards; a store is one unless its entry maps
  // its IPA at its level (check_frame). Entry i maps [lo + i*size, lo + (i+1)*size) and
  // the caller's IPA for it is ipa + i*size, so the first entry decides for all.
  const TableFrameInfo& info = mem_.table_info(pa);
  const ipa_t lo = info.ipa_base + (idx << Geometry::level_shift(info.level));
  if (info.level != level || ipa < lo || ipa - lo >= Geometry::level_size(level)) return nullptr;
  if (track_ && level == kMaxLevel) cover(ipa >> PAGE_SHIFT, n);
  return mem_.table_words(pa) + idx;
}

phys_addr_t S2Walk::table_of(S2Desc entry, level_t level, ipa_t ipa) {
  const phys_addr_t table = entry.output_address(geo_.oa_mask());
  const DescType t = entry.type(level);
  if (t == DescType::Table) return table;
  hazard(t == DescType::Block ? HazardKind::BlockAsTable : HazardKind::WalkNonPresent, ipa, table, level);
  explained_frame_ = table & PAGE_MASK;
  return table;
}

bool pgd_present(S2Walk& w, phys_addr_t pgd, ipa_t addr) {
  if (w.geometry().pud_folded()) return true;
  return w.load(pgd, w.geometry().pgd_level(), addr).valid();
}

phys_addr_t pud_offset(S2Walk& w, phys_addr_t pgd, ipa_t addr) {
  const Geometry& g = w.geometry();
  if (g.pud_folded()) return pgd;
  const S2Desc pgd_val = w.load(pgd, g.pgd_level(), addr);
  return w.table_of(pgd_val, g.pgd_level(), addr) + g.index(g.pud_level(), addr) * 8;
}

}  // namespace s2sim::mmu
