// `s2sim lab` from the outside: exit codes, one error line for bad input, the
// solve -> check round trip, and every ```sh command in the lab handouts run as
// written (expecting exit 0, or the code a "# exits N" comment documents).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_runner.h"

namespace {

using s2sim::test::error_lines;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;
using s2sim::test::write_temp;

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(LabCli, ListShowsEightLabsAllWritten) {
  const auto r = run_s2sim("lab list");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(count_lines(r.out), 8) << r.out;
  EXPECT_EQ(r.out.find("coming"), std::string::npos) << r.out;
  for (const char* name : {"descriptor-anatomy", "walk-the-tables", "the-masked-walk", "order-matters", "find-the-bug",
                           "tune-the-migration", "faults-in-parallel", "write-a-walker"})
    EXPECT_NE(r.out.find(name), std::string::npos) << name;
  EXPECT_TRUE(r.err.empty());
}

TEST(LabCli, ShowIsDeterministicAndSeedOneIsTheDefault) {
  for (int lab : {1, 2, 3}) {
    const std::string n = std::to_string(lab);
    const auto a = run_s2sim("lab show " + n + " --seed 11");
    const auto b = run_s2sim("lab show " + n + " --seed 11");
    const auto c = run_s2sim("lab show " + n + " --seed 12");
    ASSERT_EQ(a.status, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_NE(a.out, c.out);
    EXPECT_NE(a.out.find("q1"), std::string::npos);
    EXPECT_EQ(run_s2sim("lab show " + n).out, run_s2sim("lab show " + n + " --seed 1").out);
    const auto j = run_s2sim("lab show " + n + " --seed 11 --json");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["schema"], "s2sim.lab/1");
    EXPECT_EQ(doc["lab"], lab);
    EXPECT_EQ(doc["seed"], 11);
    EXPECT_FALSE(doc["questions"].empty());
  }
}

TEST(LabCli, SolveOutputChecksWithFullMarks) {
  for (int lab : {1, 2, 3}) {
    const std::string n = std::to_string(lab);
    const auto s = run_s2sim("lab solve " + n + " --seed 99");
    ASSERT_EQ(s.status, 0) << s.err;
    const std::string path = write_temp("solve" + n + ".txt", s.out);
    const auto c = run_s2sim("lab check " + n + " --seed 99 '" + path + "'");
    EXPECT_EQ(c.status, 0) << c.out << c.err;
    EXPECT_NE(c.out.find("score: "), std::string::npos);
    EXPECT_EQ(c.out.find("wrong"), std::string::npos) << c.out;
    // The file names its seed: checked against another seed it is an input error...
    const auto other = run_s2sim("lab check " + n + " --seed 98 '" + path + "'");
    EXPECT_EQ(other.status, 2);
    EXPECT_NE(other.err.find("seed: the file says 99, the command line 98"), std::string::npos) << other.err;
    // ... and without a seed on the command line the file's own is used.
    EXPECT_EQ(run_s2sim("lab check " + n + " '" + path + "'").status, 0);
    // The bare answers against another seed's problem are (almost surely) not all right.
    std::string bare;
    std::istringstream lines(s.out);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("q", 0) == 0) bare += line + "\n";
    const std::string bare_path = write_temp("bare" + n + ".txt", bare);
    EXPECT_EQ(run_s2sim("lab check " + n + " --seed 98 '" + bare_path + "'").status, 1);
    std::remove(bare_path.c_str());
    // Answers on stdin ("-"); run_s2sim gives the binary /dev/null as stdin, so pipe here.
    const std::string piped = "cat '" + path + "' | '" + S2SIM_BINARY + "' lab check " + n + " --seed 99 - >/dev/null";
    const int raw = std::system(piped.c_str());
    EXPECT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 0) << piped;
    std::remove(path.c_str());
  }
}

TEST(LabCli, WrongAndMissingAnswersExitOneWithHints) {
  const std::string path = write_temp("wrong.txt", "# a start\nq1: page\nq2: 0x1000\n");
  const auto r = run_s2sim("lab check 1 --seed 5 '" + path + "'");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("q3   missing"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("score: "), std::string::npos);
  EXPECT_NE(r.out.find("s2sim lab solve 1 --seed 5"), std::string::npos);
  EXPECT_TRUE(r.err.empty());
  std::remove(path.c_str());
}

TEST(LabCli, BadUsageIsOneErrorLineExitTwo) {
  for (const char* args : {"lab",
                           "lab frob",
                           "lab list extra",
                           "lab show",
                           "lab show 9",
                           "lab show 0",
                           "lab show x",
                           "lab show 1 --seed",
                           "lab show 1 --seed -3",
                           "lab show 1 --seed 0x",
                           "lab show 1 --bogus",
                           "lab show 1 2",
                           "lab solve 1 --json",
                           "lab check 1",
                           "lab check 1 /nonexistent/answers.txt",
                           "lab check 5 a.txt",
                           "lab check 6 /nonexistent/my.json",
                           "lab check 6",
                           "lab show 5 --config",
                           "lab solve 4 --config",
                           "lab show 4 --json --config",
                           "lab check 4 --config a.txt"}) {
    const auto r = run_s2sim(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_EQ(error_lines(r.err), 1) << args << ": " << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args << ": " << r.out;
  }
}

TEST(LabCli, AnswerFileSyntaxErrorNamesFileAndLine) {
  struct Case {
    const char* text;
    const char* where;  // expected "file:line: ..." suffix of the error's place
  };
  for (const Case& c :
       {Case{"q1: page\nq2 0x1000\n", ":2: expected \"qN: value\""},
        Case{"# c\n\nq1: blok\n", ":3: q1: \"blok\" is not page, block, table or invalid"},
        Case{"q1: page\nq1: block\n", ":2: q1 is answered twice"},
        Case{"q99: 1\n", ":1: q99: lab 1 has questions q1 to q21"}, Case{"q2: 0xZZ\n", ":1: q2: \"0xZZ\" is not"}}) {
    const std::string path = write_temp("syntax.txt", c.text);
    const auto r = run_s2sim("lab check 1 '" + path + "'");
    EXPECT_EQ(r.status, 2) << c.text;
    EXPECT_EQ(error_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("error: " + path + c.where, 0), 0u) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;  // nothing graded half-way
    std::remove(path.c_str());
  }
}

// --- the handouts' commands ---------------------------------------------------------

struct DocCommand {
  std::string text;  // one shell command, possibly several lines (a here-document)
  int expect = 0;    // from a "# exits N" comment, else 0
  int line = 0;
};

// The commands of every ```sh block: one a line, except that a line ending in "\"
// continues and a here-document runs to its terminator.
std::vector<DocCommand> sh_commands(const std::string& markdown) {
  std::vector<DocCommand> out;
  std::istringstream in(markdown);
  bool in_sh = false;
  int lineno = 0;
  std::string heredoc_end;
  DocCommand cur;
  const std::regex heredoc("<<-?\\s*'?([A-Za-z_]+)'?");
  const std::regex exits("#\\s*exits\\s+([0-9]+)");
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    if (!in_sh) {
      in_sh = line == "```sh";
      continue;
    }
    if (!heredoc_end.empty()) {
      cur.text += "\n" + line;
      if (line == heredoc_end) {
        out.push_back(cur);
        heredoc_end.clear();
      }
      continue;
    }
    if (line == "```") {
      in_sh = false;
      continue;
    }
    if (cur.text.empty() || cur.text.back() != '\\') {
      if (line.empty() || line[0] == '#') continue;
      cur = DocCommand{line, 0, lineno};
    } else {
      cur.text += "\n" + line;
    }
    std::smatch m;
    if (std::regex_search(line, m, exits)) cur.expect = std::stoi(m[1]);
    if (std::regex_search(line, m, heredoc)) {
      heredoc_end = m[1];
      continue;
    }
    if (line.back() != '\\') out.push_back(cur);
  }
  return out;
}

TEST(LabDocs, EveryShCommandInTheHandoutsRuns) {
  // `s2sim` in the handouts is the binary under test: a symlink first on PATH.
  const std::string dir = temp_path("docs");
  ASSERT_EQ(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "/bin'").c_str()), 0);
  ASSERT_EQ(::symlink(S2SIM_BINARY, (dir + "/bin/s2sim").c_str()), 0);
  int total = 0;
  for (const char* doc : {"01-descriptor-anatomy.md", "02-walk-the-tables.md", "03-the-masked-walk.md",
                          "04-order-matters.md", "05-find-the-bug.md", "06-tune-the-migration.md",
                          "07-faults-in-parallel.md", "08-write-a-walker.md"}) {
    const std::string path = std::string(S2SIM_SOURCE_DIR) + "/docs/labs/" + doc;
    const std::string md = read_file(path);
    ASSERT_FALSE(md.empty()) << path;
    const std::vector<DocCommand> cmds = sh_commands(md);
    EXPECT_GE(cmds.size(), 3u) << doc;
    const std::string work = dir + "/" + doc + ".d";
    ASSERT_EQ(std::system(("mkdir -p '" + work + "'").c_str()), 0);
    for (const DocCommand& c : cmds) {
      ++total;
      std::ofstream(work + "/cmd.sh") << c.text << "\n";
      const std::string run = "cd '" + work + "' && PATH='" + dir + "/bin':\"$PATH\" sh cmd.sh >out.txt 2>err.txt";
      const int raw = std::system(run.c_str());
      const int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
      EXPECT_EQ(status, c.expect) << doc << ":" << c.line << ": " << c.text << "\n"
                                  << read_file(work + "/out.txt") << read_file(work + "/err.txt");
    }
  }
  EXPECT_GE(total, 30);
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace
