// Running sweep points (sim/cli/sweep_exec.h): a point that crashes or fails is
// recorded with its exit status and error line and the others go on; the table then
// shows each point as it ended. The points run through a stand-in for s2sim that
// crashes or fails for chosen points and runs the real binary for the rest.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "sim/cli/sweep_exec.h"
#include "sim/cli/sweep_spec.h"
#include "sim/cli/sweep_store.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace s2sim::sim;
using s2sim::test::read_file;
using s2sim::test::temp_path;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class SweepExec : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_path("sweepexec");
    fs::create_directories(dir_);
    spec_path_ = dir_ + "/spec.json";
    std::ofstream(spec_path_) << R"({"base": ")" S2SIM_SOURCE_DIR R"(/tests/data/configs/small.json",
                                     "axes": {"vcpus": [1, 2, 3, 4]}, "seeds": [1]})";
    // vcpus=2 dies by SIGSEGV, vcpus=3 fails as bad input does (a progress line, then
    // the error line); the others run s2sim itself.
    fake_ = dir_ + "/fake-s2sim";
    std::ofstream(fake_) << "#!/bin/sh\n"
                            "case \"$*\" in\n"
                            "  *vcpus=2*) kill -s SEGV $$ ;;\n"
                            "  *vcpus=3*) printf 'simulated 1 s ...\\r' >&2; echo 'error: t.txt:3: not a lackey line' >&2; exit 2 ;;\n"
                            "esac\n"
                            "exec '" S2SIM_BINARY "' \"$@\"\n";
    fs::permissions(fake_, fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_, spec_path_, fake_;
};

TEST_F(SweepExec, FailingPointsAreRecordedAndTheRestGoOn) {
  const SweepSpec spec = load_sweep_spec(spec_path_, dir_ + "/out");
  const SweepDir dir(spec, dir_ + "/out");
  dir.prepare();
  std::vector<std::size_t> ended;
  run_points(fake_, spec, dir, {0, 1, 2, 3}, 2, [&](const SweepPoint& p, const PointStatus&) { ended.push_back(p.index); });
  std::sort(ended.begin(), ended.end());
  EXPECT_EQ(ended, (std::vector<std::size_t>{0, 1, 2, 3}));

  const std::optional<PointStatus> ok = dir.read_status(sweep_point(spec, 0));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->exit_status, 0);
  EXPECT_EQ(ok->error, "");
  EXPECT_TRUE(dir.done(sweep_point(spec, 0)));
  EXPECT_TRUE(dir.done(sweep_point(spec, 3)));

  const std::optional<PointStatus> crashed = dir.read_status(sweep_point(spec, 1));
  ASSERT_TRUE(crashed);
  EXPECT_EQ(crashed->exit_status, 128 + SIGSEGV);
  EXPECT_EQ(crashed->error.rfind("killed by signal 11 (Segmentation fault)", 0), 0u) << crashed->error;
  EXPECT_FALSE(dir.done(sweep_point(spec, 1)));

  const std::optional<PointStatus> bad = dir.read_status(sweep_point(spec, 2));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->exit_status, 2);
  EXPECT_EQ(bad->error, "t.txt:3: not a lackey line");
  EXPECT_FALSE(dir.done(sweep_point(spec, 2)));

  // No stderr capture is left behind.
  for (const auto& e : fs::directory_iterator(dir.dir() + "/points"))
    EXPECT_EQ(e.path().string().find(".stderr"), std::string::npos) << e.path();

  const SweepTable t = collect_sweep(spec, dir);
  EXPECT_EQ(t.ok, 2u);
  EXPECT_EQ(t.failed, 2u);
  EXPECT_EQ(t.missing, 0u);
  const std::vector<std::string> rows = lines(t.csv);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].rfind("vcpus,seed,total_ms,", 0), 0u);
  // A failed point: its axis values and seed, empty metrics, its exit status, its host time.
  EXPECT_EQ(rows[2].rfind("2,1,,,,,,,,,,,,,,139,", 0), 0u) << rows[2];
  EXPECT_EQ(rows[3].rfind("3,1,,,,,,,,,,,,,,2,", 0), 0u) << rows[3];
  EXPECT_EQ(rows[1].rfind("1,1,", 0), 0u);
  EXPECT_EQ(rows[1].find(",,"), std::string::npos) << rows[1];  // every cell filled
  const std::vector<std::string> jl = lines(t.jsonl);
  ASSERT_EQ(jl.size(), 4u);
  const json failed = json::parse(jl[2]);
  EXPECT_EQ(failed["point"], 2);
  EXPECT_EQ(failed["exit_status"], 2);
  EXPECT_EQ(failed["error"], "t.txt:3: not a lackey line");
  EXPECT_TRUE(failed["result"].is_null());
  EXPECT_TRUE(failed["metrics"].is_null());
  const json good = json::parse(jl[3]);
  EXPECT_EQ(good["axes"], json::parse(R"({"vcpus": 4})"));
  EXPECT_EQ(good["result"], "points/0003_vcpus=4_seed=1.result.json");
  EXPECT_TRUE(good["error"].is_null());
  EXPECT_EQ(good["metrics"]["lost_writes"], 0);
}

TEST_F(SweepExec, APointIsTheSameProcessAsS2simRunWithItsOverrides) {
  const SweepSpec spec = load_sweep_spec(spec_path_, dir_ + "/out");
  const SweepDir dir(spec, dir_ + "/out");
  const SweepPoint p = sweep_point(spec, 3);
  EXPECT_EQ(point_command(spec, dir, p),
            (std::vector<std::string>{"run", S2SIM_SOURCE_DIR "/tests/data/configs/small.json", "--set", "vcpus=4",
                                      "--seed", "1", "--json", dir.dir() + "/points/0003_vcpus=4_seed=1.result.json",
                                      "--quiet"}));
}

TEST(SweepPointStatus, ExitStatusAndErrorLineFromWhatTheProcessLeft) {
  const PointStatus ok = point_status(W_EXITCODE(0, 0), "", 0.5);
  EXPECT_EQ(ok.exit_status, 0);
  EXPECT_EQ(ok.error, "");
  EXPECT_DOUBLE_EQ(ok.host_seconds, 0.5);
  // The last "error:" line wins over later noise; a live progress line's last state counts.
  const PointStatus bad = point_status(W_EXITCODE(2, 0), "  simulated 0.1 s\r\033[K\rerror: a.json: /vcpus: bad\nbye\n", 1);
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_EQ(bad.error, "a.json: /vcpus: bad");
  // Without an error line, the last line said.
  EXPECT_EQ(point_status(W_EXITCODE(3, 0), "one\ntwo\n\n", 1).error, "two");
  const PointStatus killed = point_status(W_EXITCODE(0, SIGKILL), "", 1);
  EXPECT_EQ(killed.exit_status, 128 + SIGKILL);
  EXPECT_EQ(killed.error, "killed by signal 9 (Killed)");
  const PointStatus aborted = point_status(W_EXITCODE(0, SIGABRT), "terminate called after throwing\n", 1);
  EXPECT_EQ(aborted.error, "killed by signal 6 (Aborted): terminate called after throwing");
}

}  // namespace
