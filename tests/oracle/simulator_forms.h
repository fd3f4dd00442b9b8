// Which form of each modelled walker the simulator implements, where the reference
// model (wp_oracle.h) knows several: the one place a test names it.
#pragma once

#include "oracle/wp_oracle.h"

namespace s2sim::oracle {

// mmu/wp_v4.cpp reads the pmd entry once before its loop and uses that value on every
// pass. Once it re-reads *pmd at each pte_offset_kernel() in the loop, as the seed's C
// does, this becomes PmdReads::BeforeLoopAndEveryPass (one more level-2 load for every
// page the loop reaches).
inline constexpr PmdReads kSimulatorV4PmdReads = PmdReads::BeforeLoopOnly;

inline V4Options simulator_v4_options() { return V4Options{kSimulatorV4PmdReads}; }

}  // namespace s2sim::oracle
