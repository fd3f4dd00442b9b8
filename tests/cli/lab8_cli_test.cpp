// Lab 8 from the outside: `lab show 8 --files`, `lab build 8` and `lab check 8` with
// their exit statuses (0 built or all right, 1 points lost, 2 a file that does not
// compile or cannot be graded: one error line, then the compiler's output).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/cli_runner.h"

namespace {

using s2sim::test::error_lines;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;

std::string lab8(const std::string& name) { return std::string(S2SIM_SOURCE_DIR) + "/tests/labs/lab8/" + name; }

TEST(Lab8Cli, ShowFilesBuildAndCheckTheStarter) {
  const std::string dir = temp_path("lab8");
  std::filesystem::create_directories(dir);
  const auto show = run_s2sim("lab show 8 --files '" + dir + "'");
  ASSERT_EQ(show.status, 0) << show.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/s2sim_walker.h"));
  const auto build = run_s2sim("lab build 8 '" + dir + "/walker.cpp'");
  ASSERT_EQ(build.status, 0) << build.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/walker.so")) << build.out;
  // The starter protects nothing: it compiles, and loses every point.
  const auto check = run_s2sim("lab check 8 '" + dir + "/walker.so' --json");
  EXPECT_EQ(check.status, 1) << check.err;
  EXPECT_NE(check.out.find("\"score\": 0"), std::string::npos) << check.out;
  std::filesystem::remove_all(dir);
}

TEST(Lab8Cli, TheReferenceBuildsAndPassesThroughTheCommandLine) {
  const std::string out = temp_path("ref.so");
  const auto build = run_s2sim("lab build 8 '" + lab8("reference_walker.cpp") + "' -o '" + out + "'");
  ASSERT_EQ(build.status, 0) << build.err;
  const auto check = run_s2sim("lab check 8 '" + out + "'");
  EXPECT_EQ(check.status, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("score: 10/10 points"), std::string::npos) << check.out;
  std::filesystem::remove(out);
}

TEST(Lab8Cli, AFileThatDoesNotCompileExits2WithOneErrorLineAndTheCompilersOutput) {
  for (const char* sub : {"build", "check"}) {
    const auto r = run_s2sim(std::string("lab ") + sub + " 8 '" + lab8("does_not_compile.cpp") + "'");
    EXPECT_EQ(r.status, 2) << sub;
    EXPECT_EQ(error_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find("does not compile"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("s2_read_ptd"), std::string::npos) << r.err;  // the compiler's own words follow
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(Lab8Cli, ACrashingWalkerIsGradedNotFatal) {
  const auto r = run_s2sim("lab check 8 '" + lab8("crashes.cpp") + "'");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("killed by signal"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("score: 0/10"), std::string::npos) << r.out;
}

// The watchdog from the outside: $S2SIM_LAB8_TIMEOUT_S=1 stops a walker that never
// returns; check reports it and exits 1. A limit that is no number of seconds is bad
// input (2), one error line.
TEST(Lab8Cli, AWalkerThatNeverReturnsIsStoppedAndGraded) {
  ASSERT_EQ(::setenv("S2SIM_LAB8_TIMEOUT_S", "1", 1), 0);
  const auto r = run_s2sim("lab check 8 '" + lab8("loops_forever.cpp") + "'");
  ASSERT_EQ(::setenv("S2SIM_LAB8_TIMEOUT_S", "soon", 1), 0);
  const auto bad = run_s2sim("lab check 8 '" + lab8("loops_forever.cpp") + "'");
  ::unsetenv("S2SIM_LAB8_TIMEOUT_S");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("your walker did not finish within 1 s (an endless loop?) and was killed"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("score: 0/10"), std::string::npos) << r.out;
  EXPECT_EQ(bad.status, 2) << bad.out;
  EXPECT_EQ(error_lines(bad.err), 1) << bad.err;
  EXPECT_EQ(bad.err.rfind("error: $S2SIM_LAB8_TIMEOUT_S: ", 0), 0u) << bad.err;
}

TEST(Lab8Cli, BadUsageExits2) {
  for (const std::string args : {"lab build 3 x.cpp", "lab build 8", "lab build 8 /nonexistent/walker.cpp",
                                 "lab check 8 /nonexistent/walker.cpp", "lab show 3 --files /tmp",
                                 "lab check 8 -", "lab build 8 x.cpp --json"}) {
    const auto r = run_s2sim(args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.out << r.err;
    EXPECT_EQ(error_lines(r.err), 1) << args << "\n" << r.err;
  }
}

}  // namespace
