// Host-side unmapping of stage-2 ranges: what an MMU notifier does when the host
// reclaims, migrates, merges or splits memory (kvm_unmap_hva / kvm_unmap_hva_range ->
// handle_hva_to_gpa -> unmap_stage2_range), while the guest's dirty bits may still be set.
//
// The walk is the kernel's unmap_range -> unmap_puds -> unmap_pmds -> unmap_ptes
// (arch/arm/kvm/mmu.c, Linux 3.15 to 4.x; 3.9/3.10 did the same in one loop with
// page_empty()). Every leaf cleared is invalidated by IPA; a pte table left empty is
// freed and its pmd cleared (clear_pmd_entry), and a pmd table left empty is freed and
// the entry above it cleared (clear_pud_entry, which on ARMv7 LPAE, the pud being
// folded, is the level-1 entry itself). kvm_pud_table_empty() is constant false on ARM
// and arm64, so the pgd entry of a 4-level table is never cleared. A freed table frame
// goes back to simulated physical memory and is the next one a mapping allocates.
#pragma once

#include <cstdint>

#include "mmu/access_sink.h"
#include "mmu/kvm.h"

namespace s2sim::mmu {

// unmap_stage2_range(kvm, start, size) under mmu_lock (the caller's): returns whether
// any leaf was cleared.
bool unmap_stage2_range(Kvm& kvm, ipa_t start, std::uint64_t size, AccessSink* sink = nullptr);
// kvm_unmap_hva() of one page: kvm_unmap_hva_handler -> unmap_stage2_range(gpa,
// PAGE_SIZE). A block mapping `gfn` goes whole.
bool kvm_unmap_gfn(Kvm& kvm, gfn_t gfn, AccessSink* sink = nullptr);
// kvm_unmap_hva_range() of the 2 MiB around `gfn` (a THP split or reclaim): unmaps
// every page of the pmd's range and frees the tables it empties.
bool kvm_unmap_pmd_range(Kvm& kvm, gfn_t gfn, AccessSink* sink = nullptr);

}  // namespace s2sim::mmu
