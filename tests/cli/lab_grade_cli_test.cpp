// `s2sim lab check` and `grade` as a lecturer uses them: the same exit codes in every
// lab (0 all right, 1 wrong, 2 unreadable or malformed input, every error reported),
// --json, the problem named in the answer file, instructor mode under --key, a class
// graded to CSV, and the figures written by --svg.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/cli_runner.h"

namespace {

using s2sim::test::error_lines;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;
using s2sim::test::write_temp;

const std::string kKey = "lecture-key-2026";

std::string q(const std::string& path) { return "'" + path + "'"; }

TEST(LabCheckCli, UnreadableInputExitsTwoInEveryLab) {
  const std::string empty = write_temp("empty.txt", "");
  const std::string blank = write_temp("blank.txt", "\n  \n\t\n");
  const std::string binary = write_temp("binary.txt", std::string("q1: page\n\0\x01\x02", 12));
  const std::string latin1 = write_temp("latin1.txt", "q1: caf\xE9\n");
  const std::string dir = temp_path("answers-dir");
  std::filesystem::create_directories(dir);
  struct Case {
    std::string path, says;
  };
  const std::vector<Case> cases = {{empty, "the file is empty"},
                                   {blank, "only blank lines"},
                                   {binary, "a binary file"},
                                   {latin1, "not UTF-8 text"},
                                   {dir, "is a directory"},
                                   {temp_path("no-such-file.txt"), "cannot read answers file"}};
  for (int lab : {1, 2, 3, 4, 5, 6}) {
    for (const Case& c : cases) {
      const auto r = run_s2sim("lab check " + std::to_string(lab) + " --seed 3 " + q(c.path));
      EXPECT_EQ(r.status, 2) << "lab " << lab << " " << c.path;
      EXPECT_EQ(error_lines(r.err), 1) << r.err;
      EXPECT_NE(r.err.find(c.says), std::string::npos) << "lab " << lab << ": " << r.err;
      EXPECT_TRUE(r.out.empty());
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(LabCheckCli, EveryFormatErrorIsReportedNotOnlyTheFirst) {
  const std::string path = write_temp("many.txt", "seed: x\nq1: page\nq2 0x1000\nq1: block\nq99: 1\nhello\n");
  const auto r = run_s2sim("lab check 1 " + q(path));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(error_lines(r.err), 1) << r.err;  // the header is read first: its error alone
  const std::string body = write_temp("many2.txt", "q1: page\nq2 0x1000\nq1: block\nq99: 1\nhello\n");
  const auto b = run_s2sim("lab check 1 --seed 2 " + q(body));
  EXPECT_EQ(b.status, 2);
  EXPECT_EQ(error_lines(b.err), 4) << b.err;
  for (const char* where : {":2: expected", ":3: q1 is answered twice", ":4: q99", ":5: expected"})
    EXPECT_NE(b.err.find(body + where), std::string::npos) << where << "\n" << b.err;
  EXPECT_TRUE(b.out.empty());
}

// The answer lines of a solve text ("qN: value"), header and comments dropped.
std::vector<std::string> answer_lines(const std::string& solve) {
  std::vector<std::string> out;
  std::istringstream in(solve);
  for (std::string line; std::getline(in, line);)
    if (line.size() > 1 && line[0] == 'q' && std::isdigit(static_cast<unsigned char>(line[1]))) out.push_back(line);
  return out;
}

// Exit 0, 1 and 2 in every answer-file lab, with --json: the worked answers score full
// marks (0); one answer left out is a wrong paper (1); a question past the last one, a
// range where one value is asked and a line that is no answer are each reported (2).
TEST(LabCheckCli, EveryExitCodeInEveryLabAndJsonHasThePerQuestionGrades) {
  for (int lab : {1, 2, 3, 4, 5}) {
    const std::string n = std::to_string(lab);
    const auto s = run_s2sim("lab solve " + n + " --seed 8");
    ASSERT_EQ(s.status, 0) << s.err;
    const std::vector<std::string> lines = answer_lines(s.out);
    ASSERT_GE(lines.size(), 3u);
    const std::string header = "lab: " + n + "\nseed: 8\n";

    const auto ok = run_s2sim("lab check " + n + " --json " + q(write_temp("full.txt", s.out)));
    ASSERT_EQ(ok.status, 0) << "lab " << lab << ": " << ok.err;
    const auto j = nlohmann::json::parse(ok.out);
    EXPECT_EQ(j["schema"], "s2sim.lab-check/1");
    EXPECT_EQ(j["lab"], lab);
    EXPECT_EQ(j["seed"], 8);
    EXPECT_EQ(j["score"], j["max"]);
    EXPECT_EQ(j["correct"], true);
    EXPECT_EQ(j["questions"].size(), lines.size());

    std::string short_one = header;
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) short_one += lines[i] + "\n";
    const auto wrong = run_s2sim("lab check " + n + " --json " + q(write_temp("short.txt", short_one)));
    ASSERT_EQ(wrong.status, 1) << "lab " << lab << ": " << wrong.err;
    EXPECT_TRUE(wrong.err.empty()) << wrong.err;
    const auto w = nlohmann::json::parse(wrong.out);
    const auto& last = w["questions"][lines.size() - 1];
    EXPECT_EQ(last["answered"], false);
    EXPECT_EQ(last["correct"], false);
    EXPECT_EQ(last["points"], 0);
    EXPECT_EQ(w["score"].get<int>(), w["max"].get<int>() - last["max_points"].get<int>());
    for (const auto& qr : w["questions"])
      for (const char* k : {"id", "correct", "points", "max_points", "given", "hint"}) EXPECT_TRUE(qr.contains(k)) << k;

    // Three malformed lines, each reported with its line number; nothing on stdout.
    const std::string bad = header + "q" + std::to_string(lines.size() + 1) + ": 1\n" + lines[0] + "\n" +
                            "q2: 3-5, 7-9\n" + "hello\n";
    const auto b = run_s2sim("lab check " + n + " " + q(write_temp("bad.txt", bad)));
    EXPECT_EQ(b.status, 2) << "lab " << lab;
    EXPECT_TRUE(b.out.empty()) << b.out;
    // q2 takes one value in every lab (a number, a fault or true/false): a range is malformed.
    EXPECT_EQ(error_lines(b.err), 3) << "lab " << lab << ": " << b.err;
    EXPECT_NE(b.err.find(":5: q2: "), std::string::npos) << b.err;
    EXPECT_NE(b.err.find(":3: q" + std::to_string(lines.size() + 1) + ": lab " + n + " has questions q1 to q"),
              std::string::npos)
        << b.err;
    EXPECT_NE(b.err.find(":6: expected \"qN: value\""), std::string::npos) << b.err;
  }
  // Lab 6 grades a config: the best one 0, the starting one 1 (a bad one 2: LabRunCli).
  const std::string best = write_temp("best.json", run_s2sim("lab solve 6 --seed 8 --config").out);
  const std::string start = write_temp("start.json", run_s2sim("lab show 6 --seed 8 --config").out);
  const auto b6 = run_s2sim("lab check 6 --seed 8 --json " + q(best));
  ASSERT_EQ(b6.status, 0) << b6.err;
  EXPECT_EQ(nlohmann::json::parse(b6.out)["correct"], true);
  const auto s6 = run_s2sim("lab check 6 --seed 8 --json " + q(start));
  EXPECT_EQ(s6.status, 1) << s6.err;
  EXPECT_EQ(nlohmann::json::parse(s6.out)["correct"], false);
  // The file says lab 2; graded as lab 3 it is an input error.
  const std::string full2 = write_temp("full2.txt", run_s2sim("lab solve 2 --seed 8").out);
  const auto other = run_s2sim("lab check 3 " + q(full2));
  EXPECT_EQ(other.status, 2);
  EXPECT_NE(other.err.find("the file answers lab 2, this is lab 3"), std::string::npos) << other.err;
}

TEST(LabKeyCli, InstructorModeNeedsTheKeyToMakeSolveOrGrade) {
  const auto show = run_s2sim("lab show 1 --key " + kKey + " --student s42");
  ASSERT_EQ(show.status, 0) << show.err;
  EXPECT_NE(show.out.find("student s42"), std::string::npos);
  EXPECT_EQ(show.out.find("--seed"), std::string::npos);
  EXPECT_EQ(run_s2sim("lab show 1 --key " + kKey + " --student s42").out, show.out);
  EXPECT_NE(run_s2sim("lab show 1 --key " + kKey + " --student s43").out, show.out);
  for (const char* bad : {"lab solve 1 --student s42", "lab show 1 --student s42", "lab solve 1 --key short --student s42",
                          "lab solve 1 --key lecture-key-2026", "lab solve 1 --key lecture-key-2026 --seed 3",
                          "lab show 1 --key lecture-key-2026 --student ../x"}) {
    const auto r = run_s2sim(bad);
    EXPECT_EQ(r.status, 2) << bad;
    EXPECT_EQ(error_lines(r.err), 1) << bad << ": " << r.err;
  }
  const auto solve = run_s2sim("lab solve 1 --key " + kKey + " --student s42");
  ASSERT_EQ(solve.status, 0);
  const std::string path = write_temp("keyed.txt", solve.out);
  EXPECT_EQ(run_s2sim("lab check 1 --key " + kKey + " " + q(path)).status, 0);
  const auto nokey = run_s2sim("lab check 1 " + q(path));
  EXPECT_EQ(nokey.status, 2);
  EXPECT_NE(nokey.err.find("graded with the lecturer's key"), std::string::npos) << nokey.err;
  EXPECT_EQ(run_s2sim("lab check 1 --key other-key-000000 " + q(path)).status, 1);
}

// A solve text without its header lines: answers that do not name their problem.
std::string answer_file_of(const std::string& solve) {
  std::string out;
  for (const std::string& l : answer_lines(solve)) out += l + "\n";
  return out;
}

TEST(LabGradeCli, AClassIsGradedToCsvWithPointsPerQuestion) {
  const std::string dir = temp_path("class");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/answers");
  for (const char* id : {"ann", "bob"}) {
    const auto s = run_s2sim(std::string("lab solve 3 --key ") + kKey + " --student " + id);
    ASSERT_EQ(s.status, 0);
    std::string text = s.out;
    if (std::string(id) == "bob") text += "q1: 0x1\n";  // answered twice: malformed
    std::ofstream(dir + "/answers/" + id + ".txt") << text;
  }
  std::ofstream(dir + "/answers/cat.txt") << "q1: none\n";  // wrong, no header: the roster names her
  std::ofstream(dir + "/roster.csv") << "student,name\nann,Ann A\nbob,Bob B\ncat,Cat C\ndan,Dan D\n";
  const std::string csv = dir + "/grades.csv";
  const auto r = run_s2sim("lab grade 3 --roster " + q(dir + "/roster.csv") + " --answers " + q(dir + "/answers") +
                           " --key " + kKey + " --csv " + q(csv));
  // Written, but not every student has full marks: 1, as a wrong answer in check.
  ASSERT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.out.find("4 student(s) graded"), std::string::npos) << r.out;
  const std::string out = read_file(csv);
  std::istringstream lines(out);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 5u) << out;
  EXPECT_EQ(rows[0].rfind("student,seed,level,status,score,max,q1,q2,", 0), 0u) << rows[0];
  EXPECT_EQ(rows[1].rfind("ann,,normal,graded,", 0), 0u) << rows[1];
  EXPECT_NE(rows[2].find("bob,,,malformed,0,"), std::string::npos) << rows[2];
  EXPECT_NE(rows[2].find("answered twice"), std::string::npos) << rows[2];
  EXPECT_EQ(rows[3].rfind("cat,,normal,graded,", 0), 0u) << rows[3];
  EXPECT_EQ(rows[4].rfind("dan,,,missing,0,", 0), 0u) << rows[4];
  // ann has full marks: score == max.
  std::istringstream ann(rows[1]);
  std::vector<std::string> f;
  for (std::string x; std::getline(ann, x, ',');) f.push_back(x);
  EXPECT_EQ(f[4], f[5]);
  // Only ann: every student has full marks, exit 0.
  std::ofstream(dir + "/ann.csv") << "student\nann\n";
  const auto one = run_s2sim("lab grade 3 --roster " + q(dir + "/ann.csv") + " --answers " + q(dir + "/answers") +
                             " --key " + kKey + " --csv " + q(csv));
  EXPECT_EQ(one.status, 0) << one.out << one.err;
  // Self-study problems without a key: the roster's seed column, or the file's "seed:"
  // line; a file naming neither is malformed, not graded against a default seed.
  std::filesystem::create_directories(dir + "/self");
  std::ofstream(dir + "/self/eve.txt") << run_s2sim("lab solve 3 --seed 11").out;
  std::ofstream(dir + "/self/fay.txt") << answer_file_of(run_s2sim("lab solve 3 --seed 12").out);
  std::ofstream(dir + "/self/gil.txt") << answer_file_of(run_s2sim("lab solve 3 --seed 13").out);
  std::ofstream(dir + "/self.csv") << "student,seed\neve,\nfay,12\ngil,\n";
  const auto self = run_s2sim("lab grade 3 --roster " + q(dir + "/self.csv") + " --answers " + q(dir + "/self") +
                              " --csv " + q(csv));
  EXPECT_EQ(self.status, 1) << self.err;
  const std::string self_csv = read_file(csv);
  EXPECT_NE(self_csv.find("\neve,11,normal,graded,"), std::string::npos) << self_csv;
  EXPECT_NE(self_csv.find("\nfay,12,normal,graded,"), std::string::npos) << self_csv;
  EXPECT_NE(self_csv.find("\ngil,,,malformed,0,"), std::string::npos) << self_csv;
  EXPECT_NE(self_csv.find("names no seed"), std::string::npos) << self_csv;
  // A bad roster is an input error and writes nothing.
  std::filesystem::remove(csv);
  std::ofstream(dir + "/bad.csv") << "name\nann\n";
  const auto bad = run_s2sim("lab grade 3 --roster " + q(dir + "/bad.csv") + " --answers " + q(dir + "/answers") +
                             " --csv " + q(csv));
  EXPECT_EQ(bad.status, 2);
  EXPECT_FALSE(std::filesystem::exists(csv));
  std::ofstream(dir + "/dup.csv") << "student,seed\nann,1\nann,2\nb/d,3\n";
  const auto dup = run_s2sim("lab grade 3 --roster " + q(dir + "/dup.csv") + " --answers " + q(dir + "/answers") +
                             " --csv " + q(csv));
  EXPECT_EQ(dup.status, 2);
  EXPECT_EQ(error_lines(dup.err), 2) << dup.err;
  std::filesystem::remove_all(dir);
}

TEST(LabSvgCli, ShowWritesTheFiguresAndLevelsAreOnlyWhereTheyMakeSense) {
  const std::string dir = temp_path("figs");
  std::filesystem::remove_all(dir);
  const auto r = run_s2sim("lab show 2 --seed 4 --level hard --svg " + q(dir));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/lab2-tree.svg"));
  EXPECT_EQ(read_file(dir + "/lab2-tree.svg").rfind("<?xml", 0), 0u);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(run_s2sim("lab show 4 --level hard").status, 2);
  EXPECT_EQ(run_s2sim("lab show 1 --level medium").status, 2);
  // Every lab has figures; a directory that cannot be made is bad input (2), nothing written.
  for (const char* lab : {"6", "7", "8"}) {
    const auto shown = run_s2sim(std::string("lab show ") + lab + " --seed 2 --svg " + q(dir));
    EXPECT_EQ(shown.status, 0) << lab << shown.err;
    EXPECT_NE(shown.out.find("/lab" + std::string(lab) + "-"), std::string::npos) << shown.out;
  }
  EXPECT_TRUE(std::filesystem::exists(dir + "/lab6-budget.svg"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/lab8-window.svg"));
  const auto solved = run_s2sim("lab solve 7 --seed 2 --svg " + q(dir));
  EXPECT_EQ(solved.status, 0) << solved.err;
  EXPECT_TRUE(std::filesystem::exists(dir + "/lab7-part-b.svg"));
  const auto bad = run_s2sim("lab show 6 --svg " + q(dir + "/lab6-budget.svg/sub"));
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err.rfind("error: ", 0), 0u) << bad.err;
  EXPECT_TRUE(bad.out.empty()) << bad.out;
  std::filesystem::remove_all(dir);
  EXPECT_NE(run_s2sim("lab show 1 --level easy").out, run_s2sim("lab show 1 --level hard").out);
}

}  // namespace
