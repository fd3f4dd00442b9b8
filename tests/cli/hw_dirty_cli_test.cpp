// The hardware dirty-state switches on the command line: compare --hw-dirty (one run per
// mechanism, each the run `run --set dirty_log.hw_dirty=M` makes, side by side in a
// table and in the JSON) and perf-test --hw-dirty hacdbs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.h"

using namespace s2sim::test;

namespace {

using nlohmann::json;

// A short migration on arm64: 2 vCPUs writing at random over 1,024 pages.
constexpr const char* kConfig = R"({"seed": 3, "machine": "neoverse-n1", "geometry": "armv8-3level",
 "kernel": "linux-6.6-arm64", "vcpus": 2,
 "memslots": [{"id": 0, "base_gfn": 262221, "npages": 2048, "hugepages": true}],
 "workload": {"kind": "uniform", "ops": 8000, "pages": 1024, "write_ratio": 0.7, "think_cycles": 2000},
 "dirty_log": {"walker": "range"},
 "migration": {"enabled": true, "start_ms": 0, "link_gbps": 40, "max_rounds": 4,
               "stop_rule": {"kind": "threshold", "dirty_pages": 16}},
 "verify": {"enabled": true, "invariants": true}})";

bool has_line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return true;
  return false;
}

}  // namespace

TEST(CompareHwDirtyCli, RunsEachMechanismOnTheSameConfig) {
  const std::string cfg = write_temp("hw.json", kConfig);
  const std::string out = temp_path("hw_compare.json");
  const CliResult r = run_s2sim("compare '" + cfg + "' --heartbeat 0 --hw-dirty none,dbm,hdbss,hacdbs --json '" + out + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has_line_starting(r.out, "hw_dirty  migration ms")) << r.out;
  for (const char* m : {"none ", "dbm ", "hdbss ", "hacdbs "}) EXPECT_TRUE(has_line_starting(r.out, m)) << r.out;
  const json doc = json::parse(read_file(out));
  std::remove(out.c_str());
  ASSERT_EQ(doc["runs"].size(), 4u);
  const json& none = doc["runs"][0];
  EXPECT_FALSE(none["config"]["dirty_log"].contains("hw_dirty"));
  EXPECT_FALSE(none.contains("hw_dirty"));
  const char* modes[] = {"none", "dbm", "hdbss", "hacdbs"};
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(modes[i]);
    EXPECT_EQ(doc["runs"][i]["verify"]["lost_writes"], 0);
    EXPECT_EQ(doc["runs"][i]["verify"]["invariant_violations"], 0);
    if (i == 0) continue;
    EXPECT_EQ(doc["runs"][i]["config"]["dirty_log"]["hw_dirty"], modes[i]);
    EXPECT_EQ(doc["runs"][i]["hw_dirty"]["mode"], modes[i]);
    EXPECT_GT(doc["runs"][i]["hw_dirty"]["hw_updates"], 0);
  }
  // Only HACDBS cleans from lists, and says so.
  EXPECT_FALSE(doc["runs"][2]["hw_dirty"].contains("hacdbs_cleaned"));
  EXPECT_GT(doc["runs"][3]["hw_dirty"]["hacdbs_cleaned"], 0);
  EXPECT_GT(doc["runs"][3]["hw_dirty"]["hacdbs_rounds"], 0);
  // The run compare made is the one `run --set` makes.
  const std::string single_out = temp_path("hw_single.json");
  const CliResult single =
      run_s2sim("run '" + cfg + "' --heartbeat 0 --set dirty_log.hw_dirty=hacdbs --json '" + single_out + "'");
  ASSERT_EQ(single.status, 0) << single.err;
  EXPECT_EQ(json::parse(read_file(single_out)), doc["runs"][3]);
  std::remove(single_out.c_str());
  std::remove(cfg.c_str());
}

TEST(CompareHwDirtyCli, BadModesAndTwoAxesAreRefused) {
  const CliResult bad = run_s2sim("compare dirty-log-apis --hw-dirty dbm,hacdb");
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err, "error: compare --hw-dirty: unknown mode \"hacdb\" (expected none, dbm, hdbss or hacdbs)\n");
  EXPECT_TRUE(bad.out.empty());
  const CliResult both = run_s2sim("compare dirty-log-apis --hw-dirty dbm --apis get");
  EXPECT_EQ(both.status, 2);
  EXPECT_EQ(both.err, "error: compare: --walkers, --apis and --hw-dirty each pick what varies: give one of them\n");
  // An ARMv7 config refuses hardware dirty state: one error line, exit 2.
  const CliResult v7 = run_s2sim("compare misaligned-memslot --hw-dirty none,hacdbs");
  EXPECT_EQ(v7.status, 2);
  EXPECT_NE(v7.err.find("/dirty_log/hw_dirty: needs an ARMv8 geometry"), std::string::npos) << v7.err;
  EXPECT_EQ(std::count(v7.err.begin(), v7.err.end(), '\n'), 1) << v7.err;
}

// perf-test --hw-dirty hacdbs: the mode reaches the config and both JSON blocks; each
// iteration says how many leaves HACDBS cleaned.
TEST(PerfTestHwDirtyCli, HacdbsIsAModeOfItsOwn) {
  const std::string out = temp_path("perf_hacdbs.json");
  const CliResult r = run_s2sim("perf-test -q -v 1 -b 4M -i 3 --hw-dirty hacdbs --json '" + out + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(", hardware dirty state hacdbs, "), std::string::npos) << r.out;
  const json doc = json::parse(read_file(out));
  std::remove(out.c_str());
  EXPECT_EQ(doc["perf_test"]["hw_dirty"], "hacdbs");
  EXPECT_EQ(doc["config"]["dirty_log"]["hw_dirty"], "hacdbs");
  EXPECT_EQ(doc["hw_dirty"]["mode"], "hacdbs");
  // 1,024 pages; iteration 3 is dirtied by the hardware and its CLEAR cleans them all.
  EXPECT_EQ(doc["iterations"][2]["hw_dirty"]["hw_updates"], 1024);
  EXPECT_EQ(doc["iterations"][2]["hw_dirty"]["hacdbs_cleaned"], 1024);
  EXPECT_EQ(doc["iterations"][2]["faults"]["write_protect"], 0);
  const CliResult bad = run_s2sim("perf-test --hw-dirty hacdb");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("unknown mode \"hacdb\" (expected none, dbm, hdbss or hacdbs)"), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}
