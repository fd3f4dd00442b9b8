// Help, version and scenarios: `s2sim --version` is the CMake project version; `help
// CMD`, `CMD --help` and `CMD -h` print the same text for every command; each
// command's help names exactly the options it accepts; `s2sim scenarios` lists every
// shipped scenario, and a scenario runs by name, or is a located error when there is
// no such name.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "sim/cli/help.h"
#include "sim/config/scenarios.h"

namespace {

namespace fs = std::filesystem;
using s2sim::test::CliResult;
using s2sim::test::error_lines;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;

TEST(HelpCli, VersionIsTheProjectVersion) {
  const CliResult r = run_s2sim("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, std::string("s2sim ") + S2SIM_PROJECT_VERSION + "\n");
  EXPECT_TRUE(std::regex_match(std::string(S2SIM_PROJECT_VERSION), std::regex(R"(\d+\.\d+\.\d+)")));
}

TEST(HelpCli, EveryCommandHasTheSameHelpThreeWays) {
  const std::vector<std::string> commands = s2sim::sim::help_commands();
  for (const char* c : {"run", "compare", "decode", "lab", "scenarios", "help"})
    EXPECT_NE(std::find(commands.begin(), commands.end(), c), commands.end()) << c;
  const CliResult overview = run_s2sim("help");
  EXPECT_EQ(overview.status, 0);
  for (const std::string& c : commands) {
    SCOPED_TRACE(c);
    const CliResult a = run_s2sim("help " + c), b = run_s2sim(c + " --help"), d = run_s2sim(c + " -h");
    EXPECT_EQ(a.status, 0) << a.err;
    EXPECT_EQ(a.out.rfind("usage: s2sim " + c, 0), 0u) << a.out;
    EXPECT_EQ(a.out, std::string(s2sim::sim::command_help(c)));
    EXPECT_EQ(b.out, a.out);
    EXPECT_EQ(b.status, 0);
    EXPECT_EQ(d.out, a.out);
    EXPECT_NE(overview.out.find("  " + c + " "), std::string::npos) << "the overview lists it";
  }
}

TEST(HelpCli, UnknownCommandsAreErrors) {
  for (const char* args : {"help nope", "nope", "nope --help"}) {
    const CliResult r = run_s2sim(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_EQ(error_lines(r.err), 1) << args << ": " << r.err;
  }
}

// Every option each command accepts, with a valid value when it takes one. The
// command line ends in an argument that fails after all options were read, so that
// nothing runs: an option the command did not know would fail first, as "unknown
// option".
struct Accepted {
  std::string command;
  std::map<std::string, std::string> options;  // option -> its value ("" for a flag)
  std::string failing_tail;
};

std::vector<Accepted> accepted() {
  const std::string out = temp_path("out");
  return {
      {"run",
       {{"--set", "seed=2"}, {"--seed", "3"}, {"--json", out}, {"--csv", out}, {"--host-time", ""}, {"--html", out},
        {"--trace-events", out},
        {"--trace-events-limit", "5 --trace-events " + out}, {"--heartbeat", "1"}, {"--quiet", ""}, {"-q", ""}},
       "/no/such/dir/x.json"},
      {"compare",
       {{"--walkers", "v4,range"}, {"--apis", "get,clear"}, {"--hw-dirty", "none,hacdbs"}, {"--set", "seed=2"},
        {"--seed", "3"}, {"--json", out}, {"--csv", out}, {"--host-time", ""}, {"--html", out}, {"--heartbeat", "1"},
        {"--quiet", ""}, {"-q", ""}},
       "/no/such/dir/x.json"},
      {"sweep",
       {{"--out", out}, {"--jobs", "1"}, {"-j", "1"}, {"--csv", out}, {"--html", out}, {"--slurm", ""}, {"--submit", ""},
        {"--point", "0"}, {"--collect", ""}, {"--quiet", ""}, {"-q", ""}},
       "/no/such/spec.json"},
      {"perf-test",
       {{"-v", "2"}, {"-b", "1M"}, {"-i", "2"}, {"-s", "anonymous"}, {"-w", "50"}, {"-g", ""}, {"--stride", "4K"},
        {"--eager-split-chunk", "0"}, {"--dirty-ring", "16"}, {"--hw-dirty", "dbm"}, {"--machine", "cortex-a57"},
        {"--kernel", "linux-4.0-armv7"}, {"--set", "seed=2"}, {"--seed", "3"}, {"--json", out}, {"--quiet", ""},
        {"-q", ""}},
       "-s bogus"},
      {"decode", {{"--level", "2"}, {"--pa-bits", "48"}, {"--json", ""}}, "not-a-number"},
      {"lab show 999",
       {{"--seed", "4"}, {"--json", ""}, {"--config", ""}, {"--svg", out}, {"--level", "hard"}, {"--key", "lecture-key-2026"},
        {"--student", "s1"}, {"--files", out}},
       ""},
      // build's own option (lab 8).
      {"lab build 999", {{"-o", out}}, ""},
      // grade's own options (lab's help lists every subcommand's).
      {"lab grade 999", {{"--roster", out}, {"--answers", out}, {"--csv", out}}, ""},
  };
}

TEST(HelpCli, HelpNamesExactlyTheOptionsEachCommandAccepts) {
  for (const Accepted& c : accepted()) {
    SCOPED_TRACE(c.command);
    const std::string name = c.command.substr(0, c.command.find(' '));
    for (const auto& [option, value] : c.options) {
      const CliResult r = run_s2sim(c.command + " " + option + (value.empty() ? "" : " " + value) + " " + c.failing_tail);
      EXPECT_EQ(r.status, 2) << option << ": " << r.err;
      EXPECT_EQ(r.err.find("unknown option"), std::string::npos) << option << ": " << r.err;
    }
    // And the help's options block names these and no others: each line's option
    // column (before the description, which starts after two spaces).
    const std::string help = s2sim::sim::command_help(name);
    std::set<std::string> named, want;
    const std::size_t block = help.find("\noptions:\n");
    ASSERT_NE(block, std::string::npos) << help;
    std::istringstream lines(help.substr(block + 10));
    const std::regex opt(R"(--?[a-z][a-z-]*)");
    for (std::string line; std::getline(lines, line) && !line.empty();) {
      const std::size_t start = line.find_first_not_of(' ');
      const std::string column = line.substr(start, line.find("  ", start) - start);
      for (auto it = std::sregex_iterator(column.begin(), column.end(), opt); it != std::sregex_iterator(); ++it)
        named.insert(it->str());
    }
    named.erase("--help");
    named.erase("-h");
    // Every entry of the same command (lab's subcommands) together.
    for (const Accepted& same : accepted())
      if (same.command.substr(0, same.command.find(' ')) == name)
        for (const auto& [option, value] : same.options) want.insert(option);
    EXPECT_EQ(named, want) << help;
  }
  // lab's other subcommands take the same --seed; its ANSWERS may be "-".
  EXPECT_NE(std::string(s2sim::sim::command_help("lab")).find("ANSWERS"), std::string::npos);
}

TEST(HelpCli, ScenariosListsEveryShippedScenario) {
  const CliResult r = run_s2sim("scenarios");
  ASSERT_EQ(r.status, 0) << r.err;
  int n = 0;
  for (const auto& e : fs::directory_iterator(std::string(S2SIM_SOURCE_DIR) + "/configs/scenarios")) {
    if (e.path().extension() != ".json") continue;
    ++n;
    const std::string name = e.path().stem().string();
    EXPECT_NE(("\n" + r.out).find("\n" + name + " "), std::string::npos) << name;
  }
  EXPECT_GE(n, 9);
  // Each line carries the first sentence of the scenario's comment.
  EXPECT_NE(r.out.find("An almost idle guest: 2 vCPUs reading a 128 MiB memslot"),
            std::string::npos)
      << r.out;
}

TEST(HelpCli, FirstSentenceSkipsAbbreviations) {
  using s2sim::sim::first_sentence;
  EXPECT_EQ(first_sentence("One. Two."), "One.");
  EXPECT_EQ(first_sentence("Use it, i.e. do x. Then y."), "Use it, i.e. do x.");
  EXPECT_EQ(first_sentence("No period"), "No period");
  EXPECT_EQ(first_sentence("Ends here."), "Ends here.");
  EXPECT_EQ(first_sentence("Version 1.5 is out. More."), "Version 1.5 is out.");
}

TEST(HelpCli, AScenarioRunsByName) {
  const std::string by_name = temp_path("name.json"), by_path = temp_path("path.json");
  const CliResult a = run_s2sim("run idle-guest --quiet --json '" + by_name + "'");
  const CliResult b = run_s2sim("run configs/scenarios/idle-guest.json --quiet --json '" + by_path + "'");
  EXPECT_EQ(a.status, 0) << a.err;
  EXPECT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(a.out, "");  // --quiet: no report
  EXPECT_EQ(a.err, "");
  const std::string text = read_file(by_name);
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text, read_file(by_path));
  fs::remove(by_name);
  fs::remove(by_path);
}

TEST(HelpCli, AnUnknownScenarioIsALocatedError) {
  const CliResult r = run_s2sim("run database-zipff");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(error_lines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("error: database-zipff: no such config file, nor a shipped scenario", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("did you mean \"database-zipf\"?"), std::string::npos) << r.err;
  // A path with a directory is a file that is missing.
  const CliResult p = run_s2sim("run no/such.json");
  EXPECT_EQ(p.status, 2);
  EXPECT_EQ(p.err.rfind("error: no/such.json: ", 0), 0u) << p.err;
}

}  // namespace
