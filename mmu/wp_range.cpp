// `range`: kvm_mmu_write_protect_pt_masked() as upstream merged it: protect every
// present leaf in [base + __ffs(mask), base + __fls(mask)] with one stage2_wp_range()
// walk. Pages between the set bits are protected too (counted as clean): harmless,
// each costs one extra write fault if the guest writes it later.
#include <bit>

#include "mmu/wp_walkers.h"

namespace s2sim::mmu {

void RangeWalker::write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                                       unsigned /*bits_per_long*/, WpStats& stats) {
  ++stats.calls;
  if (!mask) return;
  const gfn_t base_gfn = slot.base_gfn + gfn_offset;
  const ipa_t start = (base_gfn + static_cast<unsigned>(std::countr_zero(mask))) << PAGE_SHIFT;
  const ipa_t end = (base_gfn + 63u - static_cast<unsigned>(std::countl_zero(mask)) + 1) << PAGE_SHIFT;
  stage2_wp_range(w, start, end, stats, &mask, base_gfn);
}

}  // namespace s2sim::mmu
