// The windows lab 8's grader calls a walker on (walker_windows.cpp), shared with the
// figures that draw one of them: slots at four alignments, every word of the slot,
// each on tables in one of six states, each with a few masks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "mmu/kvm.h"

namespace s2sim::sim::lab::walker {

inline constexpr std::uint64_t kSlotPages = 1024;

// Slot bases: 2 MiB aligned, 16 pages and 7 pages past a boundary, and 16 pages before
// a 1 GiB boundary (windows then cross a level-1 entry too).
inline constexpr mmu::gfn_t kBases[] = {0x80000, 0x80010, 0x80007, 0xBFFF0};

// The tables around one window.
enum class State { Full, Holes, GapFirst, GapLast, BlockFirst, BlockLast };
inline constexpr State kStates[] = {State::Full,    State::Holes,      State::GapFirst,
                                    State::GapLast, State::BlockFirst, State::BlockLast};
const char* state_name(State s);

struct Case {
  mmu::gfn_t base = 0;
  unsigned bpl = 32;
  mmu::gfn_t word = 0;  // gfn_offset = word * bpl
  State state = State::Full;
  mmu::gfn_t first() const { return base + word * bpl; }  // the window's first page
  mmu::gfn_t last() const { return first() + bpl - 1; }
  // The pages built and checked: the window and one word either side, inside the slot.
  mmu::gfn_t lo() const { return first() >= base + bpl ? first() - bpl : base; }
  mmu::gfn_t hi() const { return std::min(last() + bpl, base + kSlotPages - 1); }
  std::string text() const;
};

// A VM holding the case's slot and tables.
struct CaseVm {
  explicit CaseVm(const Case& c);
  mmu::S2Lookup at(mmu::gfn_t g) const { return kvm.pgtable.lookup(g << mmu::PAGE_SHIFT); }
  // Makes every leaf in [lo, hi] writable again (untracked: a reset, not the walker's work).
  void reset(mmu::gfn_t lo, mmu::gfn_t hi);
  mmu::Kvm kvm;
  mmu::Memslot* slot = nullptr;
};

// The masks the grader tries on `word`: full, last bit, first bit, first+last, and
// two scattered ones that move with the word.
std::vector<std::uint64_t> masks_for(unsigned bpl, mmu::gfn_t word);

}  // namespace s2sim::sim::lab::walker
