// Sweep specs (sim/cli/sweep_spec.h): the points and their order, slugs, overrides,
// and every kind of bad spec refused with an error located in the spec.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "sim/cli/sweep_spec.h"
#include "util/input_error.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace s2sim::sim;
using s2sim::InputError;
using s2sim::test::temp_path;
using s2sim::test::write_temp;

const std::string kSmall = std::string(S2SIM_SOURCE_DIR) + "/tests/data/configs/small.json";  // seed 7

SweepSpec load(const std::string& text) {
  const std::string path = write_temp("spec.json", text);
  SweepSpec s = load_sweep_spec(path, temp_path("out"));
  std::remove(path.c_str());
  return s;
}

// The error a spec is refused with ("" if it loads), its file name replaced by SPEC.
std::string refusal(const std::string& text) {
  const std::string path = write_temp("spec.json", text);
  std::string msg;
  try {
    load_sweep_spec(path, temp_path("out"));
  } catch (const InputError& e) {
    msg = e.message();
    if (msg.rfind(path, 0) == 0) msg = "SPEC" + msg.substr(path.size());
  }
  std::remove(path.c_str());
  return msg;
}

std::string with_base(const std::string& rest) { return R"({"base": ")" + kSmall + "\"" + rest + "}"; }

TEST(SweepSpec, PointsAreTheProductOfTheAxesTimesTheSeedsSeedFastestFirstAxisSlowest) {
  const SweepSpec s = load(with_base(R"(, "axes": {"dirty_log.walker": ["v4", "range"], "vcpus": [1, 2, 3]},
                                         "seeds": [5, 6])"));
  ASSERT_EQ(s.points, 12u);
  ASSERT_EQ(s.axes.size(), 2u);
  std::set<std::vector<std::size_t>> seen;
  for (std::size_t i = 0; i < s.points; ++i) {
    const SweepPoint p = sweep_point(s, i);
    EXPECT_EQ(p.index, i);
    // Nested loops in the spec's order, seeds innermost.
    EXPECT_EQ(p.seed, i % 2 == 0 ? 5u : 6u);
    EXPECT_EQ(p.value[1], (i / 2) % 3);
    EXPECT_EQ(p.value[0], i / 6);
    seen.insert({p.value[0], p.value[1], static_cast<std::size_t>(p.seed)});
  }
  EXPECT_EQ(seen.size(), 12u);  // every combination exactly once
  const SweepPoint last = sweep_point(s, 11);
  EXPECT_EQ(point_overrides(s, last), (std::vector<std::string>{"dirty_log.walker=\"range\"", "vcpus=3"}));
  EXPECT_EQ(point_slug(s, last), "0011_walker=range_vcpus=3_seed=6");
  EXPECT_EQ(point_axes(s, last).dump(), R"({"dirty_log.walker":"range","vcpus":3})");
}

TEST(SweepSpec, AxesKeepTheOrderWrittenNotAlphabetical) {
  const SweepSpec s = load(with_base(R"(, "axes": {"vcpus": [1, 2], "dirty_log.walker": ["v4", "range"]})"));
  ASSERT_EQ(s.axes.size(), 2u);
  EXPECT_EQ(s.axes[0].path, "vcpus");
  EXPECT_EQ(s.axes[1].path, "dirty_log.walker");
  EXPECT_EQ(point_slug(s, sweep_point(s, 1)), "0001_vcpus=1_walker=range_seed=7");
}

TEST(SweepSpec, WithoutSeedsEveryPointRunsTheBasesSeedWithoutAxesOnePointPerSeed) {
  const SweepSpec a = load(with_base(R"(, "axes": {"vcpus": [1, 2]})"));
  EXPECT_EQ(a.seeds, std::vector<std::uint64_t>{7});
  EXPECT_EQ(a.points, 2u);
  const SweepSpec b = load(with_base(R"(, "seeds": [3, 1, 2])"));
  EXPECT_EQ(b.points, 3u);
  EXPECT_EQ(sweep_point(b, 1).seed, 1u);
  EXPECT_TRUE(point_overrides(b, sweep_point(b, 1)).empty());
  EXPECT_EQ(point_slug(b, sweep_point(b, 2)), "0002_seed=2");
}

TEST(SweepSpec, OverridesCarryEachValueAsJsonAndSlugsAreFileNameSafe) {
  const SweepSpec s = load(with_base(R"(, "axes": {"/migration/stop_rule": [{"kind": "qemu", "downtime_limit_ms": 30}],
                                                    "migration.link_gbps": [2.5], "comment": ["a b/c"]})"));
  const SweepPoint p = sweep_point(s, 0);
  EXPECT_EQ(point_overrides(s, p),
            (std::vector<std::string>{R"(/migration/stop_rule={"downtime_limit_ms":30,"kind":"qemu"})",
                                      "migration.link_gbps=2.5", R"(comment="a b/c")"}));
  const std::string slug = point_slug(s, p);
  EXPECT_EQ(slug.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+="),
            std::string::npos)
      << slug;
  EXPECT_EQ(slug.rfind("0000_stop_rule=", 0), 0u) << slug;
  EXPECT_NE(slug.find("_link_gbps=2.5_comment=a_b_c_seed=7"), std::string::npos) << slug;
}

TEST(SweepSpec, IndexesArePaddedToTheWidthOfTheLargest) {
  std::string values;
  for (int i = 0; i < 120; ++i) values += (i ? "," : "") + std::to_string(1000 + i);
  const SweepSpec s = load(with_base(R"(, "axes": {"workload.think_cycles": [)" + values + R"(]}, "seeds": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94])"));
  ASSERT_EQ(s.points, 11280u);
  EXPECT_EQ(point_slug(s, sweep_point(s, 3)).substr(0, 6), "00003_");
  EXPECT_EQ(point_slug(s, sweep_point(s, 11279)).substr(0, 6), "11279_");
}

TEST(SweepSpec, BaseByPathIsRelativeToTheSpecInlineBaseRunsFromTheSweepDirectory) {
  const std::string dir = temp_path("specdir");
  fs::create_directories(dir + "/sub");
  fs::copy_file(kSmall, dir + "/sub/base.json");
  std::ofstream(dir + "/spec.json") << R"({"base": "sub/base.json"})";
  const SweepSpec by_path = load_sweep_spec(dir + "/spec.json", temp_path("out"));
  EXPECT_EQ(by_path.base_path, (fs::path(dir) / "sub/base.json").lexically_normal().string());
  EXPECT_EQ(by_path.base["seed"], 7);
  fs::remove_all(dir);

  const SweepSpec inline_base = load(R"({"base": {"memslots": [{"base_gfn": 524288, "npages": 1024}],
                                          "workload": {"kind": "uniform", "ops": 100}}})");
  EXPECT_TRUE(inline_base.base_path.empty());
  EXPECT_EQ(inline_base.seeds, std::vector<std::uint64_t>{1});  // the config default
}

TEST(SweepSpec, ATraceFromStdinOrAPipeIsRefused) {
  const std::string dir = temp_path("fifo");
  fs::create_directories(dir);
  ASSERT_EQ(::mkfifo((dir + "/ops").c_str(), 0600), 0);
  for (const std::string& path : {std::string("-"), dir + "/ops"}) {
    SCOPED_TRACE(path);
    const std::string msg = refusal(R"({"base": {"memslots": [{"base_gfn": 524288, "npages": 1024}],
                                              "workload": {"kind": "trace", "format": "native", "path": ")" +
                                    path + R"("}}})");
    EXPECT_EQ(msg, "SPEC: /base: /workload/path: every sweep point reads the trace anew, so it must be a file, not "
                   "stdin or a pipe");
  }
  fs::remove_all(dir);
}

struct BadSpec {
  const char* text;  // %BASE% stands for the small config's path
  const char* where;  // the message starts with "SPEC: " + this
};

TEST(SweepSpec, BadSpecsAreRefusedWithTheirPlaceInTheSpec) {
  const std::vector<BadSpec> cases = {
      {R"([1, 2])", "a sweep spec is a JSON object"},
      {R"({"base": "%BASE%",)", ""},  // JSON syntax: SPEC:LINE:COLUMN
      {R"({})", "/: missing \"base\""},
      {R"({"base": 3})", "/base: must be a config file path"},
      {R"({"base": ""})", "/base: must be a config file path"},
      {R"({"base": "no-such-config.json"})", "/base: "},
      {R"({"base": {"vcpus": 2}})", "/base: /memslots: "},
      {R"({"base": "%BASE%", "axez": {}})", "/axez: unknown key"},
      {R"({"base": "%BASE%", "axes": []})", "/axes: must be an object"},
      {R"({"base": "%BASE%", "axes": {"vcpus": []}})", "/axes/vcpus: must be a non-empty array"},
      {R"({"base": "%BASE%", "axes": {"vcpus": 2}})", "/axes/vcpus: must be a non-empty array"},
      {R"({"base": "%BASE%", "axes": {"": [1]}})", "/axes/: an axis needs a --set path"},
      {R"({"base": "%BASE%", "axes": {"seed": [1, 2]}})", "/axes/seed: seeds are given by \"seeds\""},
      {R"({"base": "%BASE%", "axes": {"vcpus": [1, 2, 1]}})", "/axes/vcpus/2: repeats value 0"},
      {R"({"base": "%BASE%", "axes": {"nosuch.key": [1]}})", "/axes/nosuch.key/0: --set nosuch.key=1: no such key"},
      {R"({"base": "%BASE%", "axes": {"dirty_log.walker": ["v4", "v5"]}})",
       "/axes/dirty_log.walker/1: " S2SIM_SOURCE_DIR "/tests/data/configs/small.json: /dirty_log/walker: unknown walker"},
      {R"({"base": "%BASE%", "axes": {"vcpus": [1, 0]}})", "/axes/vcpus/1: "},
      {R"({"base": "%BASE%", "axes": {"workload.kind": ["zipf", "hotset"]}})", "/axes/workload.kind/0: "},
      // Each value is fine on its own; together they are not (pages past the memslot).
      {R"({"base": "%BASE%", "axes": {"memslots.0.npages": [8192, 2048], "workload.pages": [1024, 4096]}})",
       "/axes: point 3 (0003_npages=2048_pages=4096_seed=7) is not a valid config: "},
      {R"({"base": "%BASE%", "seeds": []})", "/seeds: must name at least one seed"},
      {R"({"base": "%BASE%", "seeds": [1, -2]})", "/seeds/1: a seed is a non-negative integer"},
      {R"({"base": "%BASE%", "seeds": [1, "2"]})", "/seeds/1: a seed is a non-negative integer"},
      {R"({"base": "%BASE%", "seeds": [4, 4]})", "/seeds/1: seed 4 is given twice"},
      {R"({"base": "%BASE%", "seeds": 4})", "/seeds: must be an array"},
  };
  for (const BadSpec& c : cases) {
    std::string text = c.text;
    if (const auto at = text.find("%BASE%"); at != std::string::npos) text.replace(at, 6, kSmall);
    const std::string msg = refusal(text);
    SCOPED_TRACE(text);
    ASSERT_FALSE(msg.empty()) << "accepted";
    EXPECT_EQ(msg.rfind(std::string("SPEC") + (*c.where ? ": " : ":") + c.where, 0), 0u) << msg;
  }
}

TEST(SweepSpec, ShippedSpecsAreValid) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(std::string(S2SIM_SOURCE_DIR) + "/configs/sweeps")) {
    SCOPED_TRACE(e.path().string());
    const SweepSpec s = load_sweep_spec(e.path().string(), temp_path("out"));
    EXPECT_GT(s.points, 1u);
    EXPECT_FALSE(s.base_path.empty());
    ++n;
  }
  EXPECT_GE(n, 1u);
  const SweepSpec tests = load_sweep_spec(std::string(S2SIM_SOURCE_DIR) + "/tests/data/sweeps/small.json", temp_path("out"));
  EXPECT_EQ(tests.points, 8u);
}

TEST(SweepSpec, TooManyPointsAreRefusedBeforeAnyConfigIsBuilt) {
  std::string values;
  for (int i = 0; i < 1001; ++i) values += (i ? "," : "") + std::to_string(i + 1);
  const std::string msg = refusal(with_base(R"(, "axes": {"a": [)" + values + R"(], "b": [)" + values + "]}"));
  EXPECT_EQ(msg, "SPEC: /axes: more than 1000000 points");
}

}  // namespace
