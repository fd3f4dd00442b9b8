// Memslots as KVM has them (struct kvm_memory_slot): id, base_gfn, npages, flags,
// and the dirty bitmap while KVM_MEM_LOG_DIRTY_PAGES is set. Held sorted by
// base_gfn; any base_gfn is allowed, including ones not 2 MiB aligned, which is
// exactly where a masked window crosses a pmd. As in the kernel, a slot stays where it
// is while others are added: a Memslot& or Memslot* taken from add's caller, find or
// by_id remains valid (node storage, not a flat array that moves on insert).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "mmu/dirty_bitmap.h"
#include "mmu/types.h"

namespace s2sim::mmu {

// KVM_USER_MEM_SLOTS on ARM in the 2014 kernels (arch/arm/include/asm/kvm_host.h).
inline constexpr unsigned KVM_USER_MEM_SLOTS = 32;
inline constexpr std::uint32_t KVM_MEM_LOG_DIRTY_PAGES = 1u << 0;

struct Memslot {
  unsigned id = 0;
  gfn_t base_gfn = 0;
  std::uint64_t npages = 0;
  std::uint32_t flags = 0;
  bool hugepages = false;  // backed so that blocks may map it when not logging
  // The backing page size when `hugepages`: 21 (2 MiB, THP or hugetlb 2 MiB) or 30
  // (1 GiB hugetlb; mapped as 1 GiB blocks where the geometry and the kernel allow).
  unsigned huge_shift = 21;
  std::unique_ptr<DirtyBitmap> dirty_bitmap;
  // Guest RAM backing: the host chunk for each 2 MiB of the slot's IPA range
  // (0 = not yet touched), the simulated gfn_to_pfn().
  std::vector<phys_addr_t> chunk_pa;

  gfn_t end_gfn() const { return base_gfn + npages; }
  bool contains(gfn_t gfn) const { return gfn >= base_gfn && gfn < end_gfn(); }
  // kvm_slot_dirty_track_enabled(): KVM_MEM_LOG_DIRTY_PAGES is set. The slot then has
  // a dirty bitmap unless the VM tracks dirty pages with rings only (no WITH_BITMAP).
  bool logging() const { return (flags & KVM_MEM_LOG_DIRTY_PAGES) != 0; }
};

class Memslots {
 public:
  // Adds a slot; returns an empty string or what is wrong (id taken or out of
  // range, zero pages, overlap with another slot, beyond the IPA space).
  std::string add(unsigned id, gfn_t base_gfn, std::uint64_t npages, bool hugepages, unsigned ipa_bits);
  // The slot containing gfn (search_memslots), or nullptr.
  Memslot* find(gfn_t gfn);
  const Memslot* find(gfn_t gfn) const;
  // id_to_memslot, or nullptr.
  Memslot* by_id(unsigned id);
  const Memslot* by_id(unsigned id) const;

  std::size_t size() const { return slots_.size(); }
  auto begin() { return slots_.begin(); }
  auto end() { return slots_.end(); }
  auto begin() const { return slots_.begin(); }
  auto end() const { return slots_.end(); }

 private:
  std::map<gfn_t, Memslot> slots_;  // keyed by base_gfn; never more than KVM_USER_MEM_SLOTS
};

}  // namespace s2sim::mmu
