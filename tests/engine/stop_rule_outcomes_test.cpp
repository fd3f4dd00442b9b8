// Each stop rule decides at the round the rule's own arithmetic names, on a run whose
// dirty set is known every round: one vCPU rewrites one page P every 2,000 cycles for
// longer than the migration lasts, in the kernel's order. Over 0.5 Gbit/s a page send
// takes 4096 x 8 / 5e8 x 1.7e9 = 111,411 cycles, so after each get_dirty_log the
// vCPU's write-protect fault on P (about 7,500 cycles) marks P again long before the
// next one: every pre-copy round reports exactly P and sends one page; round 0 sends
// the slot's 512 pages.
//
//   threshold {dirty_pages N}:   stops after round r's get_dirty_log if pending <= N
//   max_rounds M:                 stops (forced) once r >= M
//   qemu {downtime_limit_ms L}:  stops if pending x (last round's cycles / pages sent)
//                                 <= L x clock
//   xen {min_pages, max_iterations, max_factor}: stops if the last round sent fewer
//                                 than min_pages, or r >= max_iterations (forced), or
//                                 more than max_factor x the slot was sent (forced)
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "sim/config/config.h"
#include "sim/engine/engine.h"

namespace s2sim::sim {
namespace {

using nlohmann::json;

json one_page_rewriter(const json& stop_rule, unsigned max_rounds = 30) {
  json j = json::parse(R"({
    "seed": 3, "machine": "cortex-a15", "geometry": "armv7-lpae",
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 512}],
    "vcpus": 1,
    "workload": {"kind": "sequential", "first_gfn": 262400, "pages": 1, "passes": 0, "ops": 400000,
                 "write_ratio": 1.0, "think_cycles": 2000},
    "dirty_log": {"walker": "v4-fixed"},
    "migration": {"enabled": true, "link_gbps": 0.5, "start_ms": 0},
    "verify": {"enabled": true}
  })");
  j["migration"]["stop_rule"] = stop_rule;
  j["migration"]["max_rounds"] = max_rounds;
  return j;
}

RunResult run(const json& j) {
  const SimConfig cfg = parse_config(j, "stop_rule_outcomes_test.json", configs_dir());
  Engine e(cfg);
  return e.run();
}

// Rounds 1..n-1 pre-copy, each reporting and sending P; round n stop-and-copy.
void expect_rounds(const RunResult& r, std::size_t n) {
  ASSERT_EQ(r.rounds.size(), n + 1) << r.stop_reason;
  EXPECT_EQ(r.rounds[0].pages_sent, 512u);
  for (std::size_t i = 1; i < n; ++i) {
    EXPECT_EQ(r.rounds[i].dirty_pages, 1u) << "round " << i;
    EXPECT_EQ(r.rounds[i].pages_sent, 1u) << "round " << i;
  }
  EXPECT_TRUE(r.rounds[n].stop_and_copy);
  EXPECT_EQ(r.lost_writes, 0u);
  EXPECT_TRUE(r.verify_ok());
}

}  // namespace

TEST(StopRuleOutcomes, ThresholdStopsWhenPendingIsAtMostItsLimit) {
  // 1 pending page <= 1: stop after round 1.
  const RunResult at = run(one_page_rewriter({{"kind", "threshold"}, {"dirty_pages", 1}}));
  expect_rounds(at, 1);
  EXPECT_EQ(at.stop_reason, "threshold: 1 dirty pages <= 1");
  EXPECT_TRUE(at.converged);
  // 1 > 0 every round: only its round limit (3) stops it, after round 3.
  const RunResult below = run(one_page_rewriter({{"kind", "threshold"}, {"dirty_pages", 0}, {"rounds", 3}}));
  expect_rounds(below, 3);
  EXPECT_EQ(below.stop_reason, "threshold: 3 rounds");
}

TEST(StopRuleOutcomes, MaxRoundsForcesTheStopAtThatRound) {
  const RunResult r = run(one_page_rewriter({{"kind", "threshold"}, {"dirty_pages", 0}}, 4));
  expect_rounds(r, 4);
  EXPECT_EQ(r.stop_reason, "max_rounds (4) reached");
  EXPECT_FALSE(r.converged);
}

TEST(StopRuleOutcomes, QemuStopsOnceThePendingPagesFitTheDowntimeLimit) {
  // Round 1: 1 pending page x round 0's 111,411-odd cycles a page fits 300 ms (510
  // million cycles) at once.
  const RunResult fits = run(one_page_rewriter({{"kind", "qemu"}, {"downtime_limit_ms", 300}}));
  expect_rounds(fits, 1);
  EXPECT_EQ(fits.stop_reason.rfind("qemu: 1 pending pages fit the 300 ms", 0), 0u) << fits.stop_reason;
  // 1 us (1,700 cycles) is never enough for a page: max_rounds decides.
  const RunResult never = run(one_page_rewriter({{"kind", "qemu"}, {"downtime_limit_ms", 0.001}}, 3));
  expect_rounds(never, 3);
  EXPECT_EQ(never.stop_reason, "max_rounds (3) reached");
}

TEST(StopRuleOutcomes, XenStopsAfterARoundThatSentFewerThanMinPages) {
  // Round 1: the last round (0) sent 512 >= 50, go on; round 2: round 1 sent 1 < 50.
  const RunResult r = run(one_page_rewriter({{"kind", "xen"}}));
  expect_rounds(r, 2);
  EXPECT_EQ(r.stop_reason, "xen: fewer than 50 pages sent in the last round");
  EXPECT_TRUE(r.converged);
  // With min_pages 1 it never stops that way: max_iterations 3 forces round 3.
  const RunResult it = run(one_page_rewriter({{"kind", "xen"}, {"min_pages", 1}, {"max_iterations", 3}}));
  expect_rounds(it, 3);
  EXPECT_EQ(it.stop_reason, "xen: 3 iterations");
  EXPECT_FALSE(it.converged);
}

}  // namespace s2sim::sim
