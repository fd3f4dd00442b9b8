// Stage-2 translation geometry as data: IPA size (VTCR.T0SZ), start level (VTCR.SL0),
// concatenated start-level tables, and the kernel's level names.
//
// ARMv7 LPAE as KVM/ARM used it (arch/arm/include/asm/kvm_mmu.h, KVM_PHYS_SHIFT 40):
// T0SZ = -8 (40-bit IPA), SL0 = 1 (start at level 1), 1024 level-1 entries in two
// concatenated 4 KiB tables (8 KiB, S2_PGD_ORDER 1), PGDIR_SHIFT 30, pud folded into
// the pgd, PMD_SHIFT 21, PAGE_SHIFT 12. An ARMv8 4 KiB-granule geometry with a 48-bit
// IPA starts at level 0 and has four real levels (pgd 39, pud 30, pmd 21, pte 12).
#pragma once

#include <cstdint>
#include <string>

#include "mmu/descriptor.h"
#include "mmu/types.h"

namespace s2sim::mmu {

struct Geometry {
  unsigned ipa_bits = 40;   // input address size: 64 - T0SZ (AArch64) / 32 - T0SZ (ARMv7)
  unsigned pa_bits = 40;    // output address size (40 on ARMv7 LPAE)
  level_t start_level = 1;  // VTCR.SL0 selects it
  unsigned arch = 7;        // 7 = ARMv7 LPAE, 8 = ARMv8 AArch64 (fault reporting differs)
  std::string name = "armv7-lpae-40";

  static Geometry armv7_lpae();  // the default: KVM/ARM on Cortex-A15
  static Geometry armv8_4level();  // 48-bit IPA, 4 KiB granule, start level 0
  static Geometry armv8_3level();  // 40-bit IPA on ARMv8, start level 1, 2 concatenated

  // Checks the combination is one the architecture allows with a 4 KiB granule;
  // returns an empty string if so, else what is wrong.
  std::string validate() const;

  // Address bits resolved by a level: level 3 -> 12, 2 -> 21, 1 -> 30, 0 -> 39.
  static constexpr unsigned level_shift(level_t level) { return PAGE_SHIFT + 9u * static_cast<unsigned>(kMaxLevel - level); }
  static constexpr std::uint64_t level_size(level_t level) { return std::uint64_t{1} << level_shift(level); }

  std::uint64_t ipa_size() const { return std::uint64_t{1} << ipa_bits; }
  bool ipa_in_range(ipa_t ipa) const { return ipa_bits >= 64 || (ipa >> ipa_bits) == 0; }
  // Entries in the start-level table, counting concatenated pages (1024 on ARMv7 KVM).
  std::uint64_t start_entries() const { return std::uint64_t{1} << (ipa_bits - level_shift(start_level)); }
  // Number of concatenated 4 KiB pages forming the start-level table (2 on ARMv7 KVM).
  unsigned start_table_pages() const {
    const std::uint64_t e = start_entries();
    return e <= PTRS_PER_TABLE ? 1u : static_cast<unsigned>(e / PTRS_PER_TABLE);
  }
  // Index of `ipa` in the table at `level`; at the start level it spans the
  // concatenated pages, elsewhere it is 9 bits.
  std::uint64_t index(level_t level, ipa_t ipa) const {
    const std::uint64_t i = ipa >> level_shift(level);
    return level == start_level ? (i & (start_entries() - 1)) : (i & (PTRS_PER_TABLE - 1));
  }
  std::uint64_t oa_mask() const { return pa_bits >= 48 ? desc::OA_MASK_48 : desc::OA_MASK_40; }

  // The kernel's levels. pgd is always the start level; the pud exists as its own
  // level only when the start level is 0, else it is folded into the pgd (as on
  // ARMv7 LPAE, where pud_offset() returns the pgd entry itself).
  level_t pgd_level() const { return start_level; }
  level_t pud_level() const { return start_level == 0 ? 1 : start_level; }
  static constexpr level_t pmd_level() { return 2; }
  static constexpr level_t pte_level() { return 3; }
  bool pud_folded() const { return start_level != 0; }
  // "pgd", "pud", "pmd" or "pte" for a level on this geometry (the pgd name wins
  // where pud is folded into it).
  const char* level_name(level_t level) const;

  friend bool operator==(const Geometry&, const Geometry&) = default;
};

}  // namespace s2sim::mmu
