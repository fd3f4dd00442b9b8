// Grading a lab as a lecturer does: the grader (check_problem, what `s2sim lab check`
// and `grade` run) gives full marks to the worked answers and takes points for a
// perturbed one on 200 seeds of every lab; no handout leaks an answer; keyed problems
// come from (key, lab, student) and never show their seed; the levels change what a
// problem holds; every figure is a well-formed SVG document.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "labs/figure_checks.h"
#include "labs/lab_cache.h"
#include "labs/svg_reader.h"
#include "sim/labs/lab_check.h"
#include "sim/labs/lab_key.h"
#include "sim/labs/lab_registry.h"
#include "sim/labs/lab_render.h"
#include "sim/labs/lab_svg.h"

namespace {

using namespace s2sim::sim::lab;
using s2sim::test::cached_problem;
using s2sim::test::seed_id;

constexpr std::uint64_t kSeeds = 200;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

CheckResult check_text(const Problem& p, const std::string& text) {
  return check_problem(*find_lab(p.lab), p, AnswerInput{"a.txt", "", text});
}

// A value q accepts that is wrong: a typical mistake, else the first wrong one of a
// few values of each form.
std::string wrong_value(const Question& q) {
  if (!q.mistakes.empty()) return q.mistakes.front().answer;
  std::vector<std::string> candidates;
  for (const auto& w : q.accepts.words) candidates.push_back(w.front());
  for (const char* c : {"translation fault at level 2", "permission fault at level 3", "0x12345000", "17", "0x3000",
                        "0x100, 0x102-0x104", "0x200"})
    candidates.emplace_back(c);
  for (const std::string& c : candidates)
    if (const auto v = read_answer(q.accepts, c); v && !grade_answer(q, *v).right) return c;
  ADD_FAILURE() << "no wrong value for: " << q.text;
  return "";
}

class GradedLab : public ::testing::TestWithParam<int> {};

TEST_P(GradedLab, WorkedAnswersScoreFullMarksAndAPerturbedAnswerLosesItsPoints) {
  const int lab = GetParam();
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Problem& p = cached_problem(lab, seed);
    const CheckResult full = check_text(p, solve_text(p));
    ASSERT_TRUE(full.all_correct()) << "lab " << lab << " seed " << seed << "\n" << full.report;
    EXPECT_EQ(full.score(), full.max());
    EXPECT_GT(full.max(), 0);
    // The solve text names its problem: read without a seed on the command line,
    // its header says which problem it answers.
    EXPECT_NE(solve_text(p).find("seed: " + std::to_string(seed) + "\n"), std::string::npos);
    // One answer changed to a wrong one of the right form: exactly its points lost.
    const std::size_t qi = seed % p.questions.size();
    const std::string wrong = wrong_value(p.questions[qi]);
    std::string text;
    for (std::size_t i = 0; i < p.questions.size(); ++i)
      text += "q" + std::to_string(i + 1) + ": " + (i == qi ? wrong : p.questions[i].answers.front()) + "\n";
    const CheckResult r = check_text(p, text);
    EXPECT_FALSE(r.all_correct()) << "lab " << lab << " seed " << seed << " q" << qi + 1 << ": " << wrong;
    EXPECT_EQ(r.score(), r.max() - p.questions[qi].points);
    EXPECT_FALSE(r.questions[qi].correct);
    EXPECT_FALSE(r.questions[qi].hint.empty());
    const nlohmann::json j = check_json(r);
    EXPECT_EQ(j["schema"], "s2sim.lab-check/1");
    EXPECT_EQ(j["lab"], lab);
    EXPECT_EQ(j["seed"], seed);
    EXPECT_EQ(j["score"], r.score());
    EXPECT_EQ(j["max"], r.max());
    EXPECT_EQ(j["questions"][qi]["correct"], false);
    EXPECT_EQ(j["questions"][qi]["points"], 0);
  }
}

// No handout states an answer: not as a "qN: answer" line, not as an answer-format
// example (the format names q1's form, no value), and no computed answer (a number or a list of five characters or more)
// appears in the question texts or the answer-format paragraph. Word answers are
// left out of the last check: a choice question lists its choices. Nor do the figures
// `show --svg` writes hold a numeric answer of three characters or more.
TEST_P(GradedLab, TheHandoutNeverContainsAnAnswer) {
  const int lab = GetParam();
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Problem& p = cached_problem(lab, seed);
    const std::string shown = lower(show_text(p));
    // The answer format states q1's form, not a value.
    EXPECT_NE(answer_format_text(p).find("(q1 takes " + p.questions.front().accepts.describe() + ")"), std::string::npos)
        << answer_format_text(p);
    std::string asked = lower(answer_format_text(p));
    for (const Question& q : p.questions) asked += lower(q.text) + "\n";
    for (std::size_t i = 0; i < p.questions.size(); ++i) {
      const Question& q = p.questions[i];
      for (const std::string& a : q.answers) {
        EXPECT_EQ(shown.find(lower("q" + std::to_string(i + 1) + ": " + a)), std::string::npos)
            << "lab " << lab << " seed " << seed << " q" << i + 1 << ": " << a;
        const auto value = read_answer(q.accepts, a);
        ASSERT_TRUE(value.has_value()) << a;
        const bool computed = value->kind == AnswerValue::Kind::Number || value->kind == AnswerValue::Kind::List;
        if (computed && a.size() >= 5) {
          EXPECT_EQ(asked.find(lower(a)), std::string::npos)
              << "lab " << lab << " seed " << seed << " q" << i + 1 << " states its answer " << a;
        }
      }
    }
    s2sim::test::expect_no_answer_in_figures(p, 3, "lab " + std::to_string(lab) + " seed " + std::to_string(seed));
  }
}

INSTANTIATE_TEST_SUITE_P(Labs, GradedLab, ::testing::Values(1, 2, 3, 4, 5));

TEST(LabKey, SipHashMatchesThePapersTestVector) {
  // Aumasson and Bernstein, SipHash (2012), appendix A: key 00..0f, message 00..0e.
  std::string msg;
  for (int i = 0; i < 15; ++i) msg += static_cast<char>(i);
  EXPECT_EQ(siphash24(0x0706050403020100ull, 0x0F0E0D0C0B0A0908ull, msg), 0xA129CA6149BE45E5ull);
}

TEST(LabKey, SeedsComeFromKeyLabAndStudentAndAreNeverShown) {
  const std::string key = "correct horse battery";
  std::set<std::uint64_t> seeds;
  for (const char* student : {"s1", "s2", "alice@uni", "s1 "})
    for (int lab : {1, 2}) seeds.insert(keyed_seed(key, lab, student));
  EXPECT_EQ(seeds.size(), 8u);
  EXPECT_EQ(keyed_seed(key, 3, "s1"), keyed_seed(key, 3, "s1"));
  EXPECT_NE(keyed_seed(key, 3, "s1"), keyed_seed(key + "!", 3, "s1"));
  EXPECT_FALSE(key_problem("short").empty());
  EXPECT_TRUE(key_problem(key).empty());
  EXPECT_FALSE(student_id_problem("../x").empty());
  EXPECT_FALSE(student_id_problem("").empty());
  EXPECT_TRUE(student_id_problem("s1234567").empty());
  for (int lab : {1, 2, 3, 5}) {
    ProblemId id = seed_id(lab, keyed_seed(key, lab, "s1234567"));
    id.student = "s1234567";
    const Problem p = find_lab(lab)->make(id);
    for (const std::string& text : {show_text(p), solve_text(p), show_json(p).dump()}) {
      EXPECT_EQ(text.find(std::to_string(id.seed)), std::string::npos) << "lab " << lab;
      EXPECT_EQ(text.find("--seed"), std::string::npos) << "lab " << lab;
    }
    EXPECT_NE(solve_text(p).find("student: s1234567\n"), std::string::npos);
    EXPECT_NE(show_text(p).find("Hand in FILE"), std::string::npos);
    EXPECT_TRUE(check_text(p, solve_text(p)).all_correct());
  }
}

TEST(LabLevels, LabTwoDumpsHoldAnAccessFlagFaultAndAReservedEncodingExceptWhenEasy) {
  int af_answers = 0, reserved_answers = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    for (const Level level : {Level::Easy, Level::Normal, Level::Hard}) {
      const Problem& p = cached_problem(2, seed, level);
      ASSERT_TRUE(check_text(p, solve_text(p)).all_correct()) << seed;
      int af = 0, l3_translation = 0;
      for (const Question& q : p.questions) {
        af += q.answers.front() == "access-flag fault at level 3";
        l3_translation += q.answers.front() == "translation fault at level 3";
      }
      if (level == Level::Easy) {
        EXPECT_EQ(af, 0) << seed;
      }
      if (level == Level::Hard) {
        EXPECT_EQ(p.questions.size(), 6u);
        EXPECT_GE(af, 1) << seed;
        EXPECT_GE(l3_translation, 1) << seed;
      }
      if (level == Level::Normal) {
        af_answers += af;
        reserved_answers += l3_translation;
      }
    }
  }
  EXPECT_GT(af_answers, 0);
  EXPECT_GT(reserved_answers, 0);
}

TEST(LabLevels, LabThreeEasyNeverCrossesAPmdAndHardAlwaysDoes) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    for (const Level level : {Level::Easy, Level::Hard}) {
      const Problem& p = cached_problem(3, seed, level);
      ASSERT_TRUE(check_text(p, solve_text(p)).all_correct()) << seed;
      for (const Question& q : p.questions)
        if (q.text.find("crosses_pmd") != std::string::npos && !q.accepts.number) {
          EXPECT_EQ(q.answers.front(), level == Level::Easy ? "false" : "true") << seed << ": " << q.text;
        }
    }
  }
}

// --- figures ---------------------------------------------------------------------------

// Parses `svg` (svg_reader.h); returns the element count.
int parse_svg(const std::string& svg, const std::string& what) { return s2sim::test::read_svg(svg, what).elements; }

TEST(LabFigures, EveryFigureIsAWellFormedSvgAndShowsNoAnswerMark) {
  // Labs 6 and 7 (which run the simulator to make a problem) are read back on 200
  // seeds in lab_run_test.cpp and perf_lab_test.cpp.
  for (int lab : {1, 2, 3, 4, 5, 8}) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      const Problem& p = cached_problem(lab, seed);
      ASSERT_FALSE(p.figures.empty()) << "lab " << lab;
      s2sim::test::expect_well_formed(p.figures, lab, "lab " + std::to_string(lab));
      for (const Figure& f : p.solved_figures) parse_svg(f.svg, "solved " + f.name);
      if (lab == 2) {
        // The walks are marked only in the solved tree.
        EXPECT_EQ(p.figures.front().svg.find(">q1<"), std::string::npos);
        EXPECT_NE(p.solved_figures.front().svg.find(">q1<"), std::string::npos);
      }
      if (lab == 3) {
        EXPECT_EQ(p.figures.front().svg.find("2 MiB boundary (IPA"), std::string::npos);
      }
    }
  }
}

TEST(LabFigures, TextAndTitlesAreEscaped) {
  Svg svg(100, 50, "a <title> & \"quotes\"");
  svg.text(1, 2, "x<y> && 'z'", {});
  svg.comment("two -- dashes");
  const std::string doc = svg.str();
  EXPECT_EQ(parse_svg(doc, "escaped"), 7);  // svg, title, defs, marker, path, the background rect, text
  EXPECT_NE(doc.find("x&lt;y&gt; &amp;&amp; &apos;z&apos;"), std::string::npos);
}

}  // namespace
