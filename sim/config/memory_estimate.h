// How much host memory a run will take, estimated from its config before anything is
// allocated (parse_config refuses a run estimated above memory_limit_mib).
#pragma once

#include <cstdint>
#include <string>

#include "sim/config/sim_config.h"

namespace s2sim::sim {

// Estimated host memory for a run, in bytes: the slots, and the parts below.
std::uint64_t estimate_memory_bytes(const SimConfig& cfg);
// The part the machine's shared structures take (the L2 and the caches of the
// migration thread's and the host's cores).
std::uint64_t estimate_model_bytes(const SimConfig& cfg);
// The part that grows with the vCPU count: each vCPU's core (L1D, TLBs, walk cache)
// and its agent (state, op look-ahead, statistics).
std::uint64_t estimate_vcpu_bytes(const SimConfig& cfg);
// The config key to blame when the estimate is above the limit: the largest part's
// ("/memslots", "/machine", "/vcpus" or "/workload").
std::string estimate_blame(const SimConfig& cfg);
// What a slot of `npages` pages takes whatever the workload does (its bitmaps and
// per-2 MiB bookkeeping): checked slot by slot, before the slot is built.
std::uint64_t estimate_slot_bytes(std::uint64_t npages);
// The part of it that the workload holds: its phases' state, trace operations read ahead.
std::uint64_t estimate_workload_bytes(const SimConfig& cfg);

}  // namespace s2sim::sim
