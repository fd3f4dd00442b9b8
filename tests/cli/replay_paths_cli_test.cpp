// A result's resolved config replays from wherever it is saved: a trace named by a
// relative path in the config is an absolute path in the result's `config` member.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;

TEST(ReplayPaths, ResolvedConfigSavedElsewhereReplaysTheSameResult) {
  const std::string dir = s2sim::test::temp_path("replay");
  fs::create_directories(dir + "/elsewhere");
  // tests/data/configs/trace-native.json names its trace relative to itself.
  const std::string first = dir + "/first.json", second = dir + "/second.json";
  const auto r1 = run_s2sim("run tests/data/configs/trace-native.json --quiet --json " + first);
  ASSERT_EQ(r1.status, 0) << r1.err;
  const json result = json::parse(read_file(first));
  const std::string path = result["config"]["workload"]["path"];
  EXPECT_TRUE(fs::path(path).is_absolute()) << path;
  EXPECT_TRUE(fs::exists(path)) << path;

  const std::string saved = dir + "/elsewhere/config.json";
  std::ofstream(saved) << result["config"].dump(2) << "\n";
  const auto r2 = run_s2sim("run " + saved + " --quiet --json " + second);
  ASSERT_EQ(r2.status, 0) << r2.err;
  EXPECT_EQ(json::parse(read_file(second))["config"], result["config"]);
  EXPECT_EQ(json::parse(read_file(second)), result) << "the same config and seed: the same result";
  fs::remove_all(dir);
}

}  // namespace
