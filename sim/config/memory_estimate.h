// How much host memory a run will take, estimated from its config before anything is
// allocated (parse_config refuses a run estimated above memory_limit_mib).
#pragma once

#include <cstdint>
#include <string>

#include "sim/config/sim_config.h"

namespace s2sim::sim {

// Estimated host memory for a run, in bytes: the sum of the three parts below.
std::uint64_t estimate_memory_bytes(const SimConfig& cfg);
// The part the machine's shared structures take (the L2 and the caches of the
// migration thread's and the host's cores).
std::uint64_t estimate_model_bytes(const SimConfig& cfg);
// The part that grows with the vCPU count: each vCPU's core (L1D, TLBs, walk cache)
// and its agent (state, op look-ahead, statistics).
std::uint64_t estimate_vcpu_bytes(const SimConfig& cfg);
// The config key to blame when the estimate is above the limit: the largest part's
// ("/memslots", "/machine" or "/vcpus").
std::string estimate_blame(const SimConfig& cfg);

}  // namespace s2sim::sim
