// Progress that works in logs: off a terminal (as here, stderr is a file) a run
// longer than the heartbeat interval prints heartbeat lines on stderr; they never
// change the result JSON; --heartbeat 0 turns them off; --quiet silences progress and
// the report; a bad interval is a located error.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "cli/cli_runner.h"
#include "sim/cli/progress.h"

namespace {

namespace fs = std::filesystem;
using s2sim::sim::ProgressReporter;
using s2sim::sim::RunProgress;
using s2sim::test::CliResult;
using s2sim::test::error_lines;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;

int lines_starting(const std::string& text, const std::string& prefix) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) n += line.rfind(prefix, 0) == 0;
  return n;
}

// The built-in default: millions of steps, so many progress callbacks.
struct DefaultRun {
  CliResult cli;
  std::string json;
};
DefaultRun run_default(const std::string& options) {
  const std::string out = temp_path("result.json");
  DefaultRun r{run_s2sim("run --json '" + out + "' " + options), ""};
  r.json = read_file(out);
  fs::remove(out);
  return r;
}

TEST(ProgressCli, HeartbeatsInLogsChangeNoResult) {
  const DefaultRun beating = run_default("--heartbeat 0.001");
  const DefaultRun off = run_default("--heartbeat 0");
  ASSERT_EQ(beating.cli.status, 0) << beating.cli.err;
  ASSERT_EQ(off.cli.status, 0) << off.cli.err;
  EXPECT_GE(lines_starting(beating.cli.err, "heartbeat: "), 2) << beating.cli.err;
  EXPECT_EQ(lines_starting(beating.cli.err, "heartbeat: "), lines_starting(beating.cli.err, ""))
      << "nothing else on stderr: " << beating.cli.err;
  EXPECT_NE(beating.cli.err.find("% of the workload read, simulated "), std::string::npos);
  EXPECT_NE(beating.cli.err.find(", host "), std::string::npos);
  EXPECT_NE(beating.cli.err.find(", round "), std::string::npos) << "the default migrates";
  EXPECT_EQ(beating.cli.err.find('\r'), std::string::npos) << "no terminal line in a log";
  EXPECT_NE(beating.cli.out.find("verify: OK"), std::string::npos);
  ASSERT_FALSE(beating.json.empty());
  EXPECT_EQ(beating.json, off.json);
  // --heartbeat 0: no progress at all, the report as usual.
  EXPECT_EQ(off.cli.err, "");
  EXPECT_EQ(off.cli.out, beating.cli.out);
}

TEST(ProgressCli, QuietWritesOnlyTheFilesAskedFor) {
  const std::string out = temp_path("quiet.json"), loud = temp_path("loud.json");
  const CliResult q = run_s2sim("run tests/data/configs/small.json --quiet --heartbeat 0.001 --json '" + out + "'");
  const CliResult l = run_s2sim("run tests/data/configs/small.json --json '" + loud + "'");
  EXPECT_EQ(q.status, 0);
  EXPECT_EQ(q.out, "");
  EXPECT_EQ(q.err, "");
  EXPECT_NE(l.out.find("verify: OK"), std::string::npos);
  EXPECT_FALSE(read_file(out).empty());
  EXPECT_EQ(read_file(out), read_file(loud));
  fs::remove(out);
  fs::remove(loud);
}

TEST(ProgressCli, BadIntervalsAreErrors) {
  for (const char* v : {"-1", "abc", "1e9", "", "nan"}) {
    const CliResult r = run_s2sim(std::string("run --heartbeat '") + v + "'");
    EXPECT_EQ(r.status, 2) << v;
    EXPECT_EQ(error_lines(r.err), 1) << v << ": " << r.err;
    EXPECT_EQ(r.err.rfind("error: run --heartbeat: ", 0), 0u) << r.err;
  }
}

TEST(ProgressCli, ATerminalGetsOneLiveLine) {
  // script(1) runs s2sim with stderr on a pseudo-terminal and logs what it printed.
  const std::string log = temp_path("tty.log"), out = temp_path("tty.json");
  const std::string cmd = std::string("cd '") + S2SIM_SOURCE_DIR + "' && script -qfec \"'" + S2SIM_BINARY +
                          "' run tests/data/configs/small.json --json '" + out + "' >/dev/null\" '" + log +
                          "' >/dev/null 2>&1 </dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string tty = read_file(log);
  // The line is drawn in place ("\r", erase to the end of line) and erased at the end;
  // no heartbeat, no newline of its own.
  EXPECT_NE(tty.find("\r\033[K  "), std::string::npos) << tty;
  EXPECT_NE(tty.find("% of the workload read, simulated "), std::string::npos) << tty;
  EXPECT_EQ(tty.find("heartbeat:"), std::string::npos) << tty;
  EXPECT_FALSE(read_file(out).empty());
  fs::remove(log);
  fs::remove(out);
}

TEST(ProgressLine, SaysWhatIsKnown) {
  RunProgress p;
  p.simulated_seconds = 1.5;
  p.fraction = 0.25;
  p.round = 3;
  p.migrating = true;
  EXPECT_EQ(ProgressReporter::describe(p, 10.0, ""),
            "25.0 % of the workload read, simulated 1.500 s, round 3, host 10.0 s, ETA 30.0 s");
  EXPECT_EQ(ProgressReporter::describe(p, 600.0, "walker v4 (1/4)"),
            "walker v4 (1/4): 25.0 % of the workload read, simulated 1.500 s, round 3, host 10.0 min, ETA 30.0 min");
  // A trace from a pipe: no share known, so no ETA; before migration, no round.
  p.fraction = -1;
  p.migrating = false;
  EXPECT_EQ(ProgressReporter::describe(p, 2.0, ""), "simulated 1.500 s, host 2.0 s");
}

}  // namespace
