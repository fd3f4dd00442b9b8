// The labs that are written, each a function from a seed to a problem. Every answer
// is computed by the mmu/ model when the problem is made.
#pragma once

#include <cstdint>

#include "sim/lab.h"

namespace s2sim::sim::lab {

// Lab 1: five descriptors to decode (type, output address, S2AP, AF), one to encode.
Problem make_descriptor_lab(std::uint64_t seed);
// Lab 2: a small ARMv7 LPAE stage-2 tree as a memory dump; translate IPAs by hand.
Problem make_walk_lab(std::uint64_t seed);
// Lab 3: one call of kvm_mmu_write_protect_pt_masked under each walker.
Problem make_masked_lab(std::uint64_t seed);

}  // namespace s2sim::sim::lab
