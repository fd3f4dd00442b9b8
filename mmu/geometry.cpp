#include "mmu/geometry.h"

#include "mmu/descriptor.h"

namespace s2sim::mmu {

Geometry Geometry::armv7_lpae() { return Geometry{}; }

Geometry Geometry::armv8_4level() {
  Geometry g;
  g.ipa_bits = 48;
  g.pa_bits = 48;
  g.start_level = 0;
  g.arch = 8;
  g.name = "armv8-4level-48";
  return g;
}

Geometry Geometry::armv8_3level() {
  Geometry g;
  g.ipa_bits = 40;
  g.pa_bits = 48;
  g.start_level = 1;
  g.arch = 8;
  g.name = "armv8-3level-40";
  return g;
}

std::string Geometry::validate() const {
  if (pa_bits != 40 && pa_bits != 48) return "pa_bits must be 40 or 48";
  if (ipa_bits < 25 || ipa_bits > 48) return "ipa_bits must be between 25 and 48";
  if (arch != 7 && arch != 8) return "arch must be 7 (ARMv7 LPAE) or 8 (ARMv8)";
  if (arch == 7 && (pa_bits != 40 || start_level == 0)) return "ARMv7 LPAE has a 40-bit PA and no level 0";
  // The kernel's shape used by every walker needs pgd above a pmd level (pud may fold).
  if (start_level < 0 || start_level > 1) return "start_level must be 0 or 1 (the pgd must sit above the pmd level)";
  if (ipa_bits > pa_bits) return "ipa_bits must not exceed pa_bits";
  // The start level must resolve at least one bit, and at most 16 concatenated tables
  // may form it (ARM ARM DDI 0487 D8.2.x "Concatenated translation tables"; ARMv7
  // B3.6.6: VTCR.SL0 with T0SZ).
  const unsigned top = level_shift(start_level);
  if (ipa_bits <= top) return "start_level too deep for ipa_bits: the start level resolves no address bit";
  if (ipa_bits - top > 9 + 4) return "ipa_bits needs more than 16 concatenated start-level tables: start one level higher";
  return {};
}

const char* Geometry::level_name(level_t level) const {
  if (level == pgd_level()) return "pgd";
  if (level == pud_level()) return "pud";
  if (level == pmd_level()) return "pmd";
  if (level == pte_level()) return "pte";
  return "?";
}

}  // namespace s2sim::mmu
