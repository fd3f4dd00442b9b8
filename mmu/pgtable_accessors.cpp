#include "mmu/pgtable_accessors.h"

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
  return S2Desc{mem_.load64(pa)};
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
