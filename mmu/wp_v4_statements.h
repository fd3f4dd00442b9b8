// The statements of the seed's kvm_mmu_write_protect_pt_masked() (the `v4` walker,
// mmu/wp_v4.cpp), one entry each, in the order the function lists them: an id, the
// name a reader calls it by, and its text as mmu/wp_v4.cpp writes it.
//
// The walker names each statement that reaches the tables to its walk context
// (S2Walk::at), so a hazard records the statement that made it (Hazard::statement)
// and a trace can say which statement each descriptor access belongs to. Lab 5 asks
// for a statement by its name or its text from this table, never by a line of the
// source file, so reformatting mmu/wp_v4.cpp cannot change a grade; a test keeps
// the texts here and the file in step.
//
// Names are not unique: the three `pmd = pmd_offset(...)` statements are all
// "pmd_offset", and a load the C code makes inside an accessor (`*pud` for
// pud_present(), `*(pmd)` inside pte_offset_kernel()) is named for that accessor.
#pragma once

#include <cstdint>
#include <span>

namespace s2sim::mmu {

enum class V4Statement : std::uint8_t {
  None,  // no statement named yet (Hazard::statement of other walkers)
  Gfnofst,
  FirstIpa,
  OffsetIpa,
  Next,
  CrossesPmd,
  PgdOffset,
  PgdPresent,
  PgdOffsetNext,
  PgdPresentNext,
  PudOffset,
  PudLoad,
  PudPresent,
  PudOffsetNext,
  PudLoadNext,
  PudPresentNext,
  PmdOffset,
  PmdLoad,
  PmdPresent,
  PmdOffsetNext,
  PmdLoadNext,
  PmdPresentNext,
  PmdReload,
  PteOffsetKernel,
  PteLoad,
  PtePresent,
  PteReadonly,
  SetReadonly,
  ClearBit,
  MaskDone,
  NextIpa,
  SkipUpper,
  LoopPgdOffset,
  LoopPgdPresent,
  LoopPudOffset,
  LoopPudLoad,
  LoopPudPresent,
  LoopPmdOffset,
  LoopPmdLoad,
  LoopPmdPresent,
};

struct WalkerStatement {
  V4Statement id;
  const char* name;  // "pte_offset_kernel"
  const char* text;  // "pte = pte_offset_kernel(w, pmdv, ipa);"
};

// Every statement but None, in source order.
std::span<const WalkerStatement> v4_statements();
// The entry of `id` (None has the name "none" and no text).
const WalkerStatement& v4_statement(V4Statement id);
// The entry of a Hazard::statement or S2Walk::statement() value v4 recorded.
const WalkerStatement& v4_statement(std::uint8_t recorded);

}  // namespace s2sim::mmu
