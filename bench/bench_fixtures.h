// Shared set-up for s2sim-bench: a VM with one memslot, populated the way a running
// guest leaves it (every page mapped read/write by write faults, or every 2 MiB region
// by a block on a hugepage slot), plus the pieces the write-protect benchmarks need to
// re-arm it between timed calls.
//
// Building a fixture is the expensive part (a 4 GiB slot is 1M write faults), so
// fixtures are built once per process, on first use, and kept: a filtered run only
// pays for the fixtures its benchmarks touch. Benchmarks leave a fixture in the state
// they found it (every page read-only once logging is on), so any order works.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmu/granule.h"
#include "mmu/kvm.h"
#include "mmu/types.h"
#include "workloads/prng.h"

namespace s2sim::bench {

using mmu::gfn_t;

// Guest RAM at IPA 2 GiB, as on the vexpress and Exynos boards KVM/ARM ran on;
// 2 MiB aligned, so BITS_PER_LONG-page windows never straddle a pmd.
inline constexpr gfn_t kRamBaseGfn = 0x80000;
static_assert(mmu::pmd_aligned(kRamBaseGfn));
// A base this far past a 2 MiB boundary makes one 32- or 64-page bitmap word per
// pmd straddle the boundary: the case crosses_pmd exists for.
inline constexpr gfn_t kCrossingOffset = 16;

enum class Alignment : std::uint8_t { Aligned, Crossing };
enum class Mapping : std::uint8_t { Pages, Blocks };
const char* to_string(Alignment a);
const char* to_string(Mapping m);

struct SlotSpec {
  std::uint64_t npages = 0;
  gfn_t base_gfn = kRamBaseGfn;
  Mapping mapping = Mapping::Pages;
  // Turn on dirty logging (write-protecting the whole slot) once populated.
  bool logging = false;
  unsigned bits_per_long = 32;

  friend bool operator==(const SlotSpec&, const SlotSpec&) = default;
};

inline constexpr unsigned kSlotId = 0;

struct SlotFixture {
  SlotSpec spec;
  std::unique_ptr<mmu::Kvm> kvm;
  std::vector<std::uint64_t*> leaves;  // filled by slot_leaves() on first use

  mmu::Memslot& slot() const { return *kvm->memslots.by_id(kSlotId); }
};

// The slots the dirty-log benchmarks and the 4 GiB range baseline share: 4 KiB pages,
// 2 MiB aligned, logging on with 32-bit bitmap words (ARMv7), every page read-only.
inline SlotSpec dirty_log_spec(std::uint64_t npages) {
  return SlotSpec{npages, kRamBaseGfn, Mapping::Pages, true, 32};
}
inline constexpr std::uint64_t kPages1GiB = mmu::PUD_PAGES;
inline constexpr std::uint64_t kPages4GiB = 4 * mmu::PUD_PAGES;

// Builds a VM with slot kSlotId of spec.npages pages at spec.base_gfn and populates it
// through kvm_handle_guest_abort() with write faults before logging is on: 4 KiB
// read/write pages, or on a Mapping::Blocks slot a read/write 2 MiB block for every
// 2 MiB region the slot covers whole (4 KiB pages for the partial regions at its
// ends). Blocks are kept whole on later write faults (BlockPolicy::Keep) so that a
// benchmark of a block-aware walker really meets blocks. Throws on set-up errors.
std::unique_ptr<SlotFixture> build_fixture(const SlotSpec& spec);

// The fixture for `spec`, built on first request and cached for the process.
SlotFixture& fixture(const SlotSpec& spec);

// Host pointer to the leaf descriptor (pte, or the pmd of a block) mapping `gfn`, or
// nullptr if nothing maps it. Stable for the fixture's life: tables are never freed
// by the benchmarks.
std::uint64_t* leaf_descriptor(mmu::Kvm& kvm, gfn_t gfn);

// Leaf descriptors of every page of the slot, indexed by gfn - base_gfn (a block's
// pmd appears once per page it maps); computed on first use and kept in the fixture.
const std::vector<std::uint64_t*>& slot_leaves(SlotFixture& f);

// Makes the leaves read/write again (kvm_set_s2pte_writable / kvm_set_s2pmd_writable
// in place): what the guest's write faults would have done, without the faults.
// Duplicates are harmless.
void make_writable(const std::vector<std::uint64_t*>& leaves);
void make_writable(std::uint64_t* const* leaves, std::size_t n);

// Sets the dirty bit of each page (gfn offsets into the slot) in the slot's bitmap,
// as mark_page_dirty() would.
void set_dirty(mmu::Memslot& slot, const std::vector<std::uint64_t>& rel_gfns);

// Which pages a fraction `percent` of the slot dirties: every page at 100, else each
// page independently with that probability, from a fixed seed (same set every run).
std::vector<std::uint64_t> dirty_pattern(std::uint64_t npages, unsigned percent, std::uint64_t seed);

// --- masks for one BITS_PER_LONG-bit word --------------------------------------------
enum class MaskPattern : std::uint8_t {
  Full,    // every bit: a run of dirty pages (sequential writer)
  Single,  // bit 0 alone
  Far2,    // bit 0 and bit BITS-1: the window's extremes, where range walking pays most
  Rand25,  // each bit with probability 1/4 (never empty)
};
const char* to_string(MaskPattern p);
inline constexpr MaskPattern kMaskPatterns[] = {MaskPattern::Full, MaskPattern::Single, MaskPattern::Far2,
                                                MaskPattern::Rand25};
// The mask; Rand25 draws from `rng`, the others ignore it.
std::uint64_t pattern_mask(MaskPattern p, unsigned bits_per_long, workloads::Rng& rng);

// One bitmap word's window of a slot: the gfn offset of its bit 0 and whether its
// pages straddle a 2 MiB (pmd) boundary.
struct Window {
  gfn_t gfn_offset = 0;
  bool crosses_pmd = false;
};

// Up to `count` distinct bitmap-word windows of the slot, one per pmd region, in
// address order: for an aligned slot the first word of each region, for a crossing
// slot the word that straddles each region's end. Only windows whose every page is
// mapped by the fixture's kind of leaf (pte for Pages, block for Blocks) are taken.
std::vector<Window> pick_windows(SlotFixture& f, unsigned bits_per_long, std::size_t count);

}  // namespace s2sim::bench
