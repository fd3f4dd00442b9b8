// The flattened CSV row of a run (sim/report/csv_row.h): its columns in the order the
// sweep table promises, each cell read from the right member of a result, RFC 4180
// quoting, and a run with no result leaving only what is known.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/report/csv_row.h"

namespace {

using nlohmann::json;
using namespace s2sim::sim;

std::vector<std::string> names() {
  std::vector<std::string> n;
  for (const CsvColumn& c : csv_run_columns()) n.push_back(c.name);
  return n;
}

// The members the row reads, with values that tell them apart.
json result() {
  return json::parse(R"({
    "seed": 9,
    "time_ms": {"total": 377.615031, "migration": 300.5, "mmu_lock_wait": 0.00496},
    "cycles": {"total": 641945553, "mmu_lock_wait": 8432},
    "migration": {"rounds": [{"round": 0}, {"round": 1}, {"round": 2}], "pages_sent_total": 5746,
                  "downtime_ms": 12.719022, "downtime_cycles": 21622337,
                  "stop_reason": "threshold: 4 rounds, \"0 dirty\""},
    "verify": {"ok": false, "lost_writes": 3, "hazards": {"wrong_frame_load": 2, "wrong_frame_store": 5}},
    "faults": {"write_protect": 981, "translation": 17},
    "tlb": {"hits": 3, "misses": 1}
  })");
}

TEST(CsvRow, ColumnsAreSeedTheHeadlineMetricsThenExitStatusAndHostTimeLast) {
  const std::vector<std::string> want = {"seed",           "total_ms",         "rounds",       "pages_sent_total",
                                         "downtime_ms",    "stop_reason",      "lost_writes",  "hazards",
                                         "wp_faults",      "tlb_hit_rate",     "mmu_lock_wait_ms", "total_cycles",
                                         "downtime_cycles", "mmu_lock_wait_cycles", "exit_status", "host_s"};
  EXPECT_EQ(names(), want);
  for (const CsvColumn& c : csv_run_columns()) EXPECT_GT(std::string(c.meaning).size(), 5u) << c.name;
  EXPECT_EQ(csv_header({"dirty_log.walker", "vcpus"}),
            "dirty_log.walker,vcpus,seed,total_ms,rounds,pages_sent_total,downtime_ms,stop_reason,lost_writes,"
            "hazards,wp_faults,tlb_hit_rate,mmu_lock_wait_ms,total_cycles,downtime_cycles,mmu_lock_wait_cycles,"
            "exit_status,host_s\n");
}

TEST(CsvRow, CellsComeFromTheResult) {
  const json r = result();
  const std::vector<std::string> cells = csv_run_cells(&r, 9, 1, 0.0834);
  ASSERT_EQ(cells.size(), names().size());
  const std::vector<std::string> want = {"9",        "377.615031", "3",      "5746",     "12.719022",
                                         "threshold: 4 rounds, \"0 dirty\"", "3", "7", "981", "0.750000",
                                         "0.004960", "641945553",  "21622337", "8432",   "1", "0.083"};
  EXPECT_EQ(cells, want);
  EXPECT_EQ(csv_line(cells),
            "9,377.615031,3,5746,12.719022,\"threshold: 4 rounds, \"\"0 dirty\"\"\",3,7,981,0.750000,0.004960,"
            "641945553,21622337,8432,1,0.083\n");
}

TEST(CsvRow, MetricsAsJsonAreTheSameValuesTyped) {
  const nlohmann::ordered_json m = csv_run_metrics(result());
  std::vector<std::string> keys;
  for (const auto& [k, v] : m.items()) keys.push_back(k);
  std::vector<std::string> metric_names = names();
  metric_names.erase(metric_names.begin());  // seed
  metric_names.resize(metric_names.size() - 2);  // exit_status, host_s
  EXPECT_EQ(keys, metric_names);
  EXPECT_EQ(m["rounds"], 3);
  EXPECT_EQ(m["hazards"], 7);
  EXPECT_DOUBLE_EQ(m["tlb_hit_rate"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(m["total_ms"].get<double>(), 377.615031);
}

TEST(CsvRow, MissingMembersGiveEmptyCellsNotZeros) {
  // A result from before stop_reason existed, with no TLB lookups at all.
  const json r = json::parse(R"({"time_ms": {"total": 1.5}, "tlb": {"hits": 0, "misses": 0}})");
  const std::vector<std::string> cells = csv_run_cells(&r, 1, std::nullopt, std::nullopt);
  const std::vector<std::string> n = names();
  auto cell = [&](const std::string& name) {
    return cells[static_cast<std::size_t>(std::find(n.begin(), n.end(), name) - n.begin())];
  };
  EXPECT_EQ(cell("total_ms"), "1.500000");
  EXPECT_EQ(cell("stop_reason"), "");
  EXPECT_EQ(cell("tlb_hit_rate"), "");
  EXPECT_EQ(cell("lost_writes"), "");
  EXPECT_EQ(cell("rounds"), "0");
  EXPECT_EQ(cell("exit_status"), "");
  EXPECT_EQ(cell("host_s"), "");
}

TEST(CsvRow, RunWithoutResultKeepsSeedExitStatusAndHostTime) {
  const std::vector<std::string> cells = csv_run_cells(nullptr, 42, 139, 1.25);
  ASSERT_EQ(cells.size(), names().size());
  EXPECT_EQ(cells.front(), "42");
  EXPECT_EQ(cells[cells.size() - 2], "139");
  EXPECT_EQ(cells.back(), "1.250");
  for (std::size_t i = 1; i + 2 < cells.size(); ++i) EXPECT_EQ(cells[i], "") << names()[i];
}

TEST(CsvRow, QuotingFollowsRfc4180) {
  EXPECT_EQ(csv_line({"a", "b c", ""}), "a,b c,\n");
  EXPECT_EQ(csv_line({"x,y"}), "\"x,y\"\n");
  EXPECT_EQ(csv_line({"say \"hi\""}), "\"say \"\"hi\"\"\"\n");
  EXPECT_EQ(csv_line({"two\nlines", "cr\r"}), "\"two\nlines\",\"cr\r\"\n");
}

TEST(CsvRow, IdentifyingCellsAreStringsBareOtherValuesAsCompactJson) {
  EXPECT_EQ(csv_value_cell("range"), "range");
  EXPECT_EQ(csv_value_cell(4), "4");
  EXPECT_EQ(csv_value_cell(2.5), "2.5");
  EXPECT_EQ(csv_value_cell(true), "true");
  EXPECT_EQ(csv_value_cell(json::parse(R"({"kind": "qemu", "downtime_limit_ms": 30})")),
            R"({"downtime_limit_ms":30,"kind":"qemu"})");
}

}  // namespace
