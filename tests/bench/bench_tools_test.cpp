// bench/compare_walkers.py on a small hand-made Google Benchmark result
// (tests/data/bench_sample.json): the Markdown rows and their ratios to `naive`, the
// SVG chart's shape, and the error contract (exit 2, one "error: FILE: ..." line).
// The script is Python 3 standard library only; python3 is part of the build
// environment, so these tests run everywhere the suite does.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string kSource = S2SIM_SOURCE_DIR;
const std::string kScript = kSource + "/bench/compare_walkers.py";
const std::string kSample = kSource + "/tests/data/bench_sample.json";

std::string quote(const std::string& s) { return "'" + s + "'"; }

// Runs a shell command; returns its exit status (-1 if it did not exit normally).
int run(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

// The cells of the Markdown row that starts with `prefix` ("| full | aligned | ..."),
// trimmed; empty if there is no such row.
std::vector<std::string> row_cells(const std::string& md, const std::string& prefix) {
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::vector<std::string> cells;
    std::istringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) {
      const auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    }
    return cells;
  }
  return {};
}

class CompareWalkers : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("s2sim-bench-tools-" + std::to_string(::getpid()) + "-" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // Runs the script on `input` with `args`; stdout and stderr go to files in dir_.
  int compare(const std::string& input, const std::string& args) {
    return run("python3 " + quote(kScript) + " " + quote(input) + " " + args + " >" + quote((dir_ / "out").string()) +
               " 2>" + quote((dir_ / "err").string()));
  }
  std::string md() const { return (dir_ / "table.md").string(); }
  std::string svg() const { return (dir_ / "chart.svg").string(); }
  std::string err() const { return slurp(dir_ / "err"); }

  fs::path dir_;
};

TEST_F(CompareWalkers, TableHasARowPerWalkerWithRatiosToNaive) {
  ASSERT_EQ(compare(kSample, "--markdown " + quote(md()) + " --svg " + quote(svg())), 0) << err();
  const std::string table = slurp(md());

  // walker | host ns | x naive | sim cycles | x naive | upper loads | x naive
  const auto range = row_cells(table, "| full | aligned | 32 | pages | range |");
  ASSERT_EQ(range.size(), 11u) << table;
  EXPECT_EQ(range[5], "400.0");
  EXPECT_EQ(range[6], "0.40×");
  EXPECT_EQ(range[7], "1,200.0");
  EXPECT_EQ(range[8], "0.60×");
  EXPECT_EQ(range[9], "2.00");
  EXPECT_EQ(range[10], "0.03×");
  const auto naive = row_cells(table, "| full | aligned | 32 | pages | naive |");
  ASSERT_EQ(naive.size(), 11u);
  EXPECT_EQ(naive[6], "1.00×");
  EXPECT_EQ(naive[9], "64.00");
  for (const char* w : {"v4", "v4-fixed"}) EXPECT_EQ(row_cells(table, std::string("| full | aligned | 32 | pages | ") + w + " |").size(), 11u) << w;

  // Times in other units are converted: 0.6 us is 600 ns, six times naive's 100.
  const auto crossing = row_cells(table, "| far2 | crossing | 32 | pages | range |");
  ASSERT_EQ(crossing.size(), 11u);
  EXPECT_EQ(crossing[5], "600.0");
  EXPECT_EQ(crossing[6], "6.00×");
  EXPECT_EQ(crossing[10], "0.75×");

  // A group without naive has no ratios; a missing counter is an empty cell.
  const auto orphan = row_cells(table, "| rand25 | aligned | 64 | pages | v4-fixed |");
  ASSERT_EQ(orphan.size(), 11u);
  EXPECT_EQ(orphan[5], "500.0");
  EXPECT_EQ(orphan[6], "–");
  EXPECT_EQ(orphan[7], "–");

  // Repetitions: the mean aggregate is used; a benchmark that reported an error is left out.
  const auto single = row_cells(table, "| single | aligned | 32 | pages | naive |");
  ASSERT_EQ(single.size(), 11u);
  EXPECT_EQ(single[5], "100.0");
  EXPECT_EQ(row_cells(table, "| single | aligned | 32 | pages | range |")[6], "3.00×");
  EXPECT_TRUE(row_cells(table, "| single | aligned | 32 | pages | v4 |").empty());
  EXPECT_EQ(count(table, "| naive |"), 5u);  // four WpMasked groups with naive + one DirtyLog

  // No v4 among the block rows (the sample has none, as s2sim-bench registers none).
  EXPECT_TRUE(row_cells(table, "| full | aligned | 32 | blocks | v4 |").empty());
  EXPECT_EQ(row_cells(table, "| full | aligned | 32 | blocks | range |")[6], "0.25×");

  // The dirty-log family and the baselines, with the range-walk vs flat-pass ratio.
  const auto dirty = row_cells(table, "| 1GiB | 10pct | range |");
  ASSERT_EQ(dirty.size(), 9u);
  EXPECT_EQ(dirty[3], "2,250.0");
  EXPECT_EQ(dirty[4], "1.50×");
  EXPECT_EQ(dirty[8], "0.30×");
  EXPECT_NE(table.find("| BM_Baseline_FlatWp1M |"), std::string::npos);
  EXPECT_NE(table.find("70.0× slower per descriptor"), std::string::npos);
  // The simulator's throughput over the same operation stream's ceiling.
  EXPECT_NE(table.find("Simulator throughput, tlb_friendly: 25,000,000 guest ops/s, 40.0 % of"), std::string::npos)
      << table;
}

TEST_F(CompareWalkers, SvgIsWellFormedWithOneRectPerBar) {
  ASSERT_EQ(compare(kSample, "--svg " + quote(svg())), 0) << err();
  const std::string chart = slurp(svg());
  ASSERT_EQ(chart.rfind("<svg", 0), 0u);
  EXPECT_NE(chart.find("</svg>"), std::string::npos);
  // 15 BM_WpMasked results, one of which has no sim_cycles counter.
  EXPECT_EQ(count(chart, "<rect class=\"bar\""), 14u);
  EXPECT_EQ(count(chart, "class=\"panel\""), 4u);  // aligned/32/pages, crossing/32/pages, aligned/32/blocks, aligned/64/pages
  // An XML parser accepts it.
  EXPECT_EQ(run("python3 -c \"import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])\" " + quote(svg())), 0);
}

TEST_F(CompareWalkers, NsMetricDrawsEveryResultWithATime) {
  ASSERT_EQ(compare(kSample, "--svg " + quote(svg()) + " --metric ns"), 0) << err();
  EXPECT_EQ(count(slurp(svg()), "<rect class=\"bar\""), 15u);
}

TEST_F(CompareWalkers, WithoutOutputsTheTableGoesToStdout) {
  ASSERT_EQ(compare(kSample, ""), 0) << err();
  EXPECT_NE(slurp(dir_ / "out").find("| full | aligned | 32 | pages | naive |"), std::string::npos);
}

TEST_F(CompareWalkers, MissingFileIsExitTwoWithOneErrorLine) {
  const std::string missing = (dir_ / "missing.json").string();
  EXPECT_EQ(compare(missing, "--markdown " + quote(md())), 2);
  EXPECT_EQ(err().rfind("error: " + missing + ": ", 0), 0u) << err();
  EXPECT_EQ(count(err(), "\n"), 1u);
  EXPECT_FALSE(fs::exists(md()));
}

TEST_F(CompareWalkers, MalformedJsonIsExitTwoNamingTheFile) {
  const fs::path bad = dir_ / "bad.json";
  std::ofstream(bad) << "{\"benchmarks\": [ {\"name\": \"BM_WpMasked/naive/full/aligned/32/pages\"";
  EXPECT_EQ(compare(bad.string(), "--markdown " + quote(md())), 2);
  EXPECT_EQ(err().rfind("error: " + bad.string() + ": not valid JSON", 0), 0u) << err();

  const fs::path not_bench = dir_ / "other.json";
  std::ofstream(not_bench) << "{\"schema\": \"s2sim.result/1\"}";
  EXPECT_EQ(compare(not_bench.string(), "--markdown " + quote(md())), 2);
  EXPECT_EQ(err().rfind("error: " + not_bench.string() + ": ", 0), 0u) << err();
}

}  // namespace
