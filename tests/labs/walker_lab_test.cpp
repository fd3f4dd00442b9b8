// Lab 8, write a walker: the grader on the reference solution and on broken walkers
// (tests/labs/lab8/*.cpp), each compiled once per test binary by the same
// build_plugin `s2sim lab build 8` uses; the grader's measurements on the built-in
// walkers, which need no compiler.
#include <gtest/gtest.h>

#include <bit>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "labs/figure_checks.h"
#include "mmu/granule.h"
#include "sim/labs/lab8_write_a_walker/walker_build.h"
#include "sim/labs/lab8_write_a_walker/walker_grade.h"
#include "sim/labs/lab8_write_a_walker/walker_plugin.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_registry.h"
#include "sim/labs/lab_render.h"

namespace {

using namespace s2sim::sim::lab;
using namespace s2sim::sim::lab::walker;

std::string source(const std::string& name) { return std::string(S2SIM_SOURCE_DIR) + "/tests/labs/lab8/" + name; }

// The plug-in built from tests/labs/lab8/NAME.cpp, compiled on first use.
const std::string& plugin(const std::string& name) {
  static ScratchDir dir;
  static std::map<std::string, std::string> built;
  auto it = built.find(name);
  if (it == built.end()) {
    const std::string so = dir.path() + "/" + name + ".so";
    build_plugin(source(name + ".cpp"), so);
    it = built.emplace(name, so).first;
  }
  return it->second;
}

CheckResult check(const std::string& name) {
  const Problem p = make_walker_lab(ProblemId{8, 1, "", Level::Normal});
  return check_walker(p, AnswerInput{name + ".so", plugin(name), ""});
}

const QuestionResult& criterion(const CheckResult& r, const std::string& id) {
  for (const QuestionResult& q : r.questions)
    if (q.id == id) return q;
  throw std::logic_error("no criterion " + id);
}

WalkerFactory builtin(const std::string& name) {
  return [name] { return s2sim::mmu::make_wp_walker(name); };
}

TEST(LabWalker, ReferenceSolutionScoresFullMarks) {
  const CheckResult r = check("reference_walker");
  EXPECT_TRUE(r.all_correct()) << r.report;
  EXPECT_EQ(r.score(), 10);
  EXPECT_EQ(r.max(), 10);
  for (const char* id : {"windows", "no_lost_write", "hazards", "upper_loads"}) EXPECT_TRUE(criterion(r, id).correct);
}

TEST(LabWalker, SkippingTheLastPageOfAWindowLosesTheNoLostWritePoints) {
  const CheckResult r = check("skips_last_page");
  EXPECT_FALSE(criterion(r, "no_lost_write").correct) << r.report;
  EXPECT_EQ(criterion(r, "no_lost_write").points, 0);
  EXPECT_FALSE(criterion(r, "windows").correct);
  EXPECT_NE(criterion(r, "windows").hint.find("left writable"), std::string::npos) << r.report;
  // The page never looked at is a mask_abandoned hazard.
  EXPECT_NE(criterion(r, "hazards").hint.find("mask_abandoned"), std::string::npos) << r.report;
  EXPECT_EQ(r.score(), 0);
}

TEST(LabWalker, TheSeedsV4BugLosesTheNoLostWritePoints) {
  const CheckResult r = check("v4_bug");
  EXPECT_FALSE(criterion(r, "no_lost_write").correct) << r.report;
  EXPECT_NE(criterion(r, "no_lost_write").hint.find("block kept while logging"), std::string::npos) << r.report;
  EXPECT_FALSE(criterion(r, "hazards").correct);
  EXPECT_NE(criterion(r, "hazards").hint.find("walk_non_present"), std::string::npos) << r.report;
}

TEST(LabWalker, ACrashingPluginIsContainedInTheChild) {
  const CheckResult r = check("crashes");
  EXPECT_EQ(r.score(), 0);
  EXPECT_NE(r.report.find("your walker was killed by signal"), std::string::npos) << r.report;
  for (const QuestionResult& q : r.questions) {
    EXPECT_FALSE(q.answered) << q.id;
    EXPECT_NE(q.hint.find("before this was measured"), std::string::npos) << q.hint;
  }
}

// The watchdog: a walker that never returns is killed at the limit
// $S2SIM_LAB8_TIMEOUT_S sets (here 1 s; 120 s when unset) and graded on what was
// measured before -- nothing.
TEST(LabWalker, AWalkerThatNeverReturnsIsStoppedAtTheLimitAndScoresNothing) {
  const std::string& so = plugin("loops_forever");
  ASSERT_EQ(::setenv("S2SIM_LAB8_TIMEOUT_S", "1", 1), 0);
  const CheckResult r = check_walker(make_walker_lab(ProblemId{8, 1, "", Level::Normal}),
                                     AnswerInput{"loops_forever.so", so, ""});
  ::unsetenv("S2SIM_LAB8_TIMEOUT_S");
  EXPECT_EQ(r.score(), 0);
  EXPECT_NE(r.report.find("note: your walker did not finish within 1 s (an endless loop?) and was killed"),
            std::string::npos)
      << r.report;
  for (const QuestionResult& q : r.questions) {
    EXPECT_FALSE(q.answered) << q.id;
    EXPECT_NE(q.hint.find("did not finish within 1 s"), std::string::npos) << q.hint;
  }
}

TEST(LabWalker, ATimeoutThatIsNotAWholeNumberOfSecondsIsAnInputError) {
  for (const char* bad : {"0", "-3", "1.5", "ten", "", "86401"}) {
    ASSERT_EQ(::setenv("S2SIM_LAB8_TIMEOUT_S", bad, 1), 0);
    try {
      check_walker(make_walker_lab(ProblemId{8, 1, "", Level::Normal}),
                   AnswerInput{"reference_walker.so", plugin("reference_walker"), ""});
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const s2sim::InputError& e) {
      EXPECT_EQ(e.message().rfind("$S2SIM_LAB8_TIMEOUT_S: ", 0), 0u) << e.message();
    }
  }
  ::unsetenv("S2SIM_LAB8_TIMEOUT_S");
}

TEST(LabWalker, AFileThatDoesNotCompileIsABuildFailureWithTheCompilersOutput) {
  ScratchDir dir;
  try {
    build_plugin(source("does_not_compile.cpp"), dir.path() + "/x.so");
    FAIL() << "compiled";
  } catch (const BuildFailed& e) {
    EXPECT_NE(e.message().find("does not compile"), std::string::npos) << e.message();
    EXPECT_NE(e.compiler_output().find("s2_read_ptd"), std::string::npos) << e.compiler_output();
  }
}

TEST(LabWalker, APluginWithoutTheEntryPointIsRefusedByName) {
  ScratchDir dir;
  const std::string so = dir.path() + "/x.so";
  EXPECT_THROW(Plugin::load(dir.path() + "/missing.so"), s2sim::InputError);
  // The header alone defines the ABI symbol but not the walker.
  const std::string src = dir.path() + "/empty.cpp";
  { std::ofstream(src) << "#include \"s2sim_walker.h\"\nint unrelated() { return 1; }\n"; }
  build_plugin(src, so);
  try {
    Plugin::load(so);
    FAIL() << "loaded";
  } catch (const s2sim::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("kvm_mmu_write_protect_pt_masked"), std::string::npos) << e.what();
  }
}

// The grader's own measurements, on the simulator's walkers.
TEST(LabWalkerGrader, CorrectBuiltinWalkersPassEveryWindowAndNaiveLosesTheLoadCount) {
  for (const char* name : {"naive", "v4-fixed", "range"}) {
    const WindowMeasure m = measure_windows(builtin(name));
    EXPECT_EQ(m.failures, 0u) << name << ": " << (m.first_failures.empty() ? "" : m.first_failures.front());
    EXPECT_EQ(m.hazards, 0u) << name << ": " << (m.first_hazards.empty() ? "" : m.first_hazards.front());
    EXPECT_GT(m.calls, 6000u);
    if (std::string(name) == "naive")
      EXPECT_GT(m.upper_loads, m.v4_upper_loads);
    else
      EXPECT_LT(m.upper_loads, m.v4_upper_loads) << name;
  }
}

TEST(LabWalkerGrader, TheSeedsV4WalkerTripsHazardsInTheWindowsAndLosesWritesInTheCampaign) {
  const WindowMeasure w = measure_windows(builtin("v4"));
  EXPECT_GT(w.hazards, 0u);
  EXPECT_GT(w.failures, 0u);
  const CampaignMeasure c = measure_campaign(builtin("v4"));
  EXPECT_EQ(c.runs, campaign_configs().size());
  EXPECT_GT(c.lost_writes, 0u);
  const CampaignMeasure ok = measure_campaign(builtin("v4-fixed"));
  EXPECT_EQ(ok.lost_writes, 0u);
  EXPECT_EQ(ok.invariant_violations, 0u);
  EXPECT_EQ(ok.hazards, 0u) << (ok.first_problems.empty() ? "" : ok.first_problems.front());
}

TEST(LabWalkerGrader, MeasurementsSurviveTheTripThroughJson) {
  WindowMeasure w;
  w.calls = 3;
  w.failures = 1;
  w.first_failures = {"a"};
  w.upper_loads = 7;
  w.v4_upper_loads = 9;
  const WindowMeasure back = window_measure_from(to_json(w));
  EXPECT_EQ(back.calls, 3u);
  EXPECT_EQ(back.first_failures, w.first_failures);
  EXPECT_EQ(back.v4_upper_loads, 9u);
}

TEST(LabWalker, ShowHandsOutTheHeaderAndAStarterButNoSolution) {
  const Problem p = make_walker_lab(ProblemId{8, 1, "", Level::Normal});
  ASSERT_EQ(p.files.size(), 2u);
  EXPECT_EQ(p.files[0].name, "s2sim_walker.h");
  EXPECT_EQ(p.files[0].svg, student_header_text());
  EXPECT_NE(p.files[1].svg.find("kvm_mmu_write_protect_pt_masked"), std::string::npos);
  // Neither show nor solve prints the reference walker.
  for (const std::string& text : {show_text(p), solve_text(p)}) {
    EXPECT_EQ(text.find("region_has_ptes"), std::string::npos);
    EXPECT_EQ(text.find("pmd_offset(kvm, pud"), std::string::npos);
  }
}

// The figures: one of the grader's windows, picked by the seed -- the same problem
// otherwise, so the figures are all a seed changes. Each is drawn from that window:
// the 2 MiB boundaries where its pages change pmd, a marked pte for every bit of the
// mask, and the walk of a page of it with the addresses the grader's tables give.
TEST(LabWalker, TheFiguresDrawOneOfTheGradersWindowsPickedBySeed) {
  std::set<std::string> figures, setups;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const Problem p = make_walker_lab(ProblemId{8, seed, "", Level::Normal});
    const std::string what = "lab 8 seed " + std::to_string(seed);
    ASSERT_EQ(p.figures.size(), 3u) << what;
    EXPECT_TRUE(p.solved_figures.empty()) << what;  // nothing to answer: solve writes the same
    s2sim::test::expect_well_formed(p.figures, 8, what);
    const Problem again = make_walker_lab(ProblemId{8, seed, "", Level::Normal});
    for (std::size_t i = 0; i < p.figures.size(); ++i) EXPECT_EQ(p.figures[i].svg, again.figures[i].svg) << what;
    std::string all;
    for (const Figure& f : p.figures) all += f.svg;
    figures.insert(all);
    std::string setup = p.setup;
    setup.erase(setup.find("The seed picks"));
    setups.insert(setup.substr(0, setup.find("s2sim lab show 8 --seed")));

    const auto& w = p.setup_json["figure_window"];
    const std::uint64_t base = std::stoull(w["base_gfn"].get<std::string>(), nullptr, 16);
    const unsigned bpl = w["bits_per_long"];
    const std::uint64_t word = w["word"];
    const std::uint64_t mask = std::stoull(w["mask"].get<std::string>(), nullptr, 16);
    const std::uint64_t first = base + word * bpl;
    ASSERT_NE(mask, 0u);
    EXPECT_LT(word, 1024u / bpl) << what;
    // The grader's slots: aligned, 16 and 7 pages past a 2 MiB boundary, 16 before a 1 GiB one.
    EXPECT_TRUE(base == 0x80000 || base == 0x80010 || base == 0x80007 || base == 0xBFFF0) << what;
    std::size_t boundaries = 0, gib = 0;
    for (std::uint64_t g = first + 1; g < first + bpl; ++g) {
      boundaries += g % 512 == 0;
      gib += g % (512 * 512) == 0;
    }
    // A slot that is not 2 MiB aligned gets a word that crosses a pmd.
    EXPECT_EQ(boundaries > 0, base % 512 != 0) << what;
    const auto window = s2sim::test::read_svg(p.figures[0].svg, "window");
    std::size_t drawn = 0, drawn_gib = 0;
    for (const auto& t : window.texts) {
      drawn += t.text.rfind("2 MiB boundary", 0) == 0;
      drawn_gib += t.text.rfind("1 GiB boundary", 0) == 0;
    }
    EXPECT_EQ(drawn, boundaries) << what;
    EXPECT_EQ(drawn_gib, gib) << what;
    // Every bit of the mask marks its pte in the tables, and only those.
    std::set<std::string> bits;
    for (const auto& t : s2sim::test::read_svg(p.figures[1].svg, "tables").texts)
      if (t.text.rfind("bit ", 0) == 0) bits.insert(t.text);
    EXPECT_EQ(bits.size(), static_cast<std::size_t>(std::popcount(mask))) << what;
    for (unsigned i = 0; i < bpl; ++i) {
      if ((mask >> i) & 1) {
        EXPECT_EQ(bits.count("bit " + std::to_string(i)), 1u) << what << " bit " << i;
      }
    }
  }
  EXPECT_GE(figures.size(), 40u);
  EXPECT_EQ(setups.size(), 1u);  // the grader, as show states it, is the same for every seed
}

}  // namespace
