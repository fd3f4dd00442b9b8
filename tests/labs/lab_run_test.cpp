// Labs 4-6: order matters (s2sim run with a teaching switch), find the bug (the v4
// walker's hazards) and tune the migration (a config graded by running it).
//
// Labs 4 and 6 run the cycle engine several times to make one problem (lab 4: three
// runs or more; lab 6: a grid of 13): each run is small, so the properties that need
// the answers are checked on kSimSeeds (200) seeds too, as are the configs each seed
// draws. Lab 5 is cheap (one write-protect call on a small table state) and also
// runs in lab_test.cpp's 200-seed EveryLab suite.
#include <gtest/gtest.h>

#include <bit>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "mmu/granule.h"
#include "mmu/wp_v4_statements.h"
#include "sim/config/config.h"
#include "labs/figure_checks.h"
#include "labs/lab_cache.h"
#include "sim/labs/lab6_tune_the_migration/tune_lab.h"
#include "sim/labs/lab_check.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_registry.h"
#include "sim/labs/lab_render.h"
#include "sim/labs/lab_sim.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace {

using namespace s2sim::sim;
using namespace s2sim::sim::lab;

constexpr std::uint64_t kSeeds = 200;
constexpr std::uint64_t kSimSeeds = 200;

const Problem& problem(int lab, std::uint64_t seed) { return s2sim::test::cached_problem(lab, seed); }
using s2sim::test::seed_id;

// Lab 6 graded as `s2sim lab check 6` does: the report, and 0 (pass) or 1.
int tune_check(const Problem& p, const std::string& text, const std::string& name, std::ostream& out) {
  const CheckResult r = check_tune_config(p, AnswerInput{name, "", text});
  out << r.report;
  return r.all_correct() ? 0 : 1;
}

Grade grade_text(const Problem& p, std::size_t qi, const std::string& value) {
  const AnswerFile a = read_answer_file(p, "q" + std::to_string(qi + 1) + ": " + value + "\n", "t.txt");
  return grade(p, a)[qi];
}

std::uint64_t num(const std::string& s) { return s2sim::parse_u64(s).value(); }

// --- the cheap part, 200 seeds -----------------------------------------------------------

TEST(LabOrder, EverySeedDrawsAValidSmallConfigWithOneSwitch) {
  std::set<std::string> distinct;
  int no_flush = 0, after_wp = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const nlohmann::ordered_json d = order_lab_config(seed, 0);
    ASSERT_EQ(d.dump(), order_lab_config(seed, 0).dump()) << seed;
    EXPECT_NE(d.dump(), order_lab_config(seed, 1).dump()) << seed;  // a redraw is another config
    distinct.insert(d.dump());
    const SimConfig cfg = parse_config(nlohmann::json::parse(d.dump()), "lab4.json", configs_dir());
    EXPECT_EQ(cfg.machine.name, "cortex-a57-ipa-only");
    // The missing flush is not hidden by whole-VMID flushes: by IPA, and (the what-if)
    // without the VMALLE1IS arm64 KVM adds.
    EXPECT_TRUE(cfg.machine.tlbi_by_ipa);
    EXPECT_FALSE(cfg.machine.ipa_flush_drops_combined);
    EXPECT_EQ(cfg.dirty_log.options.bits_per_long, 64u);  // BITS_PER_LONG of an arm64 host kernel
    const bool flush = cfg.dirty_log.options.flush_tlbs;
    const bool kernel_snapshot = cfg.dirty_log.options.snapshot == s2sim::mmu::SnapshotOrder::Kernel;
    EXPECT_NE(flush, kernel_snapshot) << "exactly one switch, seed " << seed;
    no_flush += !flush;
    after_wp += !kernel_snapshot;
    EXPECT_LE(cfg.memslots[0].npages, 16384u);  // small: a run takes milliseconds
    EXPECT_EQ(cfg.migration.stop.kind, "threshold");
  }
  EXPECT_GE(distinct.size(), kSeeds - 2);
  EXPECT_GT(no_flush, 60);
  EXPECT_GT(after_wp, 60);
}

TEST(LabTune, EverySeedDrawsAValidSmallWorkload) {
  std::set<std::string> distinct, kinds;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const nlohmann::ordered_json d = tune_lab_config(seed);
    ASSERT_EQ(d.dump(), tune_lab_config(seed).dump()) << seed;
    distinct.insert(d.dump());
    kinds.insert(d["workload"]["kind"].get<std::string>());
    const SimConfig cfg = parse_config(nlohmann::json::parse(d.dump()), "lab6.json", configs_dir());
    EXPECT_LE(cfg.memslots[0].npages, 1024u);
    EXPECT_TRUE(cfg.verify.enabled);
  }
  EXPECT_GE(distinct.size(), kSeeds - 2);
  EXPECT_EQ(kinds.size(), 3u);
}

// --- labs 4 and 6 with their runs, fewer seeds ---------------------------------------------

TEST(LabOrder, WorkedAnswersScoreFullMarksAndMistakesGetTheirHints) {
  std::set<std::string> shows;
  for (std::uint64_t seed = 1; seed <= kSimSeeds; ++seed) {
    const Problem& p = problem(4, seed);
    ASSERT_EQ(p.questions.size(), 7u);
    for (const std::string& text : {solve_text(p), answer_file_text(p)}) {
      const AnswerFile a = read_answer_file(p, text, "solve.txt");
      const std::vector<Grade> g = grade(p, a);
      ASSERT_TRUE(all_right(g)) << "seed " << seed << "\n" << check_report(p, a, g);
    }
    for (std::size_t qi = 0; qi < p.questions.size(); ++qi)
      for (const Mistake& m : p.questions[qi].mistakes) {
        const Grade g = grade_text(p, qi, m.answer);
        EXPECT_FALSE(g.right) << seed << " q" << qi + 1 << " " << m.answer;
        EXPECT_EQ(g.hint, m.hint);
      }
    shows.insert(show_text(p));
    EXPECT_NE(show_text(p).find(p.config), std::string::npos) << "show prints the config to save";
  }
  EXPECT_EQ(shows.size(), kSimSeeds);
  // Deterministic: a second make gives the same problem.
  for (std::uint64_t seed : {1u, 2u}) {
    EXPECT_EQ(show_text(make_order_lab(seed_id(4, seed))), show_text(problem(4, seed)));
    EXPECT_EQ(solve_text(make_order_lab(seed_id(4, seed))), solve_text(problem(4, seed)));
  }
}

TEST(LabOrder, AnswersAreWhatTheStudentsRunsReport) {
  // The student's runs, made here from the printed config the way `s2sim run` makes
  // them: the lost-write counts and the first listed page are the answers.
  int flush_seeds = 0, snapshot_seeds = 0, listed_only_ten = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const Problem& p = problem(4, seed);
    const nlohmann::json doc = nlohmann::json::parse(p.config);
    const RunResult r = run_lab_config(doc, "lab4.json");
    EXPECT_FALSE(r.verify_ok());
    EXPECT_EQ(p.questions[0].answers[0], std::to_string(r.lost_writes));
    ASSERT_FALSE(r.first_lost.empty());
    EXPECT_TRUE(grade_text(p, 2, std::to_string(r.first_lost.front().gfn)).right);
    const bool no_flush = !doc["dirty_log"]["flush_tlbs"].get<bool>();
    nlohmann::json kernel = doc, a15 = doc;
    if (no_flush)
      kernel["dirty_log"]["flush_tlbs"] = true;
    else
      kernel["dirty_log"]["snapshot"] = "kernel";
    a15["machine"] = "cortex-a15";
    EXPECT_EQ(run_lab_config(kernel, "lab4.json").lost_writes, 0u);
    const RunResult ra15 = run_lab_config(a15, "lab4.json");
    EXPECT_EQ(p.questions[5].answers[0], std::to_string(ra15.lost_writes));
    EXPECT_EQ(p.questions[3].answers[0], no_flush ? "flush" : "snapshot");
    if (no_flush) {
      ++flush_seeds;
      EXPECT_LT(ra15.lost_writes, r.lost_writes) << "the A15's whole-VMID flushes hide most of it";
      EXPECT_NE(grade_text(p, 3, "protect").hint.find("TLB entry cached before the protect"), std::string::npos);
    } else {
      ++snapshot_seeds;
      EXPECT_GT(ra15.lost_writes, 0u) << "no TLB flush helps a cleared bit";
      EXPECT_NE(grade_text(p, 3, "flush").hint.find("no flush changes"), std::string::npos);
    }
    if (r.lost_writes > 10) {
      ++listed_only_ten;
      EXPECT_NE(grade_text(p, 0, "10").hint.find("lists only the first 10"), std::string::npos);
    }
    EXPECT_NE(grade_text(p, 1, std::to_string(r.lost_writes)).hint.find("--set "), std::string::npos);
  }
  EXPECT_GT(flush_seeds, 0);
  EXPECT_GT(snapshot_seeds, 0);
  EXPECT_GT(listed_only_ten, 0);
}

std::string with_stop(const std::string& config, const nlohmann::json& stop_rule, int max_rounds) {
  nlohmann::json j = nlohmann::json::parse(config);
  j["migration"]["stop_rule"] = stop_rule;
  j["migration"]["max_rounds"] = max_rounds;
  return j.dump();
}

// Lab 6's figures against check's report of the starting config (`start_report`):
// the figures show draw that run -- its pages sent and its downtime, as check measures
// them -- and the limits, and neither name nor place the grid's best run; the solved
// ones add it, marked.
void tune_figures_follow_the_runs(const Problem& p, const std::string& start_report) {
  const std::string what = "lab 6 seed " + std::to_string(p.seed);
  s2sim::test::expect_well_formed(p.figures, 6, what);
  s2sim::test::expect_well_formed(p.solved_figures, 6, what + " solved");
  const std::string shown = s2sim::test::figures_text(p.figures);
  const std::string solved = s2sim::test::figures_text(p.solved_figures);
  auto measured = [&](const std::string& label) {
    std::istringstream in(start_report.substr(start_report.find("\n" + label) + 1 + label.size()));
    std::string v;
    in >> v;
    return v;
  };
  const auto& b = p.setup_json["budget"];
  const std::string pages_limit = std::to_string(b["pages"].get<std::uint64_t>());
  EXPECT_NE(shown.find("pages sent " + measured("pages sent") + " (limit " + pages_limit + ")"), std::string::npos)
      << what << "\n" << start_report << shown;
  EXPECT_NE(shown.find("downtime " + measured("downtime") + " ms (limit "), std::string::npos) << what << "\n" << shown;
  EXPECT_NE(shown.find("page limit " + pages_limit), std::string::npos) << what;
  // The best run: its rule, as the solution config has it.
  tune::Choice best;
  best.stop_rule = nlohmann::ordered_json::parse(p.solution_config)["migration"]["stop_rule"];
  EXPECT_EQ(shown.find(best.rule()), std::string::npos) << what << ": " << best.rule();
  EXPECT_EQ(shown.find("best"), std::string::npos) << what;
  EXPECT_NE(solved.find(best.rule() + ": "), std::string::npos) << what << ": " << best.rule();
  EXPECT_NE(solved.find("<- best"), std::string::npos) << what;
}

// The grader on 200 seeds: the grid's best config passes, the starting config fails,
// a run that max_rounds stops fails on its stop whatever its numbers, and no one fixed
// config passes most seeds (the budgets bind).
TEST(LabTune, TheBestGridConfigPassesTheStartingConfigDoesNot) {
  std::set<std::string> shows, figures;
  int downtime_budgets = 0, page_budgets = 0, fixed_passes = 0;
  for (std::uint64_t seed = 1; seed <= kSimSeeds; ++seed) {
    const Problem& p = problem(6, seed);
    EXPECT_TRUE(p.questions.empty());
    ASSERT_FALSE(p.config.empty());
    ASSERT_FALSE(p.solution_config.empty());
    std::ostringstream best, start;
    EXPECT_EQ(tune_check(p, p.solution_config, "best.json", best), 0) << best.str();
    EXPECT_NE(best.str().find("verdict: PASS"), std::string::npos) << best.str();
    EXPECT_EQ(tune_check(p, p.config, "lab6.json", start), 1) << start.str();
    EXPECT_NE(start.str().find("hint: "), std::string::npos) << start.str();
    EXPECT_NE(start.str().find("s2sim lab solve 6 --seed " + std::to_string(seed)), std::string::npos);
    EXPECT_NE(solve_text(p).find("<- best"), std::string::npos);
    shows.insert(show_text(p));
    (p.setup_json["budget"]["kind"] == "downtime" ? downtime_budgets : page_budgets)++;
    std::ostringstream fixed, capped;
    fixed_passes += tune_check(p, with_stop(p.config, {{"kind", "threshold"}, {"dirty_pages", 0}, {"rounds", 6}}, 10),
                               "fixed.json", fixed) == 0;
    // A QEMU limit no round meets: max_rounds (2) ends the pre-copy, not the rule.
    EXPECT_EQ(tune_check(p, with_stop(p.config, {{"kind", "qemu"}, {"downtime_limit_ms", 0.001}}, 2), "capped.json",
                         capped),
              1)
        << capped.str();
    EXPECT_NE(capped.str().find("(not your stop rule)"), std::string::npos) << capped.str();
    EXPECT_NE(capped.str().find("verdict: FAIL"), std::string::npos) << capped.str();
    tune_figures_follow_the_runs(p, start.str());
    figures.insert(p.figures.front().svg + p.figures.back().svg);
  }
  // Measured: threshold rounds=6 (the grid's longest fixed stop) passes 3 of the 200
  // (it passed 72 of 100 before the budgets were drawn to rule it out).
  EXPECT_LE(fixed_passes, 10) << fixed_passes << " of " << kSimSeeds << " seeds pass with threshold rounds=6";
  EXPECT_EQ(shows.size(), kSimSeeds);
  EXPECT_GT(downtime_budgets, 0);
  EXPECT_GT(page_budgets, 0);
  EXPECT_EQ(figures.size(), kSimSeeds);
  const Problem again = make_tune_lab(seed_id(6, 3));
  EXPECT_EQ(show_text(again), show_text(problem(6, 3)));
  for (std::size_t i = 0; i < again.figures.size(); ++i) EXPECT_EQ(again.figures[i].svg, problem(6, 3).figures[i].svg);
  for (std::size_t i = 0; i < again.solved_figures.size(); ++i)
    EXPECT_EQ(again.solved_figures[i].svg, problem(6, 3).solved_figures[i].svg);
}

TEST(LabTune, OnlyTheThreeChoicesAreTakenAndTheRestIsNamedAsIgnored) {
  const Problem& p = problem(6, 1);
  // A partial file: just the choices. A full file with another workload: the lab's
  // workload is run anyway, and the report says so.
  std::ostringstream a, b;
  const std::string choice =
      R"({"migration": {"stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 3}, "max_rounds": 10},
          "dirty_log": {"walker": "range"}})";
  const int sa = tune_check(p, choice, "mine.json", a);
  nlohmann::json full = nlohmann::json::parse(p.config);
  full["migration"]["stop_rule"] = {{"kind", "threshold"}, {"dirty_pages", 0}, {"rounds", 3}};
  full["dirty_log"]["walker"] = "range";
  full["workload"]["write_ratio"] = 0.01;
  full["migration"]["link_gbps"] = 100;
  const int sb = tune_check(p, full.dump(), "full.json", b);
  EXPECT_EQ(sa, sb);
  EXPECT_EQ(a.str().find("ignored"), std::string::npos) << a.str();
  EXPECT_NE(b.str().find("ignored (the lab sets these): /migration/link_gbps, /workload"), std::string::npos)
      << b.str();
  // Same run, same numbers: only the header lines differ.
  EXPECT_EQ(a.str().substr(a.str().find("rounds (")), b.str().substr(b.str().find("rounds (")));
  EXPECT_NE(a.str().find("walker range"), std::string::npos);
}

TEST(LabTune, ABadConfigIsAnInputErrorNamingFileAndPointer) {
  const Problem& p = problem(6, 1);
  auto error_of = [&](const std::string& text) -> std::string {
    std::ostringstream out;
    try {
      tune_check(p, text, "my.json", out);
    } catch (const s2sim::InputError& e) {
      EXPECT_TRUE(out.str().empty());
      return e.message();
    }
    return "";
  };
  EXPECT_EQ(
      error_of(R"({"migration": {"stop_rule": {"kind": "qemo"}}})").rfind("my.json: /migration/stop_rule/kind:", 0),
      0u);
  EXPECT_EQ(
      error_of(R"({"migration": {"stop_rules": {}, "max_rounds": 3}})").rfind("my.json: /migration/stop_rules:", 0),
      0u);
  EXPECT_EQ(error_of(R"({"migration": {"max_rounds": 0}})").rfind("my.json: /migration/max_rounds:", 0), 0u);
  EXPECT_EQ(error_of(R"({"dirty_log": {"walker": "v5"}})").rfind("my.json: /dirty_log/walker:", 0), 0u);
  EXPECT_EQ(error_of("{\n  \"migration\": }").rfind("my.json:2:", 0), 0u) << error_of("{\n  \"migration\": }");
  EXPECT_EQ(error_of("[1, 2]").rfind("my.json: a config is a JSON object", 0), 0u);
  EXPECT_EQ(error_of(R"({"migration": 3})").rfind("my.json: /migration: must be an object", 0), 0u);
  EXPECT_EQ(error_of(R"({"vcpus": 2})").rfind("my.json: sets none of", 0), 0u);
}

// --- lab 5 -------------------------------------------------------------------------------

TEST(LabBug, EveryHazardShowsUpAndTheAnswersFollowFromTheSetup) {
  std::map<std::string, int> kinds;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Problem& p = problem(5, seed);
    ASSERT_EQ(p.questions.size(), 7u);
    const std::string kind = p.questions[0].answers[0];
    ++kinds[kind];
    const auto& j = p.setup_json;
    const std::uint64_t gfnofst = num(j["base_gfn"].get<std::string>()) + j["gfn_offset"].get<std::uint64_t>();
    const std::uint64_t mask = num(j["mask"].get<std::string>());
    const std::uint64_t first = gfnofst + static_cast<unsigned>(std::countr_zero(mask));
    const bool crosses = s2sim::mmu::crosses_pmd(gfnofst, 32);
    EXPECT_EQ(p.questions[3].answers[0], crosses ? "true" : "false") << seed;
    // The statement: by its name or as mmu/wp_v4.cpp writes it (the table of
    // mmu/wp_v4_statements.h), never by a line of the file.
    for (const std::string& a : {std::string("pte_offset_kernel"), std::string("pte = pte_offset_kernel(w, pmdv, ipa);"),
                                 std::string("pte_offset_kernel(w, pmdv, ipa)"), std::string("Pte_Offset_Kernel()")})
      EXPECT_TRUE(grade_text(p, 2, a).right) << seed << ": " << a;
    EXPECT_NE(grade_text(p, 2, "pmd_offset").hint.find("pte_offset_kernel"), std::string::npos);
    EXPECT_NE(grade_text(p, 2, "pmd = pmd_offset(w, pudv, next);").hint.find("pte_offset_kernel"), std::string::npos);
    const std::string fix = p.questions[6].steps.front();
    if (kind == "walk_non_present") {
      EXPECT_FALSE(crosses);
      EXPECT_EQ(p.questions[1].answers[0], std::to_string(std::popcount(mask)));  // one per set bit
      EXPECT_NE(fix.find("pmd_present()"), std::string::npos);
      EXPECT_EQ(p.questions[4].answers[0], "none");
      EXPECT_EQ(j["pmd_entries"][0]["value"], "0x0000000000000000");
    } else if (kind == "block_as_table") {
      EXPECT_FALSE(crosses);
      EXPECT_EQ(mask, 0xFFFFFFFFu);  // block_policy keep marks all 512 pages dirty
      EXPECT_EQ(p.questions[1].answers[0], "32");
      EXPECT_NE(fix.find("pmd_huge()"), std::string::npos);
      const std::uint64_t region = s2sim::mmu::pmd_base_gfn(first);
      EXPECT_TRUE(grade_text(p, 4, std::to_string(region) + "-" + std::to_string(s2sim::mmu::pmd_end_gfn(first) - 1))
                      .right)
          << seed;
      EXPECT_NE(grade_text(p, 0, "guest_frame_corrupted").hint.find("that comes second"), std::string::npos);
      EXPECT_EQ(num(j["pmd_entries"][0]["value"].get<std::string>()) & 3, 1u);  // a block descriptor
      // block_policy keep is no kernel's behaviour (Linux 4.0 dissolves blocks while
      // logging): the setup says so.
      EXPECT_NE(p.setup.find("block_policy keep (a what-if, not kernel behaviour"), std::string::npos) << p.setup;
    } else {
      ASSERT_EQ(kind, "wrong_table_wp");
      EXPECT_TRUE(crosses);
      EXPECT_EQ(p.questions[1].answers[0], "1");
      EXPECT_NE(fix.find("recompute ipa"), std::string::npos);
      // The pte v4 protects: index pte_index(ipa) of next's table, 512 pages on.
      EXPECT_TRUE(grade_text(p, 5, std::to_string(first + s2sim::mmu::PMD_PAGES)).right) << seed;
      EXPECT_NE(grade_text(p, 5, std::to_string(first)).hint.find("512 gfns on"), std::string::npos);
      EXPECT_EQ(j["pmd_entries"][0]["value"], "0x0000000000000000");  // the first region's pmd was unmapped
    }
  }
  for (const char* k : {"walk_non_present", "block_as_table", "wrong_table_wp"}) EXPECT_GT(kinds[k], 40) << k;
}

// q3 takes every statement of the seed walker by name or as written, and nothing
// else: a line number, which would change with the file's layout, is not an answer.
TEST(LabBug, TheStatementQuestionTakesTheTablesStatementsAndNoLineNumbers) {
  const Problem& p = problem(5, 1);
  for (const s2sim::mmu::WalkerStatement& s : s2sim::mmu::v4_statements()) {
    const Grade g = grade_text(p, 2, s.text);
    EXPECT_TRUE(g.answered) << s.text;
    EXPECT_EQ(g.right, std::string(s.name) == "pte_offset_kernel") << s.text;
    EXPECT_EQ(grade_text(p, 2, s.name).right, g.right) << s.name;
  }
  for (const char* bad : {"64", "60-64", "line 64"})
    EXPECT_THROW(read_answer_file(p, std::string("q3: ") + bad + "\n", "a.txt"), s2sim::InputError) << bad;
}

}  // namespace
