// s2sim perf-test from the command line: the selftest's lines in its format and
// order, the s2sim.perf/1 JSON, determinism with --seed, and every bad flag refused
// with exit 2, one error line and nothing written.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_runner.h"

namespace {

using s2sim::test::CliResult;
using s2sim::test::error_lines;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;

// Small enough to run in a moment: 2 vCPUs x 1 MiB.
const std::string kSmall = "perf-test -g -q -v 2 -b 1M";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST(PerfTestCli, PrintsTheSelftestLinesInItsFormatAndOrder) {
  const CliResult r = run_s2sim(kSmall + " -i 3");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string ts = R"((\d+)\.(\d{9})s)";
  const std::vector<std::string> want = {
      "s2sim perf-test: .*",
      "Populate memory time: " + ts,
      "Enabling dirty logging time: " + ts,
      "",
      "Iteration 1 dirty memory time: " + ts,
      "Iteration 1 get dirty log time: " + ts,
      "Iteration 2 dirty memory time: " + ts,
      "Iteration 2 get dirty log time: " + ts,
      "Iteration 3 dirty memory time: " + ts,
      "Iteration 3 get dirty log time: " + ts,
      "Disabling dirty logging time: " + ts,
      "",
      R"(Get dirty log over 3 iterations took (\d+)\.(\d{9})s\. \(Avg (\d+)\.(\d{9})s/iteration\))",
  };
  const std::vector<std::string> got = lines_of(r.out);
  ASSERT_EQ(got.size(), want.size()) << r.out;
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_TRUE(std::regex_match(got[i], std::regex(want[i]))) << got[i];
  // No clear line with -g; every time positive.
  EXPECT_EQ(r.out.find("clear dirty log"), std::string::npos);
  std::smatch m;
  const std::string populate = got[1];
  ASSERT_TRUE(std::regex_search(populate, m, std::regex(ts)));
  EXPECT_GT(std::stoull(m[1]) * 1000000000ull + std::stoull(m[2]), 0u);
}

TEST(PerfTestCli, WritesThePerfSchemaAndIsDeterministic) {
  const std::string a = temp_path("a.json"), b = temp_path("b.json"), c = temp_path("c.json");
  ASSERT_EQ(run_s2sim(kSmall + " -w 50 --seed 5 --json '" + a + "'").status, 0);
  ASSERT_EQ(run_s2sim(kSmall + " -w 50 --seed 5 --json '" + b + "'").status, 0);
  ASSERT_EQ(run_s2sim(kSmall + " -w 50 --seed 6 --json '" + c + "'").status, 0);
  EXPECT_EQ(read_file(a), read_file(b)) << "same flags and seed: the same bytes";
  EXPECT_NE(read_file(a), read_file(c)) << "another seed: other read/write choices";
  const nlohmann::json j = nlohmann::json::parse(read_file(a));
  EXPECT_EQ(j["schema"], "s2sim.perf/1");
  for (const char* k : {"config", "perf_test", "populate_s", "enable_logging_s", "disable_logging_s", "iterations"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["config"]["vcpus"], 2);
  EXPECT_EQ(j["config"]["seed"], 5);
  EXPECT_EQ(j["config"]["workload"]["kind"], "memstress");
  EXPECT_EQ(j["perf_test"]["manual_protect"], false);
  EXPECT_EQ(j["perf_test"]["write_percent"], 50);
  ASSERT_EQ(j["iterations"].size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const nlohmann::json& it = j["iterations"][i];
    EXPECT_EQ(it["iteration"], i + 1);
    for (const char* k : {"dirty_memory_s", "get_dirty_log_s", "mmu_lock_wait_s"}) EXPECT_TRUE(it[k].is_number()) << k;
    EXPECT_TRUE(it["clear_dirty_log_s"].is_null()) << "-g: no KVM_CLEAR_DIRTY_LOG";
    for (const char* k : {"translation", "write_protect", "split"}) EXPECT_TRUE(it["faults"][k].is_number_unsigned());
    // linux-6.6-arm64 (the default): each write-protect fault relaxes in place with a
    // local TLBI; GET_DIRTY_LOG's flush is broadcast.
    EXPECT_EQ(it["tlbi"]["local"], it["faults"]["write_protect"]);
    EXPECT_GE(it["tlbi"]["broadcast"].get<unsigned>(), 1u);
    EXPECT_GT(it["dirty_memory_s"].get<double>(), 0.0);
  }
}

TEST(PerfTestCli, ShortOptionsTakeAttachedValues) {
  const CliResult a = run_s2sim("perf-test -g -q -v2 -b1M -i2 -w100");
  const CliResult b = run_s2sim(kSmall);
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(PerfTestCli, BadFlagsAreOneErrorLineAndWriteNothing) {
  struct Bad {
    std::string args, says;
  };
  const std::vector<Bad> cases = {
      {"-v 0", "-v"},
      {"-v 513", "[1, 512]"},
      {"-v", "needs a value"},
      {"-b 12x", "not a size"},
      {"-b 5000", "4 KiB guest page"},
      {"-b 0", "positive multiple"},
      {"-i 1", "-i"},
      {"-w 101", "-w"},
      {"-s bogus", "unknown backing"},
      {"-s anonymous_hugetlb_1gb", "1 GiB blocks"},
      {"--stride 100", "--stride"},
      {"--stride 2M", "at most -b"},
      {"--kernel linux-6.7-arm64", "unknown kernel profile"},
      {"--dirty-ring 1000", "--dirty-ring 1000 is not a power of two from 256 to 65536 entries"},
      {"--dirty-ring 128", "is not a power of two"},
      {"--dirty-ring 131072", "is not a power of two"},
      {"--kernel linux-5.17-arm64 --dirty-ring 4096", "no dirty ring"},
      {"--eager-split-chunk 3M", "supported block size"},
      {"--kernel linux-5.17-arm64 --eager-split-chunk 2M", "no eager page splitting"},
      {"--machine nosuch", "unknown machine"},
      {"--set kernel=linux-6.6-arm65", "did you mean \"linux-6.6-arm64\""},
      {"--seed x", "--seed"},
      {"--bogus", "unknown option"},
      {"config.json", "takes no config file"},
      {"--set nosuch=1", "nosuch"},
      {"--set workload.iterations=5", "iterations"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.args);
    const std::string out = temp_path("bad.json");
    const CliResult r = run_s2sim("perf-test -g -q -b 1M " + c.args + " --json '" + out + "'");
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_EQ(error_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
  }
  // Without -g an ARMv7 kernel would need KVM_CLEAR_DIRTY_LOG: refused, and says how to go on.
  const CliResult manual = run_s2sim("perf-test -q -b 1M --kernel linux-4.0-armv7 --machine cortex-a57");
  EXPECT_EQ(manual.status, 2);
  EXPECT_EQ(error_lines(manual.err), 1) << manual.err;
  EXPECT_NE(manual.err.find("KVM_CLEAR_DIRTY_LOG"), std::string::npos) << manual.err;
  EXPECT_NE(manual.err.find("-g"), std::string::npos) << manual.err;
  // The output directory must exist before anything runs.
  const CliResult dir = run_s2sim(kSmall + " --json /no/such/dir/x.json");
  EXPECT_EQ(dir.status, 2);
  EXPECT_EQ(error_lines(dir.err), 1) << dir.err;
}

// --dirty-ring: the collect lines take the place of get and clear, and the JSON says
// GET and CLEAR were not called (null) and what the ring did.
TEST(PerfTestCli, TheDirtyRingPrintsItsCollectionsInPlaceOfGetAndClear) {
  const std::string out = temp_path("ring.json");
  const CliResult r = run_s2sim("perf-test -q -v 2 -b 1M --dirty-ring 256 --json '" + out + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string ts = R"((\d+)\.(\d{9})s)";
  for (const char* n : {"1", "2"})
    EXPECT_TRUE(std::regex_search(r.out, std::regex(std::string("\nIteration ") + n + " collect dirty ring time: " + ts +
                                                    R"( \(\d+ collections?, \d+ soft-full exits\)\n)")))
        << r.out;
  EXPECT_EQ(r.out.find("get dirty log time"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Clear dirty log over"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Collect dirty ring over 2 iterations took "), std::string::npos) << r.out;
  const nlohmann::json doc = nlohmann::json::parse(read_file(out));
  EXPECT_EQ(doc["perf_test"]["dirty_ring_entries"], 256);
  for (const nlohmann::json& it : doc["iterations"]) {
    EXPECT_TRUE(it["get_dirty_log_s"].is_null());
    EXPECT_TRUE(it["clear_dirty_log_s"].is_null());
    // 2 vCPUs x 256 pages, and once more the page of each soft-full exit (its write
    // is retried after the reset protected it again).
    EXPECT_EQ(it["dirty_pages"], 512 + it["dirty_ring"]["soft_full_exits"].get<int>());
    EXPECT_GT(it["dirty_ring"]["soft_full_exits"], 0);
    EXPECT_GT(it["dirty_ring"]["collections"], 1);
    EXPECT_GT(it["dirty_ring"]["collect_s"], 0.0);
  }
}
