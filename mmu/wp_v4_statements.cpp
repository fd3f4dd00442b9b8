#include "mmu/wp_v4_statements.h"

#include <array>

namespace s2sim::mmu {

namespace {

using enum V4Statement;

constexpr WalkerStatement kNone{None, "none", ""};

constexpr std::array kStatements = {
    WalkerStatement{Gfnofst, "gfnofst", "const gfn_t gfnofst = slot.base_gfn + gfn_offset;"},
    WalkerStatement{FirstIpa, "ffs", "ipa_t ipa = (gfnofst + ffs(mask)) << PAGE_SHIFT;"},
    WalkerStatement{OffsetIpa, "offset_ipa", "const ipa_t offset_ipa = gfnofst << PAGE_SHIFT;"},
    WalkerStatement{Next, "next", "const ipa_t next = (gfnofst + (bits_per_long - 1)) << PAGE_SHIFT;"},
    WalkerStatement{CrossesPmd, "crosses_pmd",
                    "const bool crosses_pmd = ((offset_ipa & PMD_MASK) ^ (next & PMD_MASK)) != 0;"},
    WalkerStatement{PgdOffset, "pgd_offset", "pgd = pgd_offset(w, ipa);"},
    WalkerStatement{PgdPresent, "pgd_present", "if (crosses_pmd && !pgd_present(w, pgd, ipa)) {"},
    WalkerStatement{PgdOffsetNext, "pgd_offset", "pgd = pgd_offset(w, next);"},
    WalkerStatement{PgdPresentNext, "pgd_present", "if (!pgd_present(w, pgd, next)) return;"},
    WalkerStatement{PudOffset, "pud_offset", "pud = pud_offset(w, pgd, ipa);"},
    WalkerStatement{PudLoad, "pud_present", "pudv = w.load(pud, pud_level(w), ipa);"},
    WalkerStatement{PudPresent, "pud_present", "if (crosses_pmd && !pud_present(pudv)) {"},
    WalkerStatement{PudOffsetNext, "pud_offset", "pud = pud_offset(w, pgd, next);"},
    WalkerStatement{PudLoadNext, "pud_present", "pudv = w.load(pud, pud_level(w), next);"},
    WalkerStatement{PudPresentNext, "pud_present", "if (!pud_present(pudv)) return;"},
    WalkerStatement{PmdOffset, "pmd_offset", "pmd = pmd_offset(w, pudv, ipa);"},
    WalkerStatement{PmdLoad, "pmd_present", "if (crosses_pmd) pmdv = w.load(pmd, pmd_level(), ipa);"},
    WalkerStatement{PmdPresent, "pmd_present", "if (crosses_pmd && !pmd_present(pmdv)) {"},
    WalkerStatement{PmdOffsetNext, "pmd_offset", "pmd = pmd_offset(w, pudv, next);"},
    WalkerStatement{PmdLoadNext, "pmd_present", "pmdv = w.load(pmd, pmd_level(), next);"},
    WalkerStatement{PmdPresentNext, "pmd_present", "if (!pmd_present(pmdv)) return;"},
    WalkerStatement{PmdReload, "pte_offset_kernel", "if (!crosses_pmd) pmdv = w.load(pmd, pmd_level(), ipa);"},
    WalkerStatement{PteOffsetKernel, "pte_offset_kernel", "pte = pte_offset_kernel(w, pmdv, ipa);"},
    WalkerStatement{PteLoad, "pte_present", "ptev = w.load(pte, pte_level(), ipa);"},
    WalkerStatement{PtePresent, "pte_present", "if (!pte_present(ptev)) goto next_ipa;"},
    WalkerStatement{PteReadonly, "kvm_s2pte_readonly", "if (kvm_s2pte_readonly(ptev)) goto next_ipa;"},
    WalkerStatement{SetReadonly, "kvm_set_s2pte_readonly",
                    "w.store(pte, pte_level(), kvm_set_s2pte_readonly(ptev), ipa);"},
    WalkerStatement{ClearBit, "mask", "mask &= mask - 1;"},
    WalkerStatement{MaskDone, "mask", "if (!mask) break;"},
    WalkerStatement{NextIpa, "ffs", "ipa = (gfnofst + ffs(mask)) << PAGE_SHIFT;"},
    WalkerStatement{SkipUpper, "crosses_pmd", "if (!crosses_pmd) continue;"},
    WalkerStatement{LoopPgdOffset, "pgd_offset", "pgd = pgd_offset(w, ipa);"},
    WalkerStatement{LoopPgdPresent, "pgd_present", "if (!pgd_present(w, pgd, ipa)) goto next_ipa;"},
    WalkerStatement{LoopPudOffset, "pud_offset", "pud = pud_offset(w, pgd, ipa);"},
    WalkerStatement{LoopPudLoad, "pud_present", "pudv = w.load(pud, pud_level(w), ipa);"},
    WalkerStatement{LoopPudPresent, "pud_present", "if (!pud_present(pudv)) goto next_ipa;"},
    WalkerStatement{LoopPmdOffset, "pmd_offset", "pmd = pmd_offset(w, pudv, ipa);"},
    WalkerStatement{LoopPmdLoad, "pmd_present", "pmdv = w.load(pmd, pmd_level(), ipa);"},
    WalkerStatement{LoopPmdPresent, "pmd_present", "if (!pmd_present(pmdv)) goto next_ipa;"},
};

// The table is indexed by id: entry i is statement i + 1.
constexpr bool in_id_order() {
  for (std::size_t i = 0; i < kStatements.size(); ++i)
    if (static_cast<std::size_t>(kStatements[i].id) != i + 1) return false;
  return true;
}
static_assert(in_id_order() && kStatements.size() == static_cast<std::size_t>(LoopPmdPresent),
              "kStatements lists every V4Statement after None, in enum order");

}  // namespace

std::span<const WalkerStatement> v4_statements() { return kStatements; }

const WalkerStatement& v4_statement(V4Statement id) { return v4_statement(static_cast<std::uint8_t>(id)); }

const WalkerStatement& v4_statement(std::uint8_t recorded) {
  if (recorded == 0 || recorded > kStatements.size()) return kNone;
  return kStatements[recorded - 1];
}

}  // namespace s2sim::mmu
