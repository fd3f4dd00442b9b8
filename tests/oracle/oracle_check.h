// Runs one of the simulator's write-protect walkers and the reference model
// (wp_oracle.h) on the same tables, and compares everything the model predicts: the
// descriptor loads and stores per level, the walker's counts, the hazards it reports
// and every word of memory it changes (so its protected set). The model only reads
// the tables (through PhysMem::load64, as memory holds them); the walker is the thing
// checked.
#pragma once

#include <cstdint>
#include <string>

#include "mmu/hazard.h"
#include "mmu/memslot.h"
#include "mmu/s2_pgtable.h"
#include "mmu/wp_walker.h"
#include "oracle/wp_oracle.h"

namespace s2sim::oracle {

// The model's name for a simulator walker ("naive", "v4", "v4-fixed", "range").
Walker walker_of(const std::string& name);

struct CheckResult {
  std::string error;  // "" when the walker did what the model predicts
  Prediction predicted;
  mmu::HazardLog hazards;  // what the walker reported
};

// Calls `walker` once on `pt` for `mask` at `gfn_offset` of `slot`, after asking the
// model what that call does (the simulator's form of v4: simulator_forms.h).
CheckResult check_against_oracle(mmu::WpWalker& walker, mmu::S2PageTable& pt, const mmu::Memslot& slot,
                                 std::uint64_t gfn_offset, std::uint64_t mask, unsigned bits_per_long);

}  // namespace s2sim::oracle
