#include "mmu/memslot.h"

#include "mmu/granule.h"

namespace s2sim::mmu {

std::string Memslots::add(unsigned id, gfn_t base_gfn, std::uint64_t npages, bool hugepages, unsigned ipa_bits) {
  if (id >= KVM_USER_MEM_SLOTS) return "slot id must be below KVM_USER_MEM_SLOTS (" + std::to_string(KVM_USER_MEM_SLOTS) + ")";
  if (by_id(id)) return "slot id " + std::to_string(id) + " is already used";
  if (npages == 0) return "a memslot needs at least one page";
  const std::uint64_t limit = std::uint64_t{1} << (ipa_bits - PAGE_SHIFT);
  if (base_gfn >= limit || npages > limit - base_gfn)
    return "slot [gfn " + std::to_string(base_gfn) + ", +" + std::to_string(npages) + ") lies beyond the " +
           std::to_string(ipa_bits) + "-bit IPA space";
  for (const auto& [b, s] : slots_) {
    if (base_gfn < s.end_gfn() && s.base_gfn < base_gfn + npages)
      return "slot overlaps slot " + std::to_string(s.id);
  }
  Memslot m;
  m.id = id;
  m.base_gfn = base_gfn;
  m.npages = npages;
  m.hugepages = hugepages;
  // One entry per 2 MiB of IPA the slot touches.
  const gfn_t first_chunk = pmd_region(base_gfn), last_chunk = pmd_region(base_gfn + npages - 1);
  m.chunk_pa.assign(last_chunk - first_chunk + 1, 0);
  slots_.emplace(base_gfn, std::move(m));
  return {};
}

Memslot* Memslots::find(gfn_t gfn) {
  auto it = slots_.upper_bound(gfn);
  if (it == slots_.begin()) return nullptr;
  --it;
  return it->second.contains(gfn) ? &it->second : nullptr;
}

const Memslot* Memslots::find(gfn_t gfn) const { return const_cast<Memslots*>(this)->find(gfn); }

Memslot* Memslots::by_id(unsigned id) {
  for (auto& [b, s] : slots_)
    if (s.id == id) return &s;
  return nullptr;
}

const Memslot* Memslots::by_id(unsigned id) const { return const_cast<Memslots*>(this)->by_id(id); }

}  // namespace s2sim::mmu
