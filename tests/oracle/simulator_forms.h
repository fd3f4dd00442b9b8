// Which form of each modelled walker the simulator implements, where the reference
// model (wp_oracle.h) knows several: the one place a test names it.
#pragma once

#include "oracle/wp_oracle.h"

namespace s2sim::oracle {

// mmu/wp_v4.cpp reads the pmd entry once for every page it handles: at each
// pte_offset_kernel() when the window does not cross a pmd (statement PmdReload), and
// from the pmd_present() test or the later page's upper walk when it does.
inline constexpr PmdReads kSimulatorV4PmdReads = PmdReads::SeedCompiled;

inline V4Options simulator_v4_options() { return V4Options{kSimulatorV4PmdReads}; }

}  // namespace s2sim::oracle
