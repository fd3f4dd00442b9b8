// Kernel-shaped accessors for software walks of the stage-2 tables, so that each
// write-protect walker reads like the code it models (arch/arm/include/asm/
// pgtable-3level.h, asm-generic/pgtable-nopud.h, arch/arm/include/asm/kvm_mmu.h).
//
// Pointers are physical addresses of descriptors in simulated memory. Loads are
// explicit (`w.load(pmd)`): one load per entry visited, as compiled kernel code
// does once it has read `*pmd` into a register, and one more wherever the compiled
// code must read the entry again (the seed walker's loop, mmu/wp_v4.cpp). Every load
// and store goes through the walk context, which reports it to the access sink and
// checks it for hazards:
//   - pmd_offset()/pte_offset_kernel() given a non-present entry -> walk_non_present
//   - ... given a block entry                                    -> block_as_table
//   - a store whose entry does not map the IPA it is meant for   -> wrong_table_wp
//   - a store into a guest data frame                            -> guest_frame_corrupted
//   - a load or store in unbacked/freed memory not already explained -> stray_access
// and, for one masked call whose coverage it tracks (track_mask / report_abandoned):
//   - a page of the mask still mapped writable whose entry the walker never read
//                                                                  -> mask_abandoned
#pragma once

#include "mmu/access_sink.h"
#include "mmu/descriptor.h"
#include "mmu/hazard.h"
#include "mmu/s2_pgtable.h"

namespace s2sim::mmu {

class S2Walk {
 public:
  S2Walk(S2PageTable& pt, AccessSink* sink, HazardLog* hazards, const char* walker)
      : pt_(pt), mem_(pt.mem()), geo_(pt.geometry()), sink_(sink), hazards_(hazards), walker_(walker) {}

  S2PageTable& pgtable() { return pt_; }
  const Geometry& geometry() const { return geo_; }

  // Names the walker's statement about to run (an id of the walker's own statement
  // table, e.g. mmu/wp_v4_statements.h; 0 = none), so that what it reports says
  // where it came from. Returns the walk, to be used in the statement it names.
  template <typename Statement>
  S2Walk& at(Statement s) {
    statement_ = static_cast<std::uint8_t>(s);
    return *this;
  }
  std::uint8_t statement() const { return statement_; }

  // A descriptor load at `level`, made while handling `ipa`.
  S2Desc load(phys_addr_t pa, level_t level, ipa_t ipa);
  // A descriptor store at `level`, meant to change the entry that maps `ipa`.
  void store(phys_addr_t pa, level_t level, S2Desc value, ipa_t ipa);
  // The next-level table address held in `entry` (read from `entry_pa` at `level`),
  // as pmd_page_vaddr()/pud_page_vaddr() compute it: no check in the kernel, a
  // hazard check here.
  phys_addr_t table_of(S2Desc entry, level_t level, ipa_t ipa);

  // Fast path for a walker that visits a run of entries in order: the `n` entries of
  // one table frame from `pa` on, the first meant to map `ipa` at `level` and each next
  // one the next Geometry::level_size(level) of IPA space. Returns the frame's words
  // from `pa` on when per-entry load()/store() would report no hazard for any of them
  // (a page-table frame of that level whose entries map exactly those IPAs), so the
  // caller may read and write them directly -- reporting each access to sink() itself,
  // in the order load()/store() would have. Otherwise nullptr: go entry by entry.
  std::uint64_t* entry_run(phys_addr_t pa, level_t level, ipa_t ipa, unsigned n);
  AccessSink* sink() const { return sink_; }

  void hazard(HazardKind k, ipa_t ipa, phys_addr_t pa, level_t level) {
    if (hazards_) hazards_->report(Hazard{k, ipa, pa, level, walker_, statement_});
  }

  // Coverage of one kvm_mmu_write_protect_pt_masked() call: from now on, note which of
  // the `nbits` pages from `first_gfn` the walker reads a leaf-level entry for (a pte
  // load, or a load that finds a block covering the page), or reaches by entry_run().
  void track_mask(gfn_t first_gfn, unsigned nbits) {
    track_ = true;
    track_gfn_ = first_gfn;
    track_bits_ = nbits;
    covered_ = 0;
  }
  std::uint64_t covered() const { return covered_; }
  // Pages a walker takes in charge without reading their entries now: HACDBS's list
  // (mmu/hacdbs.h) has them cleaned, or write-protected, before the call drops mmu_lock.
  void mark_covered(std::uint64_t mask) {
    if (track_) covered_ |= mask;
  }
  // After the walker returned: every page of `mask` it never covered that is still
  // mapped writable is a mask_abandoned hazard (one report per page). This
  // get_dirty_log call takes the page's dirty bit, so nothing will log its next write.
  void report_abandoned(std::uint64_t mask);

 private:
  void check_frame(phys_addr_t pa, level_t level, ipa_t ipa, bool store);
  void cover(gfn_t first, std::uint64_t npages);  // marks pages of the tracked window

  S2PageTable& pt_;
  PhysMem& mem_;
  const Geometry& geo_;
  AccessSink* sink_;
  HazardLog* hazards_;
  const char* walker_;
  std::uint8_t statement_ = 0;
  // The frame of the last table pointer taken from a bad entry: accesses in it are
  // already explained by that hazard and are not reported again as stray.
  phys_addr_t explained_frame_ = ~phys_addr_t{0};
  bool track_ = false;
  gfn_t track_gfn_ = 0;
  unsigned track_bits_ = 0;
  std::uint64_t covered_ = 0;
};

// --- the kernel's accessors, in its names -----------------------------------------

// kvm_pgd_addr_end / pud_addr_end / pmd_addr_end: the end of the range of the entry
// that maps `addr` at the level resolving `shift` bits, clamped to `end` (written to be
// correct when the boundary wraps).
inline ipa_t addr_end(ipa_t addr, ipa_t end, unsigned shift) {
  const ipa_t boundary = (addr + (ipa_t{1} << shift)) & ~((ipa_t{1} << shift) - 1);
  return boundary - 1 < end - 1 ? boundary : end;
}
inline level_t pgd_level(const S2Walk& w) { return w.geometry().pgd_level(); }
inline level_t pud_level(const S2Walk& w) { return w.geometry().pud_level(); }
inline constexpr level_t pmd_level() { return 2; }
inline constexpr level_t pte_level() { return 3; }

// kvm->arch.pgd + pgd_index(addr): the pgd spans the concatenated start-level pages.
inline phys_addr_t pgd_offset(S2Walk& w, ipa_t addr) {
  return w.pgtable().pgd_pa() + w.geometry().index(w.geometry().pgd_level(), addr) * 8;
}
// With the pud folded (ARMv7 LPAE, pgtable-nopud.h) pgd_present() is constant true
// and reads nothing; with a real pud level it tests the pgd entry.
bool pgd_present(S2Walk& w, phys_addr_t pgd, ipa_t addr);
// Folded: the pud *is* the pgd entry (pud_offset returns its argument, no load).
phys_addr_t pud_offset(S2Walk& w, phys_addr_t pgd, ipa_t addr);
// pmd_offset(pud, addr): the pmd table from the loaded pud value, plus pmd_index.
inline phys_addr_t pmd_offset(S2Walk& w, S2Desc pud_val, ipa_t addr) {
  return w.table_of(pud_val, w.geometry().pud_level(), addr) + w.geometry().index(pmd_level(), addr) * 8;
}
// pte_offset_kernel(pmd, addr): the pte table from the loaded pmd value, plus pte_index.
inline phys_addr_t pte_offset_kernel(S2Walk& w, S2Desc pmd_val, ipa_t addr) {
  return w.table_of(pmd_val, pmd_level(), addr) + w.geometry().index(pte_level(), addr) * 8;
}

}  // namespace s2sim::mmu
