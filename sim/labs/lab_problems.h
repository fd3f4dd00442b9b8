// The labs that are written, each a function from a problem id (a seed, or a
// student under a key) to a problem. Every answer is computed by the simulator's own
// code when the problem is made: the mmu/ model for labs 1-3 and 5, the cycle engine
// behind `s2sim run` for labs 4 and 6.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/labs/lab.h"
#include "sim/labs/lab_check.h"
#include "sim/labs/lab_input.h"

namespace s2sim::sim::lab {

// Lab 1: five descriptors to decode (type, output address, S2AP, AF), one to encode.
Problem make_descriptor_lab(const ProblemId& id);
// Lab 2: a small ARMv7 LPAE stage-2 tree as a memory dump; translate IPAs by hand.
Problem make_walk_lab(const ProblemId& id);
// Lab 3: one call of kvm_mmu_write_protect_pt_masked under each walker.
Problem make_masked_lab(const ProblemId& id);

// Lab 4: a small migration with one teaching switch (no TLB flush, or the snapshot
// after the write-protect); the student runs it and reads the verifier.
Problem make_order_lab(const ProblemId& id);
// The config lab 4 draws for `seed` on its `attempt`-th draw (make_order_lab keeps
// the first draw whose runs show what the lab is about). Cheap: no simulation.
nlohmann::ordered_json order_lab_config(std::uint64_t seed, unsigned attempt);

// Lab 5: one write-protect call on a table state where the v4 walker trips a hazard.
Problem make_bug_lab(const ProblemId& id);

// Lab 6: a workload and a budget; the student hands in a config (stop rule,
// max_rounds, walker), graded by running it.
Problem make_tune_lab(const ProblemId& id);
// The workload config lab 6 draws for `seed` on its `attempt`-th draw, before any
// run (make_tune_lab keeps the first draw whose budget the grid's longest fixed stop
// misses). Cheap.
nlohmann::ordered_json tune_lab_config(std::uint64_t seed, unsigned attempt = 0);
// `s2sim lab check 6`: reads the student's config, runs it on the lab's workload,
// grades downtime, pages sent, lost writes and how the run stopped.
CheckResult check_tune_config(const Problem& p, const AnswerInput& in);

// Lab 7: s2sim perf-test under the ARMv7 and arm64 kernel profiles (mmu_lock as a
// spinlock or an rwlock) and with eager page splitting; answers read from its runs.
Problem make_perf_lab(const ProblemId& id);

// Lab 8: the student writes kvm_mmu_write_protect_pt_masked as a plug-in.
Problem make_walker_lab(const ProblemId& id);
// `s2sim lab check 8`: builds walker.cpp (or takes the built plug-in, in.path) and runs
// it in a child process through the windows, the campaign and the load count.
CheckResult check_walker(const Problem& p, const AnswerInput& in);

}  // namespace s2sim::sim::lab
