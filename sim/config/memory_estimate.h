// How much host memory a run will take, estimated from its config before anything is
// allocated (parse_config refuses a run estimated above memory_limit_mib).
#pragma once

#include <cstdint>

#include "sim/config/sim_config.h"

namespace s2sim::sim {

// Estimated host memory for a run, in bytes.
std::uint64_t estimate_memory_bytes(const SimConfig& cfg);
// The part of it that the machine's caches, TLBs and walk caches take.
std::uint64_t estimate_model_bytes(const SimConfig& cfg);

}  // namespace s2sim::sim
