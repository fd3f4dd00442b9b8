#include "sim/engine/invariant_checker.h"

#include <algorithm>
#include <string>

#include "mmu/dbm.h"

namespace s2sim::sim {

using mmu::Access;
using mmu::gfn_t;
using mmu::ipa_t;

void check_dirty_log_invariant(const mmu::Kvm& kvm, const mmu::Memslot& slot, const std::vector<gfn_t>& reported,
                               const std::vector<const TlbHierarchy*>& tlbs, std::uint64_t now, RunResult& res) {
  // With dirty rings, a page pushed and not yet reset is recorded too (the push comes
  // with the fault that made it writable); a ring-only slot has no bitmap.
  std::vector<gfn_t> in_rings;
  for (const mmu::DirtyRing& ring : kvm.dirty_rings)
    for (std::uint32_t i = ring.reset_index(); i != ring.dirty_index(); ++i)
      if ((ring.entry(i).slot & 0xFFFF) == slot.id) in_rings.push_back(slot.base_gfn + ring.entry(i).offset);
  std::sort(in_rings.begin(), in_rings.end());
  auto dirty = [&](gfn_t g) {
    return std::binary_search(reported.begin(), reported.end(), g) ||
           (slot.dirty_bitmap && slot.dirty_bitmap->test(g - slot.base_gfn)) ||
           std::binary_search(in_rings.begin(), in_rings.end(), g);
  };
  auto violation = [&](gfn_t g, const std::string& why) {
    ++res.invariant_violations;
    if (res.first_invariant_violations.size() < 8)
      res.first_invariant_violations.push_back("gfn " + std::to_string(g) + ": " + why + " at cycle " +
                                               std::to_string(now));
  };
  const ipa_t lo = slot.base_gfn << mmu::PAGE_SHIFT, hi = slot.end_gfn() << mmu::PAGE_SHIFT;
  kvm.pgtable.for_each_leaf([&](ipa_t ipa, mmu::level_t level, mmu::phys_addr_t, mmu::S2Desc d) {
    // Writable with DBM is hardware-recorded dirty state (mmu/dbm.h): the next scan, or
    // the HDBSS buffer it was appended to, reports it.
    if (!d.writable() || d.dbm()) return;
    const ipa_t end = ipa + mmu::Geometry::level_size(level);
    for (ipa_t p = std::max(ipa, lo); p < std::min(end, hi); p += mmu::PAGE_SIZE)
      if (!dirty(p >> mmu::PAGE_SHIFT)) violation(p >> mmu::PAGE_SHIFT, "writable in the tables but not dirty");
  });
  for (std::size_t i = 0; i < tlbs.size(); ++i) {
    std::vector<TlbEntry> entries = tlbs[i]->main().entries();
    for (Access acc : {Access::Read, Access::Write})
      if (const Tlb* t = tlbs[i]->micro(acc)) {
        auto more = t->entries();
        entries.insert(entries.end(), more.begin(), more.end());
      }
    for (const auto& e : entries) {
      if (!e.writable) continue;
      // An entry the walker filled when it dirtied a DBM leaf (still writable-dirty).
      if (const mmu::S2Lookup l = kvm.pgtable.lookup(e.ipa_base()); l.mapped && mmu::s2_writable_dirty(l.desc))
        continue;
      for (ipa_t p = std::max(e.ipa_base(), lo); p < std::min(e.ipa_base() + e.size(), hi); p += mmu::PAGE_SIZE)
        if (!dirty(p >> mmu::PAGE_SHIFT))
          violation(p >> mmu::PAGE_SHIFT, "writable TLB entry on vCPU " + std::to_string(i) + " but not dirty");
    }
  }
}

}  // namespace s2sim::sim
