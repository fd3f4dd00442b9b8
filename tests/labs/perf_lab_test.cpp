// Lab 7, faults in parallel: what its answers say about the model, and what its
// figures show, on every seed. The problem runs perf-test five times; runs are kept
// per process, and the seeds draw from 20 setups, so 200 seeds cost 20 problems' runs.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "labs/figure_checks.h"
#include "labs/lab_cache.h"
#include "sim/labs/lab_check.h"
#include "sim/labs/lab_problems.h"
#include "util/parse_number.h"

namespace {

using namespace s2sim::sim::lab;

const Problem& problem(std::uint64_t seed) { return s2sim::test::cached_problem(7, seed); }
std::uint64_t answer(const Problem& p, std::size_t q) { return s2sim::parse_u64(p.questions.at(q).answers[0]).value(); }

TEST(LabPerf, OnEverySeedArmv7SerializesArm64DoesNotAndEagerSplitRemovesTheRefaults) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const Problem& p = problem(seed);
    ASSERT_EQ(p.questions.size(), 11u);
    const unsigned n = p.setup_json["vcpus"];
    const std::uint64_t mib = p.setup_json["mib_per_vcpu"];
    const std::uint64_t t1 = answer(p, 0), tn = answer(p, 1), wait = answer(p, 3), t64 = answer(p, 4);
    // ARMv7: the N-vCPU pass is past halfway to N x one vCPU's, and the vCPUs waited.
    EXPECT_GE(2 * tn, (n + 1) * t1 - 2) << seed;
    EXPECT_GT(wait, 0u) << seed;
    // q3's right option is the serial one.
    const std::string& right = p.questions[2].answers[0];
    EXPECT_NE(p.questions[2].text.find("\n" + right + ") at least"), std::string::npos) << seed << "\n"
                                                                                       << p.questions[2].text;
    // arm64 6.6 with the same vCPUs is faster than ARMv7 with one.
    EXPECT_LT(t64, t1) << seed;
    EXPECT_EQ(answer(p, 6), 1u) << seed;  // one broadcast: get_dirty_log's flush
    // Part B: one split fault a block, the block's other pages fault back in; none with eager split.
    EXPECT_EQ(answer(p, 8), n * mib / 2) << seed;
    EXPECT_EQ(answer(p, 7), n * mib / 2 * 511) << seed;
    EXPECT_EQ(answer(p, 9), 0u) << seed;
    // The figures: show's protocol states no answer; solve's bars hold every number asked.
    const std::string what = "lab 7 seed " + std::to_string(seed);
    s2sim::test::expect_well_formed(p.figures, 7, what);
    s2sim::test::expect_well_formed(p.solved_figures, 7, what + " solved");
    s2sim::test::expect_no_answer_in_figures(p, 3, what);
    EXPECT_NE(s2sim::test::figures_text(p.figures).find(std::to_string(n) + " vCPUs x " + std::to_string(mib) + " MiB"),
              std::string::npos)
        << what;
    const std::set<std::string> solved = s2sim::test::words_of(s2sim::test::figures_text(p.solved_figures));
    for (const std::size_t q : {0, 1, 3, 4, 6, 7, 8, 9})
      EXPECT_EQ(solved.count(p.questions[q].answers[0]), 1u) << what << " q" << q + 1 << " " << p.questions[q].answers[0];
  }
}

TEST(LabPerf, TheSolvedAnswersPassCheckAndTypicalMistakesGetTheirHint) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Problem& p = problem(seed);
    std::string file = p.id.header_lines();
    for (std::size_t i = 0; i < p.questions.size(); ++i)
      file += "q" + std::to_string(i + 1) + ": " + p.questions[i].answers[0] + "\n";
    const CheckResult r = check_answer_file(p, AnswerInput{"a.txt", "", file});
    EXPECT_TRUE(r.all_correct()) << r.report;
    // q2 answered with the 1-vCPU figure: told which run that is.
    const AnswerFile wrong = read_answer_file(p, "q2: " + p.questions[0].answers[0] + "\n", "w.txt");
    const Grade g = grade(p, wrong)[1];
    EXPECT_FALSE(g.right);
    EXPECT_NE(g.hint.find("1-vCPU run"), std::string::npos) << g.hint;
  }
}

}  // namespace
