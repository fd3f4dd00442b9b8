#include "mmu/hw_walk.h"

namespace s2sim::mmu {

const char* to_string(FaultKind k) {
  switch (k) {
    case FaultKind::None: return "none";
    case FaultKind::Translation: return "translation";
    case FaultKind::AccessFlag: return "access_flag";
    case FaultKind::Permission: return "permission";
  }
  return "?";
}

TranslateResult translate(const S2PageTable& pt, ipa_t ipa, Access access) {
  const Geometry& g = pt.geometry();
  if (!g.ipa_in_range(ipa)) {
    // An IPA above the size set by VTCR.T0SZ is a stage-2 Translation fault with no
    // table read. ARMv7 LPAE has no level 0 (its level-0 fault code is reserved,
    // DDI 0406C.d B3.13.3 Table B3-24), so the fault is reported at level 1; AArch64
    // reports it at level 0 (DDI 0487 D8.2, "input address size").
    TranslateResult r;
    r.fault = FaultKind::Translation;
    r.level = g.arch == 7 ? 1 : 0;
    return r;
  }
  return translate_from(pt, ipa, access, g.start_level, pt.pgd_pa());
}

TranslateResult translate_from(const S2PageTable& pt, ipa_t ipa, Access access, level_t level, phys_addr_t table_pa) {
  const Geometry& g = pt.geometry();
  const PhysMem& mem = pt.mem();
  TranslateResult r;
  phys_addr_t table = table_pa;
  for (level_t l = level; l <= kMaxLevel; ++l) {
    const phys_addr_t pa = table + g.index(l, ipa) * 8;
    const S2Desc d{mem.load64(pa)};
    r.visited[r.nvisited] = pa;
    r.visited_level[r.nvisited++] = l;
    r.level = l;
    const DescType t = d.type(l);
    if (t == DescType::Table) {
      table = d.output_address(g.oa_mask());
      continue;
    }
    if (t == DescType::Invalid) {
      r.fault = FaultKind::Translation;
      return r;
    }
    // A leaf: page at level 3, block at 1 or 2.
    r.leaf = d;
    r.leaf_pa = pa;
    r.block_shift = Geometry::level_shift(l);
    const std::uint64_t size_mask = (std::uint64_t{1} << r.block_shift) - 1;
    r.pa = (d.output_address(g.oa_mask()) & ~size_mask) | (ipa & size_mask);
    r.readable = d.readable();
    r.writable = d.writable();
    // An access flag fault takes priority over a permission fault on the same
    // descriptor. Stage 2 on ARMv7 has no hardware access-flag update, so AF == 0
    // always faults (KVM's PAGE_S2 sets AF on every mapping it makes).
    if (!d.af()) {
      r.fault = FaultKind::AccessFlag;
    } else if ((access == Access::Write && !r.writable) || (access == Access::Read && !r.readable)) {
      r.fault = FaultKind::Permission;
    }
    return r;
  }
  r.fault = FaultKind::Translation;
  return r;
}

PrefetchedLeaf prefetch_translation(const S2PageTable& pt, ipa_t ipa) {
  const Geometry& g = pt.geometry();
  if (!g.ipa_in_range(ipa)) return {};
  const PhysMem& mem = pt.mem();
  phys_addr_t table = pt.pgd_pa();
  for (level_t l = g.start_level; l < kMaxLevel; ++l) {
    const phys_addr_t pa = table + g.index(l, ipa) * 8;
    const S2Desc d{mem.load64(pa)};
    if (d.type(l) != DescType::Table) return {pa, nullptr};
    table = d.output_address(g.oa_mask());
  }
  const phys_addr_t leaf = table + g.index(kMaxLevel, ipa) * 8;
  return {leaf, mem.prefetch64(leaf)};
}

}  // namespace s2sim::mmu
