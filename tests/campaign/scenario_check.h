// What the campaign asserts about one run. Each check returns the problems it found,
// one sentence each; an empty list means the run passed.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/config.h"
#include "sim/engine/run_result.h"

namespace s2sim::campaign {

// A correct walker (naive, v4-fixed, range) in the kernel's order: the verifier ran
// over the whole migrated slot and found no lost write, the invariant held after
// every get_dirty_log, and no walker (nor the enable-logging walk) tripped a hazard.
std::vector<std::string> correct_walker_problems(const sim::RunResult& r, const sim::SimConfig& cfg);

// The seed's v4 walker: it may lose writes and trip hazards, but the run must reach
// the verifier, and every hazard it reports must be one of the named kinds, with a
// log consistent with its counts.
std::vector<std::string> v4_problems(const sim::RunResult& r, const sim::SimConfig& cfg);

// "wrong_table_wp=3 walk_non_present=0 ..." for hazard counts by kind.
std::string hazard_counts_text(const std::array<std::uint64_t, mmu::kHazardKinds>& counts);

}  // namespace s2sim::campaign
