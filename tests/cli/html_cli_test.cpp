// --html from the command line: written like the other outputs, so a path that
// cannot be written is refused before the run (exit 2, one error line, no other file
// written), and a run that fails on its input writes no page.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using s2sim::test::CliResult;
using s2sim::test::error_lines;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;

TEST(HtmlCli, AnUnwritablePathIsRefusedBeforeTheRun) {
  const std::string json = temp_path("r.json"), dir = temp_path("adir");
  fs::create_directories(dir);
  const std::vector<std::string> commands{"run tests/data/configs/small.json",
                                          "compare tests/data/configs/small.json --walkers v4"};
  for (const std::string& cmd : commands) {
    for (const std::string& html : {std::string("/no/such/dir/r.html"), dir}) {
      SCOPED_TRACE(cmd + " --html " + html);
      const CliResult r = run_s2sim(cmd + " --json '" + json + "' --html '" + html + "'");
      EXPECT_EQ(r.status, 2);
      EXPECT_EQ(error_lines(r.err), 1) << r.err;
      EXPECT_EQ(r.err.rfind("error: " + html + ": cannot write", 0), 0u) << r.err;
      EXPECT_EQ(r.out, "");
      EXPECT_FALSE(fs::exists(json)) << "nothing is written";
    }
  }
  fs::remove_all(dir);
}

TEST(HtmlCli, BadInputWritesNoPage) {
  const std::string html = temp_path("r.html");
  const CliResult r = run_s2sim("run tests/data/configs/small.json --set vcpus=0 --html '" + html + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(fs::exists(html));
  const CliResult ok = run_s2sim("run tests/data/configs/small.json --quiet --html '" + html + "'");
  EXPECT_EQ(ok.status, 0);
  EXPECT_EQ(read_file(html).rfind("<!DOCTYPE html>", 0), 0u);
  fs::remove(html);
}

}  // namespace
