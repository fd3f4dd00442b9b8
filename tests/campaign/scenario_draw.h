// Random scenarios for the no-lost-write campaign: (campaign seed, scenario index)
// becomes one complete config document in the schema `s2sim run` reads, so that any
// scenario that fails can be saved to a file and replayed on its own.
//
// A scenario varies what decides whether a write can slip past dirty logging: the
// geometry (ARMv7 LPAE, the ARMv8 ones, custom IPA sizes), where the memslot sits
// (2 MiB aligned or not, across 1 GiB and 512 GiB boundaries, at the top of the IPA
// space), 4 KiB pages or 2 MiB blocks and what a write fault does to a block, host
// unmaps, 1-4 vCPUs, the workload, TLB sizes and costs, the machine, BITS_PER_LONG,
// the flush placement, the dirty-log API (get_dirty_log, manual protect + CLEAR, the
// dirty ring; eager splitting), and the migration's stop rule and round limit. Sizes stay
// small (a few MiB to a few dozen MiB, a few thousand operations per vCPU), and the
// link speed is drawn relative to how long the guest runs, so that most scenarios
// have pre-copy rounds while the guest is still writing.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace s2sim::campaign {

// The machine files scenarios start from (configs/machines/<name>.json), read once.
// A scenario that changes TLB sizes or costs inlines the whole machine, its
// "source" and "comment" strings dropped to keep the document short.
struct MachineBases {
  nlohmann::json cortex_a15, cortex_a57;
};
// Throws InputError if a machine file is missing or malformed.
MachineBases load_machine_bases(const std::string& configs_dir);

// Scenario `index` of campaign `campaign_seed`. dirty_log.walker is left for the
// caller to set; the dirty log keeps the kernel's order (no teaching switch), and
// verify.enabled and verify.invariants are on. The same seed, index and machine
// bases always give the same document.
nlohmann::json draw_scenario(std::uint64_t campaign_seed, std::uint64_t index, const MachineBases& machines);

}  // namespace s2sim::campaign
