// The hardware stage-2 translation table walk (ARM ARM DDI 0406C.d B3.6 "Long-
// descriptor translation table format", B3.7 stage-2 permissions; DDI 0487 D8.2
// for AArch64). Untimed: it returns the descriptor addresses it read, in order,
// and the cycle engine charges them through its cache model.
#pragma once

#include <array>
#include <cstdint>

#include "mmu/descriptor.h"
#include "mmu/s2_pgtable.h"

namespace s2sim::mmu {

enum class FaultKind : std::uint8_t { None, Translation, AccessFlag, Permission };
const char* to_string(FaultKind k);

struct TranslateResult {
  FaultKind fault = FaultKind::None;
  level_t level = 0;            // level of the leaf, or the level at which the fault arose
  phys_addr_t pa = 0;           // output address for the IPA (valid when no fault)
  S2Desc leaf{};                // the leaf descriptor (page or block)
  phys_addr_t leaf_pa = 0;      // where the leaf lives
  unsigned block_shift = PAGE_SHIFT;  // 12 page, 21 2 MiB block, 30 1 GiB block
  bool readable = false, writable = false;
  std::array<phys_addr_t, 4> visited{};  // descriptor addresses read, in order
  std::array<level_t, 4> visited_level{};
  unsigned nvisited = 0;
};

// Translates `ipa` for `access`, starting at the geometry's start level.
TranslateResult translate(const S2PageTable& pt, ipa_t ipa, Access access);
// Same, starting at `level` in the table at `table_pa` (a walk-cache hit).
TranslateResult translate_from(const S2PageTable& pt, ipa_t ipa, Access access, level_t level, phys_addr_t table_pa);

// Where translate() of `ipa` will find its leaf: follows the table descriptors as
// they are now and asks the host to prefetch the last-level descriptor's word. `pa` is
// that descriptor's address, or the address of the block or invalid descriptor that
// ends the walk early, or 0 for an IPA outside the input range; `word` is the host
// word behind a last-level descriptor in a table frame (what was prefetched), else
// null. Counts nothing and changes nothing simulated: a host-side hint for walks that
// are about to happen.
struct PrefetchedLeaf {
  phys_addr_t pa = 0;
  const std::uint64_t* word = nullptr;
};
PrefetchedLeaf prefetch_translation(const S2PageTable& pt, ipa_t ipa);

}  // namespace s2sim::mmu
