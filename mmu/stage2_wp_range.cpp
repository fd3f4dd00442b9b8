// stage2_wp_range() and its per-level helpers, the range walk upstream merged
// (arch/arm/kvm/mmu.c, 2015: stage2_wp_range -> stage2_wp_puds -> stage2_wp_pmds ->
// stage2_wp_ptes). Each level loops over the entries that cover [addr, end),
// skipping none entries, protecting blocks on the entry itself; one descriptor load
// per entry visited. (The merged code BUG()s on a huge pud; s2sim protects a 1 GiB
// block like a 2 MiB one.)
#include "mmu/wp_walker.h"

namespace s2sim::mmu {

namespace {

struct RangeCtx {
  S2Walk& w;
  WpStats& stats;
  const std::uint64_t* mask;
  gfn_t mask_gfn;
};

// The loop of stage2_wp_ptes() on a run of ptes known to be hazard-free (see
// S2Walk::entry_run): the same loads, stores and counts, without a per-entry lookup
// of the frame. With no access sink it is a branch-free pass the compiler can
// vectorize; with one, each access is reported in the order the kernel makes them.
// Built for AVX2 too (picked at load time where the CPU has it): its 64-bit lane
// compares let the compiler vectorize the no-sink loop, which SSE2 cannot.
__attribute__((target_clones("avx2", "default")))
void wp_pte_run(RangeCtx& c, std::uint64_t* ptes, phys_addr_t pte, ipa_t addr, unsigned n) {
  const gfn_t gfn = addr >> PAGE_SHIFT;
  std::uint64_t wp = 0, clean = 0;
  if (AccessSink* sink = c.w.sink()) {
    for (unsigned i = 0; i < n; ++i, pte += 8) {
      sink->on_load(pte, pte_level());
      const S2Desc ptev{ptes[i]};
      if (ptev.raw == 0 || kvm_s2pte_readonly(ptev)) continue;
      sink->on_store(pte, pte_level());
      ptes[i] = kvm_set_s2pte_readonly(ptev).raw;
      ++wp;
      if (c.mask && !((*c.mask >> (gfn + i - c.mask_gfn)) & 1)) ++clean;
    }
  } else if (!c.mask) {
    for (unsigned i = 0; i < n; ++i) {
      const S2Desc ptev{ptes[i]};
      const bool change = ptev.raw != 0 && !kvm_s2pte_readonly(ptev);
      ptes[i] = change ? kvm_set_s2pte_readonly(ptev).raw : ptev.raw;
      wp += change;
    }
  } else {
    // A mask covers at most 64 pages from mask_gfn, so i < 64 here.
    const std::uint64_t mask = *c.mask >> (gfn - c.mask_gfn);
    for (unsigned i = 0; i < n; ++i) {
      const S2Desc ptev{ptes[i]};
      const bool change = ptev.raw != 0 && !kvm_s2pte_readonly(ptev);
      ptes[i] = change ? kvm_set_s2pte_readonly(ptev).raw : ptev.raw;
      wp += change;
      clean += change & !((mask >> (i & 63)) & 1);
    }
  }
  c.stats.ptes_write_protected += wp;
  c.stats.clean_pages_protected += clean;
}

void stage2_wp_ptes(RangeCtx& c, S2Desc pmdv, ipa_t addr, ipa_t end) {
  phys_addr_t pte = pte_offset_kernel(c.w, pmdv, addr);
  const auto n = static_cast<unsigned>((end - addr) >> PAGE_SHIFT);
  if (std::uint64_t* ptes = c.w.entry_run(pte, pte_level(), addr, n)) return wp_pte_run(c, ptes, pte, addr, n);
  do {
    const S2Desc ptev = c.w.load(pte, pte_level(), addr);
    if (ptev.raw != 0 /* !pte_none */ && !kvm_s2pte_readonly(ptev)) {
      c.w.store(pte, pte_level(), kvm_set_s2pte_readonly(ptev), addr);
      ++c.stats.ptes_write_protected;
      if (c.mask && !((*c.mask >> ((addr >> PAGE_SHIFT) - c.mask_gfn)) & 1)) ++c.stats.clean_pages_protected;
    }
    pte += 8;
    addr += PAGE_SIZE;
  } while (addr != end);
}

void stage2_wp_pmds(RangeCtx& c, S2Desc pudv, ipa_t addr, ipa_t end) {
  phys_addr_t pmd = pmd_offset(c.w, pudv, addr);
  do {
    const ipa_t next = addr_end(addr, end, 21);
    const S2Desc pmdv = c.w.load(pmd, pmd_level(), addr);
    if (!pmd_none(pmdv)) {
      if (pmd_huge(pmdv)) wp_protect_block(c.w, pmd, pmd_level(), pmdv, addr, c.stats);
      else stage2_wp_ptes(c, pmdv, addr, next);
    }
    pmd += 8;
    addr = next;
  } while (addr != end);
}

void stage2_wp_puds(RangeCtx& c, phys_addr_t pgd, ipa_t addr, ipa_t end) {
  const Geometry& g = c.w.geometry();
  phys_addr_t pud = pud_offset(c.w, pgd, addr);
  do {
    // With the pud folded the single "pud" is the pgd entry and covers its range.
    const ipa_t next = g.pud_folded() ? end : addr_end(addr, end, Geometry::level_shift(g.pud_level()));
    const S2Desc pudv = c.w.load(pud, g.pud_level(), addr);
    if (!pud_none(pudv)) {
      if (pud_huge(pudv)) wp_protect_block(c.w, pud, g.pud_level(), pudv, addr, c.stats);
      else stage2_wp_pmds(c, pudv, addr, next);
    }
    pud += 8;
    addr = next;
  } while (addr != end);
}

}  // namespace

void stage2_wp_range(S2Walk& w, ipa_t addr, ipa_t end, WpStats& stats, const std::uint64_t* mask, gfn_t mask_gfn) {
  if (addr >= end) return;
  RangeCtx c{w, stats, mask, mask_gfn};
  const Geometry& g = w.geometry();
  phys_addr_t pgd = pgd_offset(w, addr);
  do {
    const ipa_t next = addr_end(addr, end, Geometry::level_shift(g.pgd_level()));
    if (pgd_present(w, pgd, addr)) stage2_wp_puds(c, pgd, addr, next);
    pgd += 8;
    addr = next;
  } while (addr != end);
}

}  // namespace s2sim::mmu
