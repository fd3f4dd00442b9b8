// `v4`: kvm_mmu_write_protect_pt_masked() as the 2014 seed patch (v4 of the ARM
// dirty-page-logging series) wrote it, with its crosses_pmd shortcut. The control
// flow follows the seed statement for statement so the two can be read side by
// side; only the loads are explicit (one per `*entry` the C code dereferences).
// Every statement is in the table of mmu/wp_v4_statements.h; those that reach the
// tables name themselves to the walk (`w.at(...)`), so that a hazard says which
// statement made it and lab 5 asks for statements by name.
//
// Latent bugs kept on purpose (the hazards S2Walk reports):
//  1. window does not cross a pmd: no presence check at all before
//     pte_offset_kernel(), so a pmd cleared by a host unmap is followed
//     (walk_non_present), and a 2 MiB block is followed as a table (block_as_table,
//     guest data corrupted, the block itself left writable);
//  2. window crosses and the first page's pmd is absent: it falls back to `next`'s
//     pmd but keeps indexing ptes with `ipa`, protecting an entry of the wrong table
//     (wrong_table_wp). That costs the unrelated page one needless write fault and
//     never loses a write: the intended page has no pmd, so it is not mapped and its
//     next write takes a translation fault that logs it (tests/mmu/stage2_unmap_test.cpp,
//     WrongTableWpCostsANeedlessFaultNeverALostWrite);
//  3. with the pud folded (ARMv7 LPAE) pgd_present() is constant true and
//     pud_offset(pgd, next) returns ipa's own level-1 entry, so the fallback can never
//     reach another 1 GiB region.
//
// The pmd is read on every pass of the loop. The loop starts with
// `pte = pte_offset_kernel(pmd, ipa)`, and on ARM pte_offset_kernel(pmd, addr) is
// pmd_page_vaddr(*(pmd)) + pte_index(addr) (arch/arm/include/asm/pgtable.h, 3.x): it
// dereferences the pmd pointer on each call. The kernel builds with
// -fno-strict-aliasing and pmd_t and pte_t are both u64, so the pte store of one
// pass keeps the compiler from holding *pmd in a register for the next: v4 reads
// the pmd once per protected page, not once per call. Without crosses_pmd that read
// is pte_offset_kernel's own (statement PmdReload). With crosses_pmd the upper walk
// has just read *pmd for pmd_present(), nothing is stored in between, and the
// compiled code reads the entry once for both.
#include <bit>

#include "mmu/granule.h"
#include "mmu/wp_v4_statements.h"
#include "mmu/wp_walkers.h"

namespace s2sim::mmu {

namespace {
inline unsigned ffs(std::uint64_t mask) { return static_cast<unsigned>(std::countr_zero(mask)); }  // __ffs
}  // namespace

void V4Walker::write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                                    unsigned bits_per_long, WpStats& stats) {
  using enum V4Statement;
  ++stats.calls;
  if (!mask) return;
  phys_addr_t pgd, pud, pmd, pte;
  S2Desc pudv, pmdv, ptev;
  const gfn_t gfnofst = slot.base_gfn + gfn_offset;

  ipa_t ipa = (gfnofst + ffs(mask)) << PAGE_SHIFT;
  const ipa_t offset_ipa = gfnofst << PAGE_SHIFT;
  const ipa_t next = (gfnofst + (bits_per_long - 1)) << PAGE_SHIFT;

  // Does the window of BITS_PER_LONG pages cross a pmd (2 MiB) boundary? If not, the
  // seed skips every upper-level lookup after the first.
  const bool crosses_pmd = ((offset_ipa & PMD_MASK) ^ (next & PMD_MASK)) != 0;

  // If pgd, pud or pmd is not present and the window crosses, try `next`'s entry.
  pgd = pgd_offset(w.at(PgdOffset), ipa);
  if (crosses_pmd && !pgd_present(w.at(PgdPresent), pgd, ipa)) {
    pgd = pgd_offset(w.at(PgdOffsetNext), next);
    if (!pgd_present(w.at(PgdPresentNext), pgd, next)) return;
  }

  pud = pud_offset(w.at(PudOffset), pgd, ipa);
  pudv = w.at(PudLoad).load(pud, pud_level(w), ipa);
  if (crosses_pmd && !pud_present(pudv)) {
    pud = pud_offset(w.at(PudOffsetNext), pgd, next);
    pudv = w.at(PudLoadNext).load(pud, pud_level(w), next);
    if (!pud_present(pudv)) return;
  }

  pmd = pmd_offset(w.at(PmdOffset), pudv, ipa);
  if (crosses_pmd) pmdv = w.at(PmdLoad).load(pmd, pmd_level(), ipa);  // `&&` reads *pmd only when crossing
  if (crosses_pmd && !pmd_present(pmdv)) {
    pmd = pmd_offset(w.at(PmdOffsetNext), pudv, next);
    pmdv = w.at(PmdLoadNext).load(pmd, pmd_level(), next);
    if (!pmd_present(pmdv)) return;
  }

  for (;;) {
    if (!crosses_pmd) pmdv = w.at(PmdReload).load(pmd, pmd_level(), ipa);  // pte_offset_kernel's *(pmd)
    pte = pte_offset_kernel(w.at(PteOffsetKernel), pmdv, ipa);
    ptev = w.at(PteLoad).load(pte, pte_level(), ipa);
    if (!pte_present(ptev)) goto next_ipa;
    if (kvm_s2pte_readonly(ptev)) goto next_ipa;
    w.at(SetReadonly).store(pte, pte_level(), kvm_set_s2pte_readonly(ptev), ipa);
    ++stats.ptes_write_protected;
  next_ipa:
    mask &= mask - 1;
    if (!mask) break;

    // find the next page
    ipa = (gfnofst + ffs(mask)) << PAGE_SHIFT;

    // skip the upper page-table lookups
    if (!crosses_pmd) continue;

    pgd = pgd_offset(w.at(LoopPgdOffset), ipa);
    if (!pgd_present(w.at(LoopPgdPresent), pgd, ipa)) goto next_ipa;
    pud = pud_offset(w.at(LoopPudOffset), pgd, ipa);
    pudv = w.at(LoopPudLoad).load(pud, pud_level(w), ipa);
    if (!pud_present(pudv)) goto next_ipa;
    pmd = pmd_offset(w.at(LoopPmdOffset), pudv, ipa);
    pmdv = w.at(LoopPmdLoad).load(pmd, pmd_level(), ipa);
    if (!pmd_present(pmdv)) goto next_ipa;
  }
}

}  // namespace s2sim::mmu
