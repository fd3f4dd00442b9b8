// Write-protect walkers: interchangeable strategies for
// kvm_mmu_write_protect_pt_masked(kvm, slot, gfn_offset, mask), the function
// get_dirty_log calls for each non-zero BITS_PER_LONG-bit word of the dirty bitmap.
//
//   naive     a full pgd -> pud -> pmd -> pte walk for every set bit
//   v4        the 2014 seed patch's walker with its crosses_pmd shortcut, faithful to
//             its control flow and so to its latent bugs (wp_v4.cpp)
//   v4-fixed  the same shortcut made correct: per-pmd upper walks, non-present
//             entries skip only what they cover, 2 MiB blocks protected as blocks
//   range     what upstream merged: stage2_wp_range() over [__ffs(mask), __fls(mask)]
//
// Every descriptor access goes through S2Walk (access sink + hazard checks); timing is
// added by the caller from the sink, never here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmu/memslot.h"
#include "mmu/pgtable_accessors.h"

namespace s2sim::mmu {

struct WpStats {
  std::uint64_t calls = 0;                  // write_protect_masked calls
  std::uint64_t ptes_write_protected = 0;   // pte stores that made a page read-only
  std::uint64_t blocks_write_protected = 0; // block stores that made a 2 MiB / 1 GiB block read-only
  std::uint64_t clean_pages_protected = 0;  // of those ptes, pages whose dirty bit was clear (range)

  WpStats& operator+=(const WpStats& o) {
    calls += o.calls;
    ptes_write_protected += o.ptes_write_protected;
    blocks_write_protected += o.blocks_write_protected;
    clean_pages_protected += o.clean_pages_protected;
    return *this;
  }
};

class WpWalker {
 public:
  virtual ~WpWalker() = default;
  virtual const char* name() const = 0;
  // `mask` holds `bits_per_long` bits; bit i stands for gfn slot.base_gfn + gfn_offset + i.
  virtual void write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                                    unsigned bits_per_long, WpStats& stats) = 0;
  // After the caller's last word, still under mmu_lock and before its TLB flush: a
  // walker that defers work across words (HACDBS's list, mmu/hacdbs.h) ends it here.
  virtual void finish(S2Walk& /*w*/, const Memslot& /*slot*/, WpStats& /*stats*/) {}
};

// Walkers by name, as the config selects them.
std::unique_ptr<WpWalker> make_wp_walker(const std::string& name);  // nullptr if unknown
const std::vector<std::string>& wp_walker_names();
const char* wp_walker_description(const std::string& name);

// Write-protects a 2 MiB / 1 GiB block on its own entry (kvm_set_s2pmd_readonly),
// unless it already is read-only: what every correct walker does with a block.
inline void wp_protect_block(S2Walk& w, phys_addr_t entry, level_t level, S2Desc v, ipa_t ipa, WpStats& stats) {
  if (kvm_s2pmd_readonly(v)) return;
  w.store(entry, level, kvm_set_s2pmd_readonly(v), ipa);
  ++stats.blocks_write_protected;
}

// stage2_wp_range(kvm, addr, end): write-protect every present leaf in [addr, end),
// pgd -> pud -> pmd -> pte, blocks protected whole. Used by the `range` walker and by
// kvm_mmu_wp_memory_region() when logging is enabled. If `mask` is given (with the
// gfn of its bit 0), protected ptes whose bit is clear are counted as clean.
void stage2_wp_range(S2Walk& w, ipa_t addr, ipa_t end, WpStats& stats, const std::uint64_t* mask = nullptr,
                     gfn_t mask_gfn = 0);

}  // namespace s2sim::mmu
