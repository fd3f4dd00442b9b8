// `s2sim sweep` from the outside: a small local sweep and its tables, each point's
// result the same bytes as `s2sim run` gives, resume after a crash, lost writes in
// the exit status, bad specs and usage, and the Slurm path's pieces run by hand
// (--slurm writes the job array; --point runs one task's point; --collect merges to
// the same table as the local run). tests/slurm/ runs the same through real Slurm.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using s2sim::test::CliResult;
using s2sim::test::error_lines;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;
using s2sim::test::write_temp;

const std::string kSpec = "tests/data/sweeps/small.json";  // 8 points: walker x vcpus x 2 seeds

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The CSV without its last column (host_s, the one that differs between equal runs;
// it never holds a comma).
std::string without_host_time(const std::string& csv) {
  std::string out;
  for (const std::string& line : lines(csv)) out += line.substr(0, line.rfind(',')) + "\n";
  return out;
}

// A CSV row's cells (RFC 4180 quotes undone).
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < row.size(); ++i) {
    const char c = row[i];
    if (quoted && c == '"' && i + 1 < row.size() && row[i + 1] == '"') out.back() += c, ++i;
    else if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) out.emplace_back();
    else out.back() += c;
  }
  return out;
}

// An integer of a result as the HTML report's tables print it: digits grouped by
// thousands with commas.
std::string doc_number(const json& v) {
  const std::string digits = std::to_string(v.get<std::uint64_t>());
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string point_file(const std::string& dir, const std::string& slug) { return dir + "/points/" + slug + ".result.json"; }

class SweepCli : public ::testing::Test {
 protected:
  // The small spec's local sweep, run once for the whole suite.
  static void SetUpTestSuite() {
    out_ = new std::string(temp_path("sweep"));
    run_ = new CliResult(run_s2sim("sweep " + kSpec + " --out '" + *out_ + "' --jobs 2"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*out_);
    delete out_;
    delete run_;
  }
  static std::string* out_;
  static CliResult* run_;
};
std::string* SweepCli::out_ = nullptr;
CliResult* SweepCli::run_ = nullptr;

TEST_F(SweepCli, LocalSweepWritesOneRowPerPointInPointOrder) {
  ASSERT_EQ(run_->status, 0) << run_->err;
  EXPECT_NE(run_->out.find("8 points, 8 ok, 0 failed"), std::string::npos) << run_->out;
  EXPECT_NE(run_->err.find("sweep: [8/8] "), std::string::npos) << run_->err;
  const std::vector<std::string> rows = lines(read_file(*out_ + "/results.csv"));
  ASSERT_EQ(rows.size(), 9u);
  EXPECT_EQ(rows[0],
            "dirty_log.walker,vcpus,seed,total_ms,rounds,pages_sent_total,downtime_ms,stop_reason,lost_writes,hazards,"
            "wp_faults,tlb_hit_rate,mmu_lock_wait_ms,total_cycles,downtime_cycles,mmu_lock_wait_cycles,exit_status,host_s");
  const char* const ids[] = {"v4,1,1,", "v4,1,2,", "v4,2,1,", "v4,2,2,",
                             "range,1,1,", "range,1,2,", "range,2,1,", "range,2,2,"};
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(rows[i + 1].rfind(ids[i], 0), 0u) << rows[i + 1];
    const std::vector<std::string> c = cells(rows[i + 1]);
    ASSERT_EQ(c.size(), 18u) << rows[i + 1];
    EXPECT_EQ(c[16], "0");             // exit_status
    EXPECT_FALSE(c[17].empty());       // host_s
  }
  const std::vector<std::string> jl = lines(read_file(*out_ + "/results.jsonl"));
  ASSERT_EQ(jl.size(), 8u);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(json::parse(jl[i])["point"], i);
  EXPECT_TRUE(fs::exists(*out_ + "/sweep.json"));
}

TEST_F(SweepCli, EachPointIsByteForByteWhatRunGivesAndItsRowReadsThatResult) {
  ASSERT_EQ(run_->status, 0) << run_->err;
  // Point 6: range, 2 vCPUs, seed 1.
  const std::string mine = temp_path("run.json");
  const CliResult r = run_s2sim("run tests/data/configs/small.json --set 'dirty_log.walker=\"range\"' --set vcpus=2 "
                                "--seed 1 --quiet --json '" + mine + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string point = read_file(point_file(*out_, "0006_walker=range_vcpus=2_seed=1"));
  EXPECT_EQ(point, read_file(mine));
  std::remove(mine.c_str());

  const json doc = json::parse(point);
  const std::vector<std::string> c = cells(lines(read_file(*out_ + "/results.csv"))[7]);
  char total_ms[64];
  std::snprintf(total_ms, sizeof total_ms, "%.6f", doc["time_ms"]["total"].get<double>());
  EXPECT_EQ(c[3], total_ms);
  EXPECT_EQ(c[4], std::to_string(doc["migration"]["rounds"].size()));
  EXPECT_EQ(c[5], doc["migration"]["pages_sent_total"].dump());
  EXPECT_EQ(c[7], doc["migration"]["stop_reason"].get<std::string>());
  EXPECT_EQ(c[10], doc["faults"]["write_protect"].dump());
  EXPECT_EQ(c[13], doc["cycles"]["total"].dump());
}

TEST_F(SweepCli, TheSameSweepAgainGivesTheSameTableButHostTime) {
  ASSERT_EQ(run_->status, 0) << run_->err;
  const std::string again = temp_path("again"), csv = temp_path("table.csv");
  const CliResult r = run_s2sim("sweep " + kSpec + " --out '" + again + "' --jobs 1 --quiet --csv '" + csv + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(without_host_time(read_file(again + "/results.csv")), without_host_time(read_file(*out_ + "/results.csv")));
  EXPECT_EQ(read_file(csv), read_file(again + "/results.csv"));
  fs::remove_all(again);
  std::remove(csv.c_str());
}

TEST_F(SweepCli, ResumeSkipsPointsWithAResultAndIgnoresHalfWrittenOnes) {
  ASSERT_EQ(run_->status, 0) << run_->err;
  const std::string dir = temp_path("resume");
  fs::copy(*out_, dir, fs::copy_options::recursive);
  const std::string p2 = point_file(dir, "0002_walker=v4_vcpus=2_seed=1");
  const std::string p3 = point_file(dir, "0003_walker=v4_vcpus=2_seed=2");
  // Point 2's result marked, to see that it is kept rather than run again.
  json marked = json::parse(read_file(p2));
  marked["migration"]["pages_sent_total"] = 1234567;
  std::ofstream(p2, std::ios::binary | std::ios::trunc) << marked.dump(2) << "\n";
  // Point 3 as a crash leaves it: only the temporary file of an unfinished write.
  const std::string p3_text = read_file(p3);
  fs::remove(p3);
  std::ofstream(dir + "/points/.0003_walker=v4_vcpus=2_seed=2.result.json.tmp.4242") << p3_text.substr(0, 100);
  fs::remove(dir + "/results.csv");

  const CliResult r = run_s2sim("sweep " + kSpec + " --out '" + dir + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("8 points, 7 already done; running 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[1/1] 0003_walker=v4_vcpus=2_seed=2  ok"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(p3), p3_text);
  const std::vector<std::string> rows = lines(read_file(dir + "/results.csv"));
  ASSERT_EQ(rows.size(), 9u);
  EXPECT_EQ(cells(rows[3])[5], "1234567");
  fs::remove_all(dir);
}

// --html writes the sweep's report: every point in the table, in point order, with
// its axis values, seed and the pages it sent; a point with no result yet is named
// as such (and the sweep, collected, exits 1).
TEST_F(SweepCli, HtmlReportHasEveryPointAndNamesTheOnesWithoutAResult) {
  ASSERT_EQ(run_->status, 0) << run_->err;
  const std::string dir = temp_path("html"), page_path = temp_path("sweep.html");
  fs::copy(*out_, dir, fs::copy_options::recursive);
  const CliResult r = run_s2sim("sweep " + kSpec + " --out '" + dir + "' --collect --quiet --html '" + page_path + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(page_path), std::string::npos) << r.out;
  const std::string page = read_file(page_path);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("sweep of 8 points"), std::string::npos);
  EXPECT_NE(page.find("<th>dirty_log.walker</th><th>vcpus</th><th>seed</th>"), std::string::npos);
  // Rows in point order: point 6 (range, 2 vCPUs, seed 1) after point 5, its pages sent shown.
  const json p6 = json::parse(read_file(point_file(dir, "0006_walker=range_vcpus=2_seed=1")));
  const std::string row6 = "<tr><td class=\"text\">range</td><td class=\"text\">2</td><td class=\"text\">1</td>";
  const std::string row5 = "<tr><td class=\"text\">range</td><td class=\"text\">1</td><td class=\"text\">2</td>";
  ASSERT_NE(page.find(row6), std::string::npos);
  EXPECT_LT(page.find(row5), page.find(row6));
  const std::string sent = "<td>" + doc_number(p6["migration"]["pages_sent_total"]) + "</td>";
  EXPECT_NE(page.find(sent, page.find(row6)), std::string::npos) << sent;

  // Point 3's result removed: its status says it ran (exit 0), but there is no result.
  const std::string p3 = point_file(dir, "0003_walker=v4_vcpus=2_seed=2");
  fs::remove(p3);
  const std::string collect = "sweep " + kSpec + " --out '" + dir + "' --collect --quiet --html '" + page_path + "'";
  const CliResult missing = run_s2sim(collect);
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(read_file(page_path).find("failed: no result (exit 0)"), std::string::npos);
  // Its status removed as well: never run.
  fs::remove(p3.substr(0, p3.size() - std::string(".result.json").size()) + ".status.json");
  EXPECT_EQ(run_s2sim(collect).status, 1);
  EXPECT_NE(read_file(page_path).find("failed: not run yet"), std::string::npos);
  fs::remove_all(dir);
  std::remove(page_path.c_str());
}

TEST_F(SweepCli, SlurmPathByHandPointThenCollectGivesTheLocalTable) {
  ASSERT_EQ(run_->status, 0) << run_->err;
  const std::string dir = temp_path("slurmish");
  const CliResult w = run_s2sim("sweep " + kSpec + " --out '" + dir + "' --slurm");
  ASSERT_EQ(w.status, 0) << w.err;
  const std::string script = read_file(dir + "/sweep.sbatch");
  EXPECT_NE(script.find("\n#SBATCH --array=0-7\n"), std::string::npos) << script;
  EXPECT_NE(script.find("\n#SBATCH --output=" + fs::absolute(dir).string() + "/slurm-logs/%A_%a.out\n"), std::string::npos)
      << script;
  EXPECT_NE(script.find("/s2sim sweep " + (fs::path(S2SIM_SOURCE_DIR) / kSpec).string() + " --out "), std::string::npos)
      << script;
  EXPECT_NE(script.find(" --point \"$SLURM_ARRAY_TASK_ID\""), std::string::npos) << script;
  EXPECT_TRUE(fs::is_directory(dir + "/slurm-logs"));
  EXPECT_TRUE(fs::is_empty(dir + "/points"));  // nothing run yet
  EXPECT_NE(w.out.find("sbatch "), std::string::npos) << w.out;

  // One task's point, then a collect with the others missing.
  const CliResult one = run_s2sim("sweep " + kSpec + " --out '" + dir + "' --point 5");
  ASSERT_EQ(one.status, 0) << one.err;
  EXPECT_TRUE(fs::exists(point_file(dir, "0005_walker=range_vcpus=1_seed=2")));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir + "/points"), fs::directory_iterator()), 2);  // result, status
  const CliResult partial = run_s2sim("sweep " + kSpec + " --out '" + dir + "' --collect");
  EXPECT_EQ(partial.status, 1);
  EXPECT_NE(partial.out.find("1 ok, 0 failed, 7 not run yet"), std::string::npos) << partial.out;
  const std::vector<std::string> rows = lines(read_file(dir + "/results.csv"));
  ASSERT_EQ(rows.size(), 9u);
  EXPECT_EQ(rows[1], "v4,1,1,,,,,,,,,,,,,,,");

  for (int i = 0; i < 8; ++i) {
    const CliResult t = run_s2sim("sweep " + kSpec + " --out '" + dir + "' --point " + std::to_string(i) + " --quiet");
    ASSERT_EQ(t.status, 0) << t.err;
  }
  const CliResult all = run_s2sim("sweep " + kSpec + " --out '" + dir + "' --collect");
  EXPECT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(without_host_time(read_file(dir + "/results.csv")), without_host_time(read_file(*out_ + "/results.csv")));
  fs::remove_all(dir);
}

TEST(SweepCliOutcome, LostWritesInAPointMakeTheSweepExitOne) {
  const std::string spec = write_temp("lossy.json", R"({"base": ")" S2SIM_SOURCE_DIR
                                                    R"(/configs/scenarios/teaching-no-flush.json",
                                                    "axes": {"dirty_log.flush_tlbs": [true, false]}})");
  const std::string dir = temp_path("lossy");
  const CliResult r = run_s2sim("sweep '" + spec + "' --out '" + dir + "' --quiet");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("2 points, 1 ok, 1 failed"), std::string::npos) << r.out;
  const std::vector<std::string> rows = lines(read_file(dir + "/results.csv"));
  ASSERT_EQ(rows.size(), 3u);
  const std::vector<std::string> kept = cells(rows[1]), lost = cells(rows[2]);
  EXPECT_EQ(kept[0], "true");
  EXPECT_EQ(kept[7], "0");  // lost_writes
  EXPECT_EQ(kept[15], "0");  // exit_status
  EXPECT_EQ(lost[0], "false");
  EXPECT_GT(std::stoi(lost[7]), 0);
  EXPECT_EQ(lost[15], "1");
  fs::remove_all(dir);
  std::remove(spec.c_str());
}

// Bad specs and usage: exit 2, one "error:" line naming the place, nothing written.
struct BadSweep {
  std::string args;   // after "sweep"; SPEC is replaced by the spec's path
  std::string spec;   // the spec's text
  std::string error;  // the start of the error line; SPEC as above
};

TEST(SweepCliBadInput, ExitsTwoWithOneLocatedErrorAndWritesNothing) {
  const std::string small = R"({"base": ")" S2SIM_SOURCE_DIR R"(/tests/data/configs/small.json")";
  const std::vector<BadSweep> cases = {
      {"SPEC", small + R"(, "axes": {"vcpus": [1, 0]}})", "error: SPEC: /axes/vcpus/1: "},
      {"SPEC", small + R"(, "seeds": [1, "x"]})", "error: SPEC: /seeds/1: a seed is a non-negative integer"},
      {"SPEC", R"({"axes": {}})", "error: SPEC: /: missing \"base\""},
      {"SPEC", small + ", ", "error: SPEC:1:"},
      {"SPEC --jobs 0", small + "}", "error: sweep --jobs: \"0\" is not a positive integer"},
      {"SPEC --point 1", small + "}", "error: sweep --point: 1 is not a point of SPEC (it has 1: 0 to 0)"},
      {"SPEC --point 0 --collect", small + "}", "error: sweep: --point, --collect and --slurm/--submit exclude"},
      {"SPEC --slurm --jobs 2", small + "}", "error: sweep --jobs: "},
      {"SPEC --collect", small + "}", "error: OUT: holds no sweep"},
      {"SPEC --frobnicate", small + "}", "error: sweep: unknown option \"--frobnicate\""},
      {"SPEC --csv /nonexistent-dir/t.csv", small + "}", "error: /nonexistent-dir/t.csv: cannot write: directory"},
      {"SPEC --point 0 --csv t.csv", small + "}", "error: sweep --csv: writes the table of a local sweep or of"},
      {"SPEC --slurm --html t.html", small + "}", "error: sweep --html: writes the report of a local sweep or of"},
      {"SPEC --html /nonexistent-dir/t.html", small + "}", "error: /nonexistent-dir/t.html: cannot write: directory"},
      {"", small + "}", "error: sweep: missing the spec"},
      {"SPEC other.json", small + "}", "error: sweep: more than one spec given"},
  };
  for (const BadSweep& c : cases) {
    const std::string spec = write_temp("bad-spec.json", c.spec);
    const std::string out = temp_path("bad-out");
    auto subst = [&](std::string s) {
      for (auto at = s.find("SPEC"); at != std::string::npos; at = s.find("SPEC", at + spec.size())) s.replace(at, 4, spec);
      if (const auto at = s.find("OUT"); at != std::string::npos) s.replace(at, 3, out);
      return s;
    };
    const std::string args = subst(c.args);
    SCOPED_TRACE(args + "  " + c.spec);
    const CliResult r = run_s2sim("sweep " + args + (c.args.empty() ? "" : " --out '" + out + "'"));
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(error_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind(subst(c.error), 0), 0u) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(fs::exists(out));
    std::remove(spec.c_str());
  }
}

TEST(SweepCliBadInput, AnotherSpecInTheSameDirectoryIsRefused) {
  const std::string dir = temp_path("taken");
  const std::string one = write_temp("one.json", R"({"base": ")" S2SIM_SOURCE_DIR R"(/tests/data/configs/small.json",
                                                  "axes": {"workload.ops": [100]}})");
  const std::string two = write_temp("two.json", R"({"base": ")" S2SIM_SOURCE_DIR R"(/tests/data/configs/small.json",
                                                  "axes": {"workload.ops": [200]}})");
  ASSERT_EQ(run_s2sim("sweep '" + one + "' --out '" + dir + "' --quiet").status, 0);
  const std::string csv = read_file(dir + "/results.csv");
  const CliResult r = run_s2sim("sweep '" + two + "' --out '" + dir + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(error_lines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("error: " + fs::absolute(dir).string() + "/sweep.json: this directory holds another sweep", 0),
            0u)
      << r.err;
  EXPECT_EQ(read_file(dir + "/results.csv"), csv);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir + "/points"), fs::directory_iterator()), 2);
  fs::remove_all(dir);
  std::remove(one.c_str());
  std::remove(two.c_str());
}

}  // namespace
