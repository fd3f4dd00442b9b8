// What a run adds to its result JSON for people reading it (the s2sim version, times
// in milliseconds beside the cycles, host time only when asked for) and the CSV row
// of `run --csv` and `compare --csv`.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "sim/report/csv_row.h"
#include "util/version.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using s2sim::test::CliResult;
using s2sim::test::error_lines;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;

const std::string kSmall = "tests/data/configs/small.json";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// A CSV line without its last cell (host_s, measured) and line end.
std::string but_host_time(std::string line) {
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line.substr(0, line.rfind(','));
}

double ms(const json& cycles, const json& doc) {
  return std::round(cycles.get<double>() * 1000.0 / doc["cycles"]["clock_hz"].get<double>() * 1e6) / 1e6;
}

struct Outputs {
  CliResult cli;
  json result;
  std::string csv;
};

Outputs run(const std::string& args) {
  const std::string j = temp_path("r.json"), c = temp_path("r.csv");
  Outputs o;
  o.cli = run_s2sim(args + " --quiet --json '" + j + "' --csv '" + c + "'");
  if (fs::exists(j)) o.result = json::parse(read_file(j));
  o.csv = read_file(c);
  std::remove(j.c_str());
  std::remove(c.c_str());
  return o;
}

TEST(ResultJson, CarriesTheVersionAndEveryTimeInMillisecondsBesideItsCycles) {
  const Outputs o = run("run " + kSmall);
  ASSERT_EQ(o.cli.status, 0) << o.cli.err;
  const json& d = o.result;
  EXPECT_EQ(d["s2sim"]["version"], s2sim::version());
  EXPECT_EQ(std::string(s2sim::version()).find_first_not_of("0123456789."), std::string::npos);
  EXPECT_DOUBLE_EQ(d["time_ms"]["total"].get<double>(), ms(d["cycles"]["total"], d));
  EXPECT_DOUBLE_EQ(d["time_ms"]["migration"].get<double>(), ms(d["cycles"]["migration"], d));
  EXPECT_DOUBLE_EQ(d["time_ms"]["mmu_lock_wait"].get<double>(), ms(d["cycles"]["mmu_lock_wait"], d));
  EXPECT_DOUBLE_EQ(d["migration"]["downtime_ms"].get<double>(), ms(d["migration"]["downtime_cycles"], d));
  EXPECT_DOUBLE_EQ(d["dirty_log"]["ms"].get<double>(), ms(d["dirty_log"]["cycles"], d));
  EXPECT_DOUBLE_EQ(d["dirty_log"]["enable_logging_ms"].get<double>(), ms(d["dirty_log"]["enable_logging_cycles"], d));
  ASSERT_GT(d["migration"]["rounds"].size(), 1u);
  for (const json& r : d["migration"]["rounds"]) {
    EXPECT_DOUBLE_EQ(r["ms"].get<double>(), ms(r["cycles"], d));
    EXPECT_DOUBLE_EQ(r["get_dirty_log_ms"].get<double>(), ms(r["get_dirty_log_cycles"], d));
  }
  EXPECT_GT(d["time_ms"]["total"].get<double>(), 1.0);
  // Host time is not a function of config and seed: only with --host-time.
  EXPECT_FALSE(d.contains("host_seconds"));
}

TEST(ResultJson, HostTimeOnlyWhenAskedForAndTheRestUnchanged) {
  const Outputs plain = run("run " + kSmall);
  const Outputs timed = run("run " + kSmall + " --host-time");
  ASSERT_EQ(timed.cli.status, 0) << timed.cli.err;
  ASSERT_TRUE(timed.result.contains("host_seconds"));
  EXPECT_GE(timed.result["host_seconds"].get<double>(), 0.0);
  json rest = timed.result;
  rest.erase("host_seconds");
  EXPECT_EQ(rest, plain.result);
}

TEST(RunCsv, OneHeaderAndOneRowReadFromTheResult) {
  const Outputs o = run("run " + kSmall + " --seed 3");
  ASSERT_EQ(o.cli.status, 0) << o.cli.err;
  const std::vector<std::string> rows = lines(o.csv);
  ASSERT_EQ(rows.size(), 2u) << o.csv;
  EXPECT_EQ(rows[0] + "\n", s2sim::sim::csv_header({}));
  EXPECT_EQ(but_host_time(rows[1]), but_host_time(s2sim::sim::csv_line(s2sim::sim::csv_run_cells(&o.result, 3, 0, 0.0))));
  EXPECT_EQ(rows[1].rfind("3,", 0), 0u);
  const std::string host = rows[1].substr(rows[1].rfind(',') + 1);
  EXPECT_GE(std::stod(host), 0.0);
  EXPECT_EQ(host.size() - host.find('.'), 4u) << host;  // milliseconds resolution
}

TEST(RunCsv, LostWritesShowInTheRowAndTheExitStatus) {
  const Outputs o = run("run configs/scenarios/teaching-no-flush.json");
  ASSERT_EQ(o.cli.status, 1) << o.cli.err;
  const std::vector<std::string> rows = lines(o.csv);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(but_host_time(rows[1]), but_host_time(s2sim::sim::csv_line(s2sim::sim::csv_run_cells(&o.result, 1, 1, 0.0))));
  EXPECT_GT(o.result["verify"]["lost_writes"].get<int>(), 0);
}

TEST(CompareCsv, OneRowPerWalkerNamedInTheFirstColumn) {
  const Outputs o = run("compare " + kSmall + " --walkers v4,range,naive");
  ASSERT_EQ(o.cli.status, 0) << o.cli.err;
  const std::vector<std::string> rows = lines(o.csv);
  ASSERT_EQ(rows.size(), 4u) << o.csv;
  EXPECT_EQ(rows[0] + "\n", s2sim::sim::csv_header({"dirty_log.walker"}));
  const char* walkers[] = {"v4", "range", "naive"};
  for (int i = 0; i < 3; ++i) {
    const json& result = o.result["runs"][static_cast<std::size_t>(i)];
    EXPECT_EQ(result["dirty_log"]["walker"], walkers[i]);
    std::vector<std::string> want = {walkers[i]};
    for (const std::string& c : s2sim::sim::csv_run_cells(&result, 7, 0, 0.0)) want.push_back(c);
    EXPECT_EQ(but_host_time(rows[static_cast<std::size_t>(i) + 1]), but_host_time(s2sim::sim::csv_line(want)));
  }
}

TEST(RunCsv, AnUnwritableCsvPathIsRefusedBeforeRunning) {
  const CliResult r = run_s2sim("run " + kSmall + " --csv /nonexistent-dir/x.csv");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(error_lines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("error: /nonexistent-dir/x.csv: cannot write", 0), 0u) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
