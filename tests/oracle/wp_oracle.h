// An independent reference model of kvm_mmu_write_protect_pt_masked() and its
// variants, for checking the simulator's walkers (mmu/wp_*.cpp) against something
// that is not themselves.
//
// Written from two texts only, and sharing no code with mmu/: the long-descriptor
// format of the ARM ARM (DDI 0406C.d B3.6.2 for ARMv7 LPAE, DDI 0487 D8.3 for the
// same format on ARMv8) and the kernel's walkers (arch/arm/kvm/mmu.c: the 2014 seed's
// hand-rolled loop with `crosses_pmd`, stage2_wp_range() as merged for 4.0;
// asm-generic/pgtable-nopud.h for the folded pud). The model reads raw 64-bit words
// by physical address, decodes them itself and predicts, for one call:
//   - every descriptor load and store, by lookup level;
//   - every word written and its new value, in order -- including the words the seed
//     walker writes where it should not (REFERENCE.md section 3): a pte of the wrong
//     table, a word of guest data under a block it took for a table;
//   - how many table pointers were taken from invalid entries and from blocks.
//
// Counting rule (the kernel's C, read as compiled code does): an entry is read once
// each time a walker visits it and then used from a register (`pmd_t v = *pmd`), except
// where the C passes the pointer to an accessor that dereferences it again: on a
// 4-level geometry pgd_present(*pgd) and pud_offset(pgd, addr) each read the pgd
// entry; with the pud folded (start level 1) both read nothing. In the seed's loop
// `pte = pte_offset_kernel(pmd, ipa)` dereferences the pmd pointer on every pass
// (V4Options says which reads of *pmd a form of that walker makes).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace s2sim::oracle {

// The stage-2 translation regime: VTCR.T0SZ gives ipa_bits, VTCR.SL0 the start level
// (1 on ARMv7 LPAE, 0 for a 4-level ARMv8 walk); the output address is [pa_bits-1:12].
struct Regime {
  unsigned ipa_bits = 40;
  unsigned start_level = 1;
  unsigned pa_bits = 40;
};

enum class Walker { Naive, V4, V4Fixed, Range };
const char* walker_name(Walker w);  // the config's names: naive, v4, v4-fixed, range

// One call: the bitmap word `mask` (bits_per_long bits) whose bit i stands for gfn
// base_gfn + gfn_offset + i.
struct Call {
  std::uint64_t base_gfn = 0;  // the memslot's
  std::uint64_t gfn_offset = 0;
  std::uint64_t mask = 0;
  unsigned bits_per_long = 32;
};

// When the seed's walker reads the pmd entry `*pmd` of the page it is about to handle.
enum class PmdReads {
  // The seed's C: `crosses_pmd && !pmd_present(*pmd)` reads it before the loop only
  // when the window crosses, and `pte = pte_offset_kernel(pmd, ipa)` at the top of the
  // loop reads it on every pass.
  SeedC,
  // Read once before the loop whether or not the window crosses (the value is kept in
  // a local), and again on every pass of the loop.
  BeforeLoopAndEveryPass,
  // Read once before the loop and kept in a local for every pass (the upper walk of a
  // crossing window's later pages reads its own pmd, as in every form).
  BeforeLoopOnly,
  // The seed's C as a compiler builds it: without crossing, pte_offset_kernel() reads
  // *pmd on every pass (the pte store of the pass before may alias it); with crossing,
  // the pmd_present() test before the loop and each later page's upper walk have just
  // read the entry, nothing is stored in between, and pte_offset_kernel() reuses that
  // value: one level-2 load per page either way.
  SeedCompiled,
};

struct V4Options {
  PmdReads pmd_reads = PmdReads::BeforeLoopAndEveryPass;
};

// Where a store lands, judged from the tables as they were before the call.
enum class Target {
  Entry,          // the entry that maps the IPA meant, at the level meant
  WrongEntry,     // an entry of some table, but not that one
  OutsideTables,  // not in any table reachable from the root (guest data, or nothing)
};

struct Store {
  std::uint64_t pa = 0;
  int level = 0;  // the level the walker believed it was at
  std::uint64_t value = 0;
  std::uint64_t ipa = 0;  // the IPA it meant
  Target target = Target::Entry;
};

struct Prediction {
  std::array<std::uint64_t, 4> loads{}, stores{};  // by lookup level 0..3
  std::vector<Store> writes;                       // in program order
  std::uint64_t ptes_protected = 0;    // level-3 stores that made a page read-only
  std::uint64_t blocks_protected = 0;  // stores that made a block read-only
  std::uint64_t clean_pages_protected = 0;  // of those ptes, pages whose bit is clear
  std::uint64_t pointers_from_invalid = 0;  // a next-level address taken from an invalid entry
  std::uint64_t pointers_from_block = 0;    // ... from a block entry
  std::uint64_t writes_to(Target t) const;
};

// Reads the 64-bit word at a physical address, as memory holds it before the call.
using ReadWord = std::function<std::uint64_t(std::uint64_t pa)>;

// Predicts one call of `walker` on the tables rooted at `root_pa` (VTTBR's base).
Prediction predict(Walker walker, const Regime& regime, std::uint64_t root_pa, const ReadWord& read, const Call& call,
                   const V4Options& v4 = {});

}  // namespace s2sim::oracle
