// Lab 8, write a walker: the grader on the reference solution and on broken walkers
// (tests/labs/lab8/*.cpp), each compiled once per test binary by the same
// build_plugin `s2sim lab build 8` uses; the grader's measurements on the built-in
// walkers, which need no compiler.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>

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

}  // namespace
