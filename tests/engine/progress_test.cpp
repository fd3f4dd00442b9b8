// What the engine tells a progress callback (RunProgress): simulated time and the
// share of the workload read never go back, the round is the migration's, and a run
// with a callback gives exactly the result of one without.
#include <gtest/gtest.h>

#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/report/report.h"

using namespace s2sim::sim;

namespace {

SimConfig busy_config() {
  const nlohmann::json j = nlohmann::json::parse(R"({
    "seed": 3, "machine": "cortex-a15", "geometry": "armv7-lpae", "vcpus": 2,
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 8192}],
    "workload": {"kind": "hotset", "ops": 200000, "hot_fraction": 0.05, "hot_probability": 0.9,
                 "write_ratio": 0.8, "think_cycles": 2000},
    "migration": {"link_gbps": 0.5, "start_ms": 1, "stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 4}}
  })");
  return parse_config(j, "test.json", configs_dir());
}

TEST(EngineProgress, ReportsMonotoneProgressAndChangesNothing) {
  const SimConfig cfg = busy_config();
  std::vector<RunProgress> seen;
  Engine with(cfg);
  const RunResult a = with.run([&](const RunProgress& p) { seen.push_back(p); });
  Engine without(cfg);
  const RunResult b = without.run();
  EXPECT_EQ(result_json(a, cfg), result_json(b, cfg));

  ASSERT_GE(seen.size(), 3u) << "400,000 operations make several callbacks (one per 65,536 steps)";
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const RunProgress& p = seen[i];
    EXPECT_GE(p.fraction, 0.0);  // a generator knows its length
    EXPECT_LE(p.fraction, 1.0);
    EXPECT_LE(p.round, a.rounds.size());
    if (i == 0) continue;
    EXPECT_GE(p.simulated_seconds, seen[i - 1].simulated_seconds);
    EXPECT_GE(p.fraction, seen[i - 1].fraction);
    EXPECT_GE(p.round, seen[i - 1].round);
  }
  EXPECT_TRUE(seen.back().migrating);
  EXPECT_LE(seen.back().simulated_seconds, static_cast<double>(a.total_cycles) / a.clock_hz);
}

}  // namespace
