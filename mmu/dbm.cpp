#include "mmu/dbm.h"

#include <algorithm>

#include "mmu/granule.h"
#include "mmu/pgtable_accessors.h"

namespace s2sim::mmu {

const char* to_string(HwDirty mode) {
  switch (mode) {
    case HwDirty::None: return "none";
    case HwDirty::Dbm: return "dbm";
    case HwDirty::Hdbss: return "hdbss";
    case HwDirty::Hacdbs: return "hacdbs";
  }
  return "?";
}

std::optional<HwDirty> hw_dirty_from_string(const std::string& name) {
  for (const HwDirty m : {HwDirty::None, HwDirty::Dbm, HwDirty::Hdbss, HwDirty::Hacdbs})
    if (name == to_string(m)) return m;
  return std::nullopt;
}

std::uint64_t vtcr_hw_bits(HwDirty mode) {
  switch (mode) {
    case HwDirty::None: return 0;
    case HwDirty::Dbm: return vtcr::HA | vtcr::HD;
    case HwDirty::Hdbss:
    case HwDirty::Hacdbs: return vtcr::HA | vtcr::HD | vtcr::HDBSS;  // HACDBS has no VTCR bit (HACDBSBR_EL2.EN)
  }
  return 0;
}

std::optional<S2Desc> hw_update(S2Desc leaf, Access access, FaultKind fault, std::uint64_t vtcr_bits) {
  // D8.4.7: only a permission fault for a write, on a leaf whose DBM is set and
  // whose S2AP grants read, is turned into the update; any other fault stands.
  if (fault == FaultKind::Permission && access == Access::Write && (vtcr_bits & vtcr::HD) && leaf.dbm() &&
      leaf.readable())
    return S2Desc{leaf.raw | (std::uint64_t{desc::S2AP_WO} << desc::S2AP_SHIFT)};
  if (fault == FaultKind::AccessFlag && (vtcr_bits & vtcr::HA)) return S2Desc{leaf.raw | desc::AF};
  return std::nullopt;
}

bool HdbssBuffer::append(ipa_t ipa, level_t level) {
  if (full()) return false;
  entries_.push_back(hdbss::make_entry(ipa, level));
  return true;
}

std::uint64_t HdbssBuffer::drain(Kvm& kvm, Memslot& slot, int vcpu) {
  const std::uint64_t n = entries_.size();
  for (const std::uint64_t e : entries_) {
    const gfn_t gfn = hdbss::entry_ipa(e) >> PAGE_SHIFT;
    if (slot.contains(gfn)) kvm.mark_page_dirty_in_slot(slot, gfn, vcpu);
  }
  entries_.clear();
  return n;
}

DbmScanStats& DbmScanStats::operator+=(const DbmScanStats& o) {
  ptes_scanned += o.ptes_scanned;
  blocks_scanned += o.blocks_scanned;
  ptes_cleaned += o.ptes_cleaned;
  blocks_protected += o.blocks_protected;
  pages_dirty += o.pages_dirty;
  return *this;
}

namespace {

// A writable block: every page of it inside the slot is dirty, and the block goes
// read-only (the RFC keeps DBM off blocks: its next write faults and dissolves it).
void scan_block(Kvm& kvm, const Memslot& slot, S2Walk& w, phys_addr_t entry, level_t level, S2Desc v, ipa_t ipa,
                DbmScanStats& st) {
  ++st.blocks_scanned;
  if (!v.writable()) return;
  w.store(entry, level, kvm_set_s2pmd_readonly(v), ipa);
  ++st.blocks_protected;
  const gfn_t first = ipa >> PAGE_SHIFT;
  const gfn_t n = Geometry::level_size(level) >> PAGE_SHIFT;
  for (gfn_t g = first; g < first + n; ++g)
    if (slot.contains(g)) {
      kvm.mark_page_dirty(g);
      ++st.pages_dirty;
    }
}

}  // namespace

DbmScanStats dbm_scan_clean(Kvm& kvm, Memslot& slot, gfn_t first, gfn_t end, AccessSink* sink) {
  DbmScanStats st;
  S2Walk w(kvm.pgtable, sink, &kvm.hazards, "dbm-scan");
  const Geometry& g = kvm.pgtable.geometry();
  gfn_t gfn = first;
  while (gfn < end) {
    // One pmd's range at a time, from the top: pgd, pud (folded or not), pmd, ptes.
    const gfn_t next = std::min<gfn_t>(end, pmd_end_gfn(gfn));
    const ipa_t addr = gfn << PAGE_SHIFT;
    const phys_addr_t pgd = pgd_offset(w, addr);
    if (!pgd_present(w, pgd, addr)) {
      gfn = next;
      continue;
    }
    const phys_addr_t pud = pud_offset(w, pgd, addr);
    const S2Desc pudv = w.load(pud, g.pud_level(), addr);
    if (pud_none(pudv)) {
      gfn = next;
      continue;
    }
    if (pud_huge(pudv)) {
      scan_block(kvm, slot, w, pud, g.pud_level(), pudv, addr & ~(Geometry::level_size(g.pud_level()) - 1), st);
      // The whole 1 GiB is handled: skip to its end.
      const gfn_t pud_pages = Geometry::level_size(g.pud_level()) >> PAGE_SHIFT;
      gfn = std::min<gfn_t>(end, (gfn / pud_pages + 1) * pud_pages);
      continue;
    }
    const phys_addr_t pmd = pmd_offset(w, pudv, addr);
    const S2Desc pmdv = w.load(pmd, pmd_level(), addr);
    if (pmd_none(pmdv)) {
      gfn = next;
      continue;
    }
    if (pmd_huge(pmdv)) {
      scan_block(kvm, slot, w, pmd, pmd_level(), pmdv, addr & ~(Geometry::level_size(pmd_level()) - 1), st);
      gfn = next;
      continue;
    }
    phys_addr_t pte = pte_offset_kernel(w, pmdv, addr);
    for (; gfn < next; ++gfn, pte += 8) {
      const ipa_t ipa = gfn << PAGE_SHIFT;
      const S2Desc ptev = w.load(pte, pte_level(), ipa);
      ++st.ptes_scanned;
      if (!pte_present(ptev) || !ptev.writable()) continue;
      // The cmpxchg: writable (dirty) -> writable-clean; a writable pte that had no DBM
      // yet (mapped writable by a fault) gets it here, as the RFC sets DBM only on
      // writable ptes.
      w.store(pte, pte_level(), kvm_s2pte_clean(kvm_set_s2pte_dbm(ptev)), ipa);
      ++st.ptes_cleaned;
      kvm.mark_page_dirty(gfn);
      ++st.pages_dirty;
    }
  }
  return st;
}

void dbm_save_dirty_on_clear(Kvm& kvm, S2Desc old, ipa_t addr, level_t level) {
  if (!s2_writable_dirty(old)) return;
  const gfn_t first = (addr & ~(Geometry::level_size(level) - 1)) >> PAGE_SHIFT;
  for (gfn_t g = first; g < first + (Geometry::level_size(level) >> PAGE_SHIFT); ++g) kvm.mark_page_dirty(g);
}

bool dbm_arm_after_write_fault(Kvm& kvm, ipa_t ipa) {
  const S2Lookup l = kvm.pgtable.lookup(ipa);
  if (l.level != pte_level() || !pte_present(l.desc) || !l.desc.writable() || l.desc.dbm()) return false;
  kvm.pgtable.mem().store64(l.desc_pa, kvm_set_s2pte_dbm(l.desc).raw);
  return true;
}

}  // namespace s2sim::mmu
