// unmap_stage2_range() and its per-level helpers as arch/arm/kvm/mmu.c has them from
// Linux 3.15 (Christoffer Dall's rework of unmap_range) through 4.x: unmap_ptes,
// unmap_pmds, unmap_puds, with clear_pmd_entry / clear_pud_entry when
// kvm_pte_table_empty / kvm_pmd_table_empty find a table emptied (3.17:
// arch/arm/include/asm/kvm_mmu.h defines both as kvm_page_empty(), a page refcount of 1,
// and kvm_pud_table_empty as 0). Each pte and block cleared is invalidated by IPA
// before the next; so is each table entry cleared, at the first address of the range
// it was reached for. One descriptor load per entry visited, one store per entry cleared.
#include "mmu/stage2_unmap.h"

#include "mmu/dbm.h"
#include "mmu/granule.h"
#include "mmu/pgtable_accessors.h"

namespace s2sim::mmu {

namespace {


struct Unmap {
  Kvm& kvm;
  AccessSink* sink;
  bool cleared = false;

  S2Desc load(phys_addr_t pa, level_t level) {
    if (sink) sink->on_load(pa, level);
    return S2Desc{kvm.mem.load64(pa)};
  }
  // A leaf (pte, or huge pmd / pud): clear it, then kvm_tlb_flush_vmid_ipa.
  void clear_leaf(phys_addr_t pa, level_t level, ipa_t addr) {
    dbm_save_dirty_on_clear(kvm, S2Desc{kvm.mem.load64(pa)}, addr, level);
    if (kvm.pgtable.clear_leaf_entry(pa, level, sink)) {
      kvm.tlb->flush_vmid_ipa(addr);
      cleared = true;
    }
  }
  // clear_pmd_entry() / clear_pud_entry(): clear the table entry, flush, free the table.
  void clear_table(phys_addr_t pa, level_t level, ipa_t addr) {
    kvm.pgtable.clear_table_entry(pa, level, sink);
    kvm.tlb->flush_vmid_ipa(addr);
  }

  void unmap_ptes(phys_addr_t pmd, S2Desc pmdv, ipa_t addr, ipa_t end) {
    const ipa_t start = addr;
    const phys_addr_t table = pmdv.output_address(kvm.options.geometry.oa_mask());
    phys_addr_t pte = table + kvm.options.geometry.index(Geometry::pte_level(), addr) * 8;
    do {
      clear_leaf(pte, Geometry::pte_level(), addr);  // one load; a store and a flush if it was set
      pte += 8;
      addr += PAGE_SIZE;
    } while (addr != end);
    if (kvm.pgtable.table_empty(table)) clear_table(pmd, Geometry::pmd_level(), start);
  }

  void unmap_pmds(phys_addr_t pud, level_t pud_level, S2Desc pudv, ipa_t addr, ipa_t end) {
    const ipa_t start = addr;
    const phys_addr_t table = pudv.output_address(kvm.options.geometry.oa_mask());
    phys_addr_t pmd = table + kvm.options.geometry.index(Geometry::pmd_level(), addr) * 8;
    do {
      const ipa_t next = addr_end(addr, end, Geometry::level_shift(Geometry::pmd_level()));
      const S2Desc pmdv = load(pmd, Geometry::pmd_level());
      if (pmdv.raw != 0) {
        if (pmdv.type(Geometry::pmd_level()) == DescType::Table) unmap_ptes(pmd, pmdv, addr, next);
        else clear_leaf(pmd, Geometry::pmd_level(), addr);
      }
      pmd += 8;
      addr = next;
    } while (addr != end);
    if (kvm.pgtable.table_empty(table)) clear_table(pud, pud_level, start);
  }

  // The puds of one pgd entry's range. With the pud folded (ARMv7 LPAE, and arm64 with
  // three levels) the only "pud" is the level-1 pgd entry itself.
  void unmap_puds(phys_addr_t first_pud, level_t pud_level, ipa_t addr, ipa_t end) {
    phys_addr_t pud = first_pud;
    do {
      const ipa_t next = addr_end(addr, end, Geometry::level_shift(pud_level));
      const S2Desc pudv = load(pud, pud_level);
      if (pudv.raw != 0) {
        if (pudv.type(pud_level) == DescType::Table) unmap_pmds(pud, pud_level, pudv, addr, next);
        else clear_leaf(pud, pud_level, addr);
      }
      pud += 8;
      addr = next;
    } while (addr != end);
    // kvm_pud_table_empty() is 0 on ARM and arm64: the pud table and its pgd entry stay.
  }
};

}  // namespace

bool unmap_stage2_range(Kvm& kvm, ipa_t start, std::uint64_t size, AccessSink* sink) {
  const Geometry& g = kvm.options.geometry;
  if (size == 0 || !g.ipa_in_range(start) || !g.ipa_in_range(start + size - 1)) return false;
  Unmap u{kvm, sink};
  const ipa_t end = start + size;
  ipa_t addr = start;
  phys_addr_t pgd = kvm.pgtable.pgd_pa() + g.index(g.pgd_level(), addr) * 8;
  do {
    const ipa_t next = addr_end(addr, end, Geometry::level_shift(g.pgd_level()));
    if (g.pud_folded()) {
      u.unmap_puds(pgd, g.pud_level(), addr, next);
    } else if (const S2Desc pgdv = u.load(pgd, g.pgd_level()); pgdv.type(g.pgd_level()) == DescType::Table) {
      // 4.0's unmap_range skips a none pgd entry; pud_offset(pgd, addr) reads it again.
      const phys_addr_t pud = pgdv.output_address(g.oa_mask()) + g.index(g.pud_level(), addr) * 8;
      u.unmap_puds(pud, g.pud_level(), addr, next);
    }
    pgd += 8;
    addr = next;
  } while (addr != end);
  return u.cleared;
}

bool kvm_unmap_gfn(Kvm& kvm, gfn_t gfn, AccessSink* sink) {
  return unmap_stage2_range(kvm, gfn << PAGE_SHIFT, PAGE_SIZE, sink);
}

bool kvm_unmap_pmd_range(Kvm& kvm, gfn_t gfn, AccessSink* sink) {
  // handle_hva_to_gpa() (3.15-4.x) calls kvm_unmap_hva_handler once per page of the
  // range: 512 single-page unmap_stage2_range() walks, each from the top. The page that
  // empties the pte table frees it and clears the pmd; the pages after it stop there.
  const gfn_t first = pmd_base_gfn(gfn);
  bool cleared = false;
  for (gfn_t g = first; g < first + PMD_PAGES; ++g) cleared |= kvm_unmap_gfn(kvm, g, sink);
  return cleared;
}

}  // namespace s2sim::mmu
