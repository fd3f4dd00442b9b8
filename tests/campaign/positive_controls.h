// Positive controls of the no-lost-write campaign: runs in which the schedule makes a
// lost write certain, so that a verifier gone blind (or a broken teaching switch, or
// a v4 walker that no longer misbehaves) fails the campaign instead of passing it.
//
// Each control has one vCPU rewriting one page P, over and over with a short think
// time, for longer than the migration lasts; the migration goes round 0, round 1
// (P is dirty: reported and sent), round 2 (nothing reported), stop-and-copy. What
// makes the write after round 1's send of P certain to be lost:
//   no_flush   dirty_log.flush_tlbs = false. Round 1 write-protects P but nothing
//              invalidates the vCPU's writable TLB entry (no other page is touched,
//              so no fault requests a flush either): every later write goes through
//              it, without a fault, without a dirty bit.
//   after_wp   dirty_log.snapshot = after_wp. Round 1 protects P and flushes; the
//              vCPU's next write faults, and the fault (trap ~6,000 cycles + handler)
//              makes P writable and marks it while the late snapshot pass (34 cycles a
//              word) is still ~1,000 words away from P's, the slot's last word; the
//              snapshot then clears the bit. P stays writable with a clean bit.
//   hacdbs_no_flush  as no_flush, on an ARMv8 geometry with dirty_log.hw_dirty
//              hacdbs: round 1's HACDBS list cleans P's pte (writable-dirty to
//              writable-clean) and, like write protection, relies on the flush that
//              is not made: the writable TLB entry lets every later write through.
//   v4_block   walker v4 on a hugepage slot populated with 2 MiB blocks, blocks kept
//              while logging (block_policy keep), 2 MiB aligned so no window crosses a
//              pmd. Enabling logging protects P's block; the first write makes it
//              writable again and marks its 512 pages; round 1's v4 follows the block
//              as if it were a pte table and never protects it: no later write faults.
// The rest is drawn from the campaign's seed: machine, geometry, where the slot sits,
// its size, BITS_PER_LONG, the flush placement, P, the think time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaign/scenario_draw.h"
#include "sim/engine/run_result.h"

namespace s2sim::campaign {

struct PositiveControl {
  std::string kind;  // "no_flush", "after_wp", "v4_block" or "hacdbs_no_flush"
  nlohmann::json config;
  std::uint64_t page = 0;  // P, the gfn whose last write must be reported lost
};

// Control `index` of campaign `campaign_seed`; the kinds take turns.
PositiveControl draw_positive_control(std::uint64_t campaign_seed, std::uint64_t index);

// How many controls a campaign of `scenarios` scenarios runs: one per 25, at least one
// of each kind.
std::uint64_t positive_controls_for(std::uint64_t scenarios);

// What is wrong with a control's run: it must complete to a verified stop-and-copy,
// and the verifier must report P's write lost.
std::vector<std::string> positive_control_problems(const PositiveControl& c, const sim::RunResult& r);

}  // namespace s2sim::campaign
