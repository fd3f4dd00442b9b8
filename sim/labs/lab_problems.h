// The labs that are written, each a function from a seed to a problem. Every answer
// is computed by the simulator's own code when the problem is made: the mmu/ model
// for labs 1-3 and 5, the cycle engine behind `s2sim run` for labs 4 and 6.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "sim/labs/lab.h"

namespace s2sim::sim::lab {

// Lab 1: five descriptors to decode (type, output address, S2AP, AF), one to encode.
Problem make_descriptor_lab(std::uint64_t seed);
// Lab 2: a small ARMv7 LPAE stage-2 tree as a memory dump; translate IPAs by hand.
Problem make_walk_lab(std::uint64_t seed);
// Lab 3: one call of kvm_mmu_write_protect_pt_masked under each walker.
Problem make_masked_lab(std::uint64_t seed);

// Lab 4: a small migration with one teaching switch (no TLB flush, or the snapshot
// after the write-protect); the student runs it and reads the verifier.
Problem make_order_lab(std::uint64_t seed);
// The config lab 4 draws for `seed` on its `attempt`-th draw (make_order_lab keeps
// the first draw whose runs show what the lab is about). Cheap: no simulation.
nlohmann::ordered_json order_lab_config(std::uint64_t seed, unsigned attempt);

// Lab 5: one write-protect call on a table state where the v4 walker trips a hazard.
Problem make_bug_lab(std::uint64_t seed);

// Lab 6: a workload and a budget; the student hands in a config (stop rule,
// max_rounds, walker), graded by running it.
Problem make_tune_lab(std::uint64_t seed);
// The workload config and budget kind lab 6 draws for `seed`, before any run. Cheap.
nlohmann::ordered_json tune_lab_config(std::uint64_t seed);
// `s2sim lab check 6`: reads the student's config, runs it on the lab's workload,
// grades downtime, pages sent and lost writes (see LabInfo::check).
int check_tune_config(const Problem& p, const std::string& text, const std::string& name, std::ostream& out);

}  // namespace s2sim::sim::lab
