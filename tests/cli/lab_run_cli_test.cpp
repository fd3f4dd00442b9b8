// Labs 4-6 from the outside: `lab show N --config` writes a config `s2sim run` runs
// with the numbers the lab's answers hold, solve -> check round trips (lab 6: `solve
// --config` is a config that passes), exit codes, and one error line naming the file
// and JSON pointer for a bad lab-6 config. (The handouts' ```sh commands are run by
// lab_cli_test.cpp's LabDocs test, labs 4-6 included.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_runner.h"

namespace {

using s2sim::test::error_lines;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;
using s2sim::test::write_temp;

// The "qN: value" line of an answer file.
std::string answer(const std::string& solve, int q) {
  const std::string key = "\nq" + std::to_string(q) + ": ";
  const auto at = solve.find(key);
  if (at == std::string::npos) return "";
  const auto start = at + key.size();
  return solve.substr(start, solve.find('\n', start) - start);
}

TEST(LabRunCli, ShowIsDeterministicAndJsonCarriesTheConfig) {
  for (int lab : {4, 5, 6}) {
    const std::string n = std::to_string(lab);
    const auto a = run_s2sim("lab show " + n + " --seed 11");
    const auto b = run_s2sim("lab show " + n + " --seed 11");
    const auto c = run_s2sim("lab show " + n + " --seed 12");
    ASSERT_EQ(a.status, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_NE(a.out, c.out);
    const auto j = run_s2sim("lab show " + n + " --seed 11 --json");
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["lab"], lab);
    EXPECT_EQ(doc.contains("config"), lab != 5) << j.out.substr(0, 400);
  }
}

TEST(LabRunCli, Lab4ConfigRunsAsTheAnswersSay) {
  const auto cfg = run_s2sim("lab show 4 --seed 3 --config");
  ASSERT_EQ(cfg.status, 0) << cfg.err;
  EXPECT_TRUE(nlohmann::json::accept(cfg.out)) << cfg.out;
  const std::string path = write_temp("lab4.json", cfg.out);
  const auto solve = run_s2sim("lab solve 4 --seed 3");
  ASSERT_EQ(solve.status, 0) << solve.err;

  const auto r = run_s2sim("run '" + path + "'");
  EXPECT_EQ(r.status, 1) << r.out << r.err;  // writes lost: the verifier fails the run
  EXPECT_NE(r.out.find("verify: FAILED — " + answer(solve.out, 1) + " lost write(s)"), std::string::npos) << r.out;
  // The first page listed, as the report prints it (lower-case hex).
  std::string first = answer(solve.out, 3);
  for (char& ch : first) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_NE(r.out.find("\n  gfn " + first + ":"), std::string::npos) << first << "\n" << r.out;

  const nlohmann::json doc = nlohmann::json::parse(cfg.out);
  const std::string kernel =
      doc["dirty_log"]["flush_tlbs"].get<bool>() ? "dirty_log.snapshot=kernel" : "dirty_log.flush_tlbs=true";
  EXPECT_EQ(run_s2sim("run '" + path + "' --set " + kernel).status, 0);
  std::remove(path.c_str());
}

TEST(LabRunCli, SolveOutputChecksWithFullMarks) {
  for (int lab : {4, 5}) {
    const std::string n = std::to_string(lab);
    const auto s = run_s2sim("lab solve " + n + " --seed 5");
    ASSERT_EQ(s.status, 0) << s.err;
    const std::string path = write_temp("solve" + n + ".txt", s.out);
    const auto c = run_s2sim("lab check " + n + " --seed 5 '" + path + "'");
    EXPECT_EQ(c.status, 0) << c.out << c.err;
    EXPECT_EQ(c.out.find("wrong"), std::string::npos) << c.out;
    // The worked answers name their problem ("seed: 5"): graded as seed 6 they are refused.
    const auto other = run_s2sim("lab check " + n + " --seed 6 '" + path + "'");
    EXPECT_EQ(other.status, 2);
    EXPECT_NE(other.err.find("seed: the file says 5, the command line 6"), std::string::npos) << other.err;
    // Without the header, seed 5's answers are wrong answers to seed 6.
    const std::string bare = write_temp("bare" + n + ".txt", s.out.substr(s.out.find("\nseed: 5\n") + 9));
    EXPECT_EQ(run_s2sim("lab check " + n + " --seed 6 '" + bare + "'").status, 1);
    std::remove(bare.c_str());
    std::remove(path.c_str());
  }
}

TEST(LabRunCli, Lab6BestConfigPassesTheStartingOneDoesNot) {
  const auto best = run_s2sim("lab solve 6 --seed 2 --config");
  ASSERT_EQ(best.status, 0) << best.err;
  const std::string best_path = write_temp("best.json", best.out);
  const auto c = run_s2sim("lab check 6 --seed 2 '" + best_path + "'");
  EXPECT_EQ(c.status, 0) << c.out << c.err;
  EXPECT_NE(c.out.find("verdict: PASS"), std::string::npos) << c.out;
  // On stdin too.
  const std::string piped = "cat '" + best_path + "' | '" + S2SIM_BINARY + "' lab check 6 --seed 2 - >/dev/null";
  const int raw = std::system(piped.c_str());
  EXPECT_TRUE(WIFEXITED(raw) && WEXITSTATUS(raw) == 0) << piped;

  const auto start = run_s2sim("lab show 6 --seed 2 --config");
  ASSERT_EQ(start.status, 0);
  const std::string start_path = write_temp("lab6.json", start.out);
  const auto f = run_s2sim("lab check 6 --seed 2 '" + start_path + "'");
  EXPECT_EQ(f.status, 1) << f.out << f.err;
  EXPECT_NE(f.out.find("hint: "), std::string::npos) << f.out;
  EXPECT_NE(f.out.find("over the limit"), std::string::npos) << f.out;
  EXPECT_NE(f.out.find("verdict: FAIL"), std::string::npos) << f.out;
  EXPECT_TRUE(f.err.empty()) << f.err;
  // The student runs the same file with s2sim run: the same downtime and pages.
  const auto r = run_s2sim("run '" + start_path + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  const std::string sent = r.out.substr(r.out.find("migration:  ") + 12);
  const std::string pages = sent.substr(0, sent.find(' '));
  EXPECT_NE(f.out.find(" " + pages + "      limit"), std::string::npos) << pages << "\n" << f.out;
  std::remove(best_path.c_str());
  std::remove(start_path.c_str());
}

TEST(LabRunCli, ABadLab6ConfigIsOneErrorLineNamingFileAndPointer) {
  struct Case {
    const char* text;
    const char* where;
  };
  for (const Case& c :
       {Case{R"({"migration": {"stop_rule": {"kind": "qemo"}}})", ": /migration/stop_rule/kind: "},
        Case{R"({"migration": {"max_rounds": -1}})", ": /migration/max_rounds: "},
        Case{R"({"dirty_log": {"walker": "v5"}})", ": /dirty_log/walker: "},
        Case{"{\"migration\":\n  {\"stop_rule\": }}", ":2:"}, Case{"[]", ": a config is a JSON object"}}) {
    const std::string path = write_temp("bad.json", c.text);
    const auto r = run_s2sim("lab check 6 --seed 1 '" + path + "'");
    EXPECT_EQ(r.status, 2) << c.text << "\n" << r.out;
    EXPECT_EQ(error_lines(r.err), 1) << r.err;
    EXPECT_EQ(r.err.rfind("error: " + path + c.where, 0), 0u) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    std::remove(path.c_str());
  }
}

}  // namespace
