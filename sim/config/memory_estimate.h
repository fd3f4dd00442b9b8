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
// What a slot of `npages` pages takes whatever the workload does (its bitmaps and
// per-2 MiB bookkeeping): checked slot by slot, before the slot is built.
std::uint64_t estimate_slot_bytes(std::uint64_t npages);
// The part of it that the workload holds: its phases' state, trace operations read ahead.
std::uint64_t estimate_workload_bytes(const SimConfig& cfg);

}  // namespace s2sim::sim
