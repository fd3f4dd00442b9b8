// The teaching labs: every seed's worked answers score full marks, every typical
// mistake gets its own hint, problems are deterministic per seed and differ across
// seeds, and answer files are read strictly but forgivingly.
#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "mmu/descriptor.h"
#include "mmu/granule.h"
#include "labs/lab_cache.h"
#include "labs/svg_reader.h"
#include "sim/labs/lab_check.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_registry.h"
#include "sim/labs/lab_render.h"
#include "sim/labs/lab_svg.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace {

using namespace s2sim::sim::lab;

constexpr std::uint64_t kSeeds = 200;

const LabInfo& lab_info(int n) {
  const LabInfo* l = find_lab(n);
  EXPECT_NE(l, nullptr);
  return *l;
}

// Problems are made once per (lab, seed) and shared by the tests that only read them.
const Problem& problem(int lab, std::uint64_t seed) { return s2sim::test::cached_problem(lab, seed); }
using s2sim::test::seed_id;

Grade grade_text(const Problem& p, std::size_t qi, const std::string& value) {
  const std::string file = "q" + std::to_string(qi + 1) + ": " + value + "\n";
  const AnswerFile a = read_answer_file(p, file, "t.txt");
  return grade(p, a)[qi];
}

class EveryLab : public ::testing::TestWithParam<int> {};

TEST_P(EveryLab, WorkedAnswersScoreFullMarksForEverySeed) {
  const LabInfo& l = lab_info(GetParam());
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Problem& p = problem(l.number, seed);
    ASSERT_FALSE(p.questions.empty());
    for (const std::string& text : {solve_text(p), answer_file_text(p)}) {
      const AnswerFile a = read_answer_file(p, text, "solve.txt");
      const std::vector<Grade> g = grade(p, a);
      ASSERT_TRUE(all_right(g)) << "lab " << l.number << " seed " << seed << "\n" << check_report(p, a, g);
    }
  }
}

TEST_P(EveryLab, EveryTypicalMistakeGetsItsHint) {
  const LabInfo& l = lab_info(GetParam());
  std::size_t mistakes = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Problem& p = problem(l.number, seed);
    for (std::size_t qi = 0; qi < p.questions.size(); ++qi) {
      for (const Mistake& m : p.questions[qi].mistakes) {
        ++mistakes;
        const Grade g = grade_text(p, qi, m.answer);
        ASSERT_TRUE(g.answered);
        EXPECT_FALSE(g.right) << "lab " << l.number << " seed " << seed << " q" << qi + 1 << ": " << m.answer;
        EXPECT_EQ(g.hint, m.hint) << "lab " << l.number << " seed " << seed << " q" << qi + 1 << ": " << m.answer;
        EXPECT_FALSE(m.hint.empty());
      }
    }
  }
  EXPECT_GT(mistakes, kSeeds * 3);
}

TEST_P(EveryLab, ShowIsDeterministicPerSeedAndDiffersAcrossSeeds) {
  const LabInfo& l = lab_info(GetParam());
  std::set<std::string> distinct, distinct_figures;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Problem& p = problem(l.number, seed);
    const std::string a = show_text(p);
    const Problem again = l.make(seed_id(l.number, seed));
    EXPECT_EQ(a, show_text(again)) << "seed " << seed;
    // The figures too, shown and solved.
    ASSERT_EQ(p.figures.size(), again.figures.size());
    for (std::size_t i = 0; i < p.figures.size(); ++i) EXPECT_EQ(p.figures[i].svg, again.figures[i].svg) << seed;
    ASSERT_EQ(p.solved_figures.size(), again.solved_figures.size());
    for (std::size_t i = 0; i < p.solved_figures.size(); ++i)
      EXPECT_EQ(p.solved_figures[i].svg, again.solved_figures[i].svg) << seed;
    std::string figs;
    for (const Figure& f : p.figures) figs += f.svg;
    distinct_figures.insert(figs);
    if (seed <= 20) {
      EXPECT_EQ(show_json(problem(l.number, seed)).dump(), show_json(l.make(seed_id(l.number, seed))).dump());
    }
    distinct.insert(a);
  }
  EXPECT_GE(distinct.size(), kSeeds - 2);
  // Lab 7's figure of the protocol depends on the setup only (20 of them); the others'
  // on the whole problem.
  EXPECT_GE(distinct_figures.size(), l.number == 7 ? 20u : kSeeds - 2) << "lab " << l.number;
}

TEST_P(EveryLab, AWrongAnswerIsExplained) {
  // Whatever is wrong, check says something: a mistake's hint or the question's explanation.
  const LabInfo& l = lab_info(GetParam());
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Problem& p = problem(l.number, seed);
    std::string file;
    for (std::size_t i = 0; i < p.questions.size(); ++i) {
      const AnswerSpec& s = p.questions[i].accepts;
      const std::string wrong = s.number || s.list ? "12345" : s.words.front().front();
      file += "q" + std::to_string(i + 1) + ": " + wrong + "\n";
    }
    const AnswerFile a = read_answer_file(p, file, "w.txt");
    for (const Grade& g : grade(p, a))
      if (!g.right) {
        EXPECT_FALSE(g.hint.empty());
      }
  }
}

// Labs 4 and 6 run the cycle engine several times per problem: tests/labs/lab_run_test.cpp
// covers them on fewer seeds. Lab 5 runs the walkers on one small table state: cheap. Lab 7
// runs perf-test five times, but a process keeps each run: its 20 setups cover every seed.
INSTANTIATE_TEST_SUITE_P(Labs, EveryLab, ::testing::Values(1, 2, 3, 5, 7));

TEST(LabRegistry, ListsEightLabsAllWritten) {
  ASSERT_EQ(labs().size(), 8u);
  for (const LabInfo& l : labs()) {
    EXPECT_EQ(&l, find_lab(l.number));
    EXPECT_NE(l.make, nullptr) << l.number;
    EXPECT_NE(std::string(l.handout), "") << l.number;
    // Lab 6 grades a config, lab 8 a walker (a plug-in), the others an answer file.
    EXPECT_EQ(l.check != nullptr, l.number == 6 || l.number == 8) << l.number;
    EXPECT_EQ(l.plugin, l.number == 8) << l.number;
  }
  EXPECT_EQ(find_lab(9), nullptr);
}

// --- the hints the labs exist for, found independently of the mistakes lists -----

std::uint64_t num(const nlohmann::json& j) { return s2sim::parse_u64(j.get<std::string>()).value(); }
std::uint64_t num(const std::string& s) { return s2sim::parse_u64(s).value(); }
std::string hexs(std::uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

TEST(LabDescriptor, AnswersAreTheDecodedFields) {
  namespace desc = s2sim::mmu::desc;
  int reserved = 0, unaligned = 0, swapped = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Problem& p = problem(1, seed);
    ASSERT_EQ(p.questions.size(), 21u);
    const auto& ds = p.setup_json["descriptors"];
    ASSERT_EQ(ds.size(), 5u);
    for (std::size_t i = 0; i < 5; ++i) {
      const std::uint64_t v = num(ds[i]["value"]);
      const int level = ds[i]["level"].get<int>();
      const std::size_t qt = 4 * i, qa = 4 * i + 1, qs = 4 * i + 2, qf = 4 * i + 3;
      // Type from bits [1:0] and the level, written out here from the ARM ARM table.
      const char* type = (v & 1) == 0   ? "invalid"
                         : (v & 3) == 3 ? (level == 3 ? "page" : "table")
                                        : (level == 3 ? "invalid" : "block");
      EXPECT_EQ(p.questions[qt].answers[0], type) << seed;
      const bool leaf = std::string(type) == "page" || std::string(type) == "block";
      EXPECT_EQ(p.questions[qf].answers[0], leaf ? ((v & desc::AF) ? "1" : "0") : "n/a");
      if (level == 3 && (v & 3) == 1) {
        ++reserved;
        EXPECT_NE(grade_text(p, qt, "block").hint.find("0b01 at level 3 is reserved"), std::string::npos);
      }
      if (std::string(type) == "block") {
        const std::uint64_t size_mask = (std::uint64_t{1} << (level == 1 ? 30 : 21)) - 1;
        const std::uint64_t field = v & desc::OA_MASK_40;
        EXPECT_EQ(num(p.questions[qa].answers[0]), field & ~size_mask);
        if (field & size_mask) {
          ++unaligned;
          const Grade g = grade_text(p, qa, hexs(field));
          EXPECT_NE(g.hint.find("forgot to align"), std::string::npos) << g.hint;
        }
      }
      if (p.questions[qs].answers[0] == "read-only") {
        ++swapped;
        EXPECT_NE(grade_text(p, qs, "write-only").hint.find("S2AP bit 6 is read, bit 7 is write"), std::string::npos);
      }
      if (p.questions[qs].answers[0] == "write-only") {
        EXPECT_NE(grade_text(p, qs, "Read Only").hint.find("S2AP bit 6 is read, bit 7 is write"), std::string::npos);
      }
    }
    // The encode question: swapping S2AP's two bits is named as such.
    const std::uint64_t want = num(p.questions[20].answers[0]);
    const std::uint64_t ap = (want >> 6) & 3;
    if (ap == 1 || ap == 2) {
      EXPECT_NE(grade_text(p, 20, hexs(want ^ (std::uint64_t{3} << 6))).hint.find("S2AP bit 6 is read, bit 7 is write"),
                std::string::npos);
    }
  }
  EXPECT_GT(reserved, 10);
  EXPECT_GT(unaligned, 10);
  EXPECT_GT(swapped, 10);
}

// A student's walk over the printed dump, written here from the ARM ARM so that it
// checks the dump and the answers independently of mmu::translate().
struct StudentWalk {
  std::map<std::uint64_t, std::uint64_t> words;
  std::uint64_t pgd = 0;
  enum class Slip { None, PgdModulo512, PmdFromPteBits };
  std::string operator()(std::uint64_t ipa, bool write, Slip slip, int* loads = nullptr,
                         std::uint64_t* last = nullptr, std::vector<std::uint64_t>* visited = nullptr) const {
    std::uint64_t table = pgd;
    int n = 0;
    for (int level = 1; level <= 3; ++level) {
      std::uint64_t idx = level == 1 ? (ipa >> 30) & 1023 : level == 2 ? (ipa >> 21) & 511 : (ipa >> 12) & 511;
      if (level == 1 && slip == Slip::PgdModulo512) idx &= 511;
      if (level == 2 && slip == Slip::PmdFromPteBits) idx = (ipa >> 12) & 511;
      if (visited) visited->push_back(table + idx * 8);
      const auto it = words.find(table + idx * 8);
      const std::uint64_t v = it == words.end() ? 0 : it->second;
      if (last) *last = v;
      ++n;
      if (loads) *loads = n;
      const std::string at = " at level " + std::to_string(level);
      if (!(v & 1) || (level == 3 && (v & 3) == 1)) return "translation fault" + at;
      if (level < 3 && (v & 3) == 3) {
        table = v & 0xFFFFFFF000ull;
        continue;
      }
      // AF = 0 faults before permissions are looked at (ARM ARM B3.12.3, fault priority).
      if (!(v & (std::uint64_t{1} << 10))) return "access-flag fault" + at;
      const unsigned ap = (v >> 6) & 3;
      if (write ? !(ap & 2) : !(ap & 1)) return "permission fault" + at;
      const std::uint64_t size = std::uint64_t{1} << (level == 1 ? 30 : level == 2 ? 21 : 12);
      return hexs(((v & 0xFFFFFFF000ull) & ~(size - 1)) | (ipa & (size - 1)));
    }
    return "?";
  }
};

StudentWalk student_of(const Problem& p) {
  StudentWalk s;
  s.pgd = num(p.setup_json["vttbr"]) & 0xFFFFFFE000ull;  // BADDR; VMID in [55:48]
  for (const auto& f : p.setup_json["frames"])
    for (const auto& w : f["words"]) s.words[num(w["pa"])] = num(w["value"]);
  return s;
}

TEST(LabWalk, TheDumpWalkedByHandGivesTheAnswersAndTheSlipsGetTheirHints) {
  int concat = 0, pmd_level = 0, block = 0, folded = 0, no_af = 0, reserved = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Problem& p = problem(2, seed);
    const StudentWalk walk = student_of(p);
    const auto& acc = p.setup_json["accesses"];
    ASSERT_EQ(acc.size(), 4u);
    ASSERT_EQ(p.questions.size(), 5u);
    int loads[4] = {};
    for (std::size_t i = 0; i < 4; ++i) {
      const std::uint64_t ipa = num(acc[i]["ipa"]);
      const bool write = acc[i]["access"] == "write";
      std::uint64_t last = 0;
      const std::string right = walk(ipa, write, StudentWalk::Slip::None, &loads[i], &last);
      ASSERT_TRUE(grade_text(p, i, right).right) << "seed " << seed << " q" << i + 1 << ": " << right;
      no_af += right.rfind("access-flag fault", 0) == 0;
      reserved += (last & 3) == 1 && right == "translation fault at level 3";
      const std::string modulo = walk(ipa, write, StudentWalk::Slip::PgdModulo512);
      if (((ipa >> 30) & 1023) >= 512 && !grade_text(p, i, modulo).right) {
        ++concat;
        EXPECT_NE(grade_text(p, i, modulo).hint.find("forgot the concatenated pgd"), std::string::npos) << seed;
      }
      const std::string pmd = walk(ipa, write, StudentWalk::Slip::PmdFromPteBits);
      if (!grade_text(p, i, pmd).right &&
          grade_text(p, i, pmd).hint.find("used the pmd index of the wrong level") != std::string::npos)
        ++pmd_level;
      if (p.questions[i].steps.back().find("IPA[20:0]") != std::string::npos) {  // a 2 MiB block was the leaf
        ++block;
        EXPECT_NE(grade_text(p, i, "translation fault at level 3").hint.find("missed that a block ends the walk"),
                  std::string::npos);
      }
    }
    // q5 counts the loads of one of them.
    const std::string q5 = p.questions[4].text;
    const std::size_t k = static_cast<std::size_t>(q5[q5.find("for q") + 5] - '1');
    EXPECT_EQ(p.questions[4].answers[0], std::to_string(loads[k])) << seed;
    if (loads[k] == 3) {
      ++folded;
      EXPECT_NE(grade_text(p, 4, "4").hint.find("as if the pud were not folded"), std::string::npos);
    }
  }
  EXPECT_GT(concat, 20);
  EXPECT_GT(pmd_level, 20);
  EXPECT_GT(block, 100);
  EXPECT_GT(folded, 20);
  // Normal problems hold the AF = 0 page or the reserved level-3 encoding, about half each.
  EXPECT_GT(no_af, 50);
  EXPECT_GT(reserved, 50);
}

TEST(LabMasked, AnswersMatchTheKernelsArithmeticAndTheSlipsGetTheirHints) {
  int crossing = 0, first_pmd = 0;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Problem& p = problem(3, seed);
    ASSERT_EQ(p.questions.size(), 9u);
    const auto& j = p.setup_json;
    const std::uint64_t base = num(j["base_gfn"]), off = j["gfn_offset"].get<std::uint64_t>(), mask = num(j["mask"]);
    const std::uint64_t gfnofst = base + off;
    const unsigned bits = static_cast<unsigned>(std::popcount(mask));
    const std::uint64_t first = gfnofst + static_cast<unsigned>(std::countr_zero(mask));
    const std::uint64_t last = gfnofst + 63u - static_cast<unsigned>(std::countl_zero(mask));
    const bool crosses = s2sim::mmu::crosses_pmd(gfnofst, 32);
    std::set<std::uint64_t> regions;
    std::string gfns;
    for (std::uint64_t m = mask; m; m &= m - 1) {
      const std::uint64_t g = gfnofst + static_cast<unsigned>(std::countr_zero(m));
      regions.insert(s2sim::mmu::pmd_region(g));
      gfns += (gfns.empty() ? "" : ",") + std::to_string(g);
    }
    const std::uint64_t range_regions = s2sim::mmu::pmd_region(last) - s2sim::mmu::pmd_region(first) + 1;
    EXPECT_TRUE(grade_text(p, 0, gfns).right) << seed;
    EXPECT_EQ(p.questions[1].answers[0], crosses ? "true" : "false") << seed;
    EXPECT_EQ(p.questions[4].answers[0], std::to_string(last - first + 1));
    EXPECT_EQ(p.questions[5].answers[0], std::to_string(2 * bits));
    // v4: crosses_pmd repeats the upper walk per bit; otherwise the level-1 entry once
    // and the pmd once per bit (pte_offset_kernel(pmd, ipa) reads *pmd every pass).
    EXPECT_EQ(p.questions[6].answers[0], std::to_string(crosses ? 2 * bits : 1 + bits));
    if (!crosses && bits > 1) {
      EXPECT_NE(grade_text(p, 6, "2").hint.find("reads the pmd entry again"), std::string::npos) << seed;
    }
    EXPECT_EQ(p.questions[7].answers[0], std::to_string(2 * regions.size()));
    EXPECT_EQ(p.questions[8].answers[0], std::to_string(1 + range_regions));

    EXPECT_NE(grade_text(p, 1, crosses ? "no" : "YES").hint.find("wrong crosses_pmd"), std::string::npos);
    EXPECT_NE(grade_text(p, 5, std::to_string(3 * bits)).hint.find("as if the pud were not folded"), std::string::npos);
    crossing += crosses;
    // Two pmd entries printed, the last set bit in the second region: the first's
    // entry is the classic slip.
    const auto& pmds = j["pmd_entries"];
    if (pmds.size() == 2 && s2sim::mmu::pmd_region(first) != s2sim::mmu::pmd_region(last)) {
      ++first_pmd;
      ASSERT_TRUE(grade_text(p, 2, pmds[1]["pa"].get<std::string>()).right) << seed;
      EXPECT_NE(grade_text(p, 2, pmds[0]["pa"].get<std::string>())
                    .hint.find("you used the pmd index of the first page for the second: this window crosses a pmd"),
                std::string::npos);
    }
  }
  EXPECT_GT(crossing, 50);
  EXPECT_GT(first_pmd, 40);
}

// --- reading answers --------------------------------------------------------------

TEST(LabAnswer, WordsNumbersListsAndFaultsReadForgivingly) {
  AnswerSpec words;
  words.words = {{"read-only", "ro"}, {"read/write", "rw"}, not_applicable_words()};
  for (const char* t : {"read-only", "Read Only", " READONLY ", "ro", "read_only"})
    EXPECT_EQ(read_answer(words, t)->word, "read-only") << t;
  for (const char* t : {"read/write", "Read-Write", "rw"}) EXPECT_EQ(read_answer(words, t)->word, "read/write") << t;
  for (const char* t : {"n/a", "N/A", "-", "not applicable", "na"}) EXPECT_EQ(read_answer(words, t)->word, "n/a") << t;
  std::string why;
  EXPECT_FALSE(read_answer(words, "writable", &why));
  EXPECT_NE(why.find("read-only, read/write or n/a"), std::string::npos) << why;

  AnswerSpec number;
  number.number = true;
  EXPECT_EQ(read_answer(number, "0X1f")->number, 31u);
  EXPECT_EQ(read_answer(number, "0b101")->number, 5u);
  EXPECT_EQ(read_answer(number, " 42 ")->number, 42u);
  EXPECT_FALSE(read_answer(number, "0x"));
  EXPECT_FALSE(read_answer(number, "4 2"));

  AnswerSpec list;
  list.list = true;
  const std::vector<std::uint64_t> want = {16, 17, 18, 32};
  for (const char* t : {"0x10, 0x11, 0x12, 0x20", "32,16 ,17,18", "0x10-0x12, 32", "16 .. 18 32", "16 - 18, 0x20, 16"})
    EXPECT_EQ(read_answer(list, t)->list, want) << t;
  EXPECT_TRUE(read_answer(list, "none")->list.empty());
  for (const char* t : {"", "1,,x", "5-3", "-3", "3-"}) EXPECT_FALSE(read_answer(list, t)) << t;

  AnswerSpec fault;
  fault.fault = true;
  fault.number = true;
  for (const char* t : {"translation fault at level 2", "Translation Fault, Level 2", "translation fault level 2",
                        "translation L2", "translation level2"})
    EXPECT_EQ(read_answer(fault, t)->word, "translation fault at level 2") << t;
  EXPECT_EQ(read_answer(fault, "access flag fault at level 3")->word, "access-flag fault at level 3");
  EXPECT_EQ(read_answer(fault, "permission fault at level 3")->kind, AnswerValue::Kind::Fault);
  EXPECT_EQ(read_answer(fault, "0x1234")->kind, AnswerValue::Kind::Number);
  for (const char* t : {"translation fault at level 5", "fault at level 2", "translation fault"})
    EXPECT_FALSE(read_answer(fault, t)) << t;
}

TEST(LabAnswerFile, CommentsBlankLinesCaseAndSpacing) {
  const Problem p = make_descriptor_lab(seed_id(1, 1));
  const std::string text = "# my answers\n\n  Q1 :  " + p.questions[0].answers[0] +
                           "   # the type\r\nq2:" + p.questions[1].answers[0] + "\n";
  const AnswerFile a = read_answer_file(p, text, "a.txt");
  ASSERT_TRUE(a.answers[0]);
  EXPECT_EQ(a.answers[0]->line, 3);
  const std::vector<Grade> g = grade(p, a);
  EXPECT_TRUE(g[0].right);
  EXPECT_TRUE(g[1].right);
  EXPECT_FALSE(g[2].answered);
  EXPECT_FALSE(all_right(g));
  const std::string report = check_report(p, a, g);
  EXPECT_NE(report.find("q3   missing"), std::string::npos) << report;
  EXPECT_NE(report.find("score: 2/21"), std::string::npos) << report;
}

TEST(LabAnswerFile, SyntaxErrorsNameFileAndLine) {
  const Problem p = make_descriptor_lab(seed_id(1, 1));
  auto error_of = [&](const std::string& text) -> std::string {
    try {
      read_answer_file(p, text, "x.txt");
    } catch (const s2sim::InputError& e) {
      return e.message();
    }
    return "";
  };
  EXPECT_EQ(error_of("# ok\nq1 page\n").rfind("x.txt:2: expected \"qN: value\"", 0), 0u) << error_of("q1 page");
  EXPECT_EQ(error_of("page\n").rfind("x.txt:1: expected", 0), 0u);
  EXPECT_EQ(error_of("q: page\n").rfind("x.txt:1: expected", 0), 0u);
  EXPECT_EQ(error_of("q22: 1\n").rfind("x.txt:1: q22: lab 1 has questions q1 to q21", 0), 0u) << error_of("q22: 1\n");
  EXPECT_EQ(error_of("q0: 1\n").rfind("x.txt:1: q0:", 0), 0u);
  EXPECT_EQ(error_of("q1: page\n\nq1: block\n").rfind("x.txt:3: q1 is answered twice (first on line 1)", 0), 0u);
  EXPECT_EQ(error_of("q1:\n").rfind("x.txt:1: q1: no value", 0), 0u);
  EXPECT_EQ(error_of("q1: blok\n").rfind("x.txt:1: q1: \"blok\" is not page, block, table or invalid", 0), 0u)
      << error_of("q1: blok\n");
  EXPECT_EQ(error_of("q2: 0xZZ\n").rfind("x.txt:1: q2: \"0xZZ\" is not", 0), 0u);
  // A file without one answer is malformed (exit 2), not a paper with every answer missing.
  EXPECT_EQ(error_of("# nothing\nlab: 1\n"), "x.txt: no answer in the file (one a line: \"q1: value\")");
}

// --- figures, read back -------------------------------------------------------------

const Figure& figure(const std::vector<Figure>& figs, const std::string& name) {
  for (const Figure& f : figs)
    if (f.name == name) return f;
  ADD_FAILURE() << "no figure " << name;
  static const Figure none;
  return none;
}

std::string pa10(std::uint64_t pa) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%010llX", static_cast<unsigned long long>(pa));
  return buf;
}

// Lab 2's tree, read back: in the solved figure every entry the independent walk of
// question N loads is a row (its PA and value) on a marked band labelled with qN; the
// figure `show` writes marks nothing.
TEST(LabFigureContent, TheSolvedTreeMarksExactlyTheEntriesEachWalkLoads) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const Problem& p = problem(2, seed);
    const StudentWalk walk = student_of(p);
    const auto shown = s2sim::test::read_svg(figure(p.figures, "lab2-tree.svg").svg, "tree");
    for (const auto& r : shown.rects) EXPECT_NE(r.fill, kMarkFill) << seed;
    const auto solved = s2sim::test::read_svg(figure(p.solved_figures, "lab2-tree.svg").svg, "solved tree");
    const auto& acc = p.setup_json["accesses"];
    std::size_t marked_rows = 0;
    for (const auto& r : solved.rects) marked_rows += r.fill == kMarkFill;
    std::set<std::uint64_t> all_visited;
    for (std::size_t i = 0; i < acc.size(); ++i) {
      std::vector<std::uint64_t> visited;
      walk(num(acc[i]["ipa"]), acc[i]["access"] == "write", StudentWalk::Slip::None, nullptr, nullptr, &visited);
      ASSERT_FALSE(visited.empty());
      const std::string q = "q" + std::to_string(i + 1);
      for (const std::uint64_t pa : visited) {
        all_visited.insert(pa);
        const auto w = walk.words.find(pa);
        const s2sim::test::SvgText* entry = nullptr;
        for (const auto& t : solved.texts)
          if (t.mono && t.text.find(pa10(pa) + ": ") != std::string::npos) entry = &t;
        ASSERT_NE(entry, nullptr) << "seed " << seed << " " << q << ": no row for " << pa10(pa);
        const std::uint64_t value = w == walk.words.end() ? 0 : w->second;
        EXPECT_EQ(entry->text.substr(entry->text.find(": ") + 2), "0x" + [&] {
          char buf[24];
          std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(value));
          return std::string(buf);
        }()) << entry->text;
        bool labelled = false;
        for (const auto& t : solved.texts)
          if (t.y == entry->y && !t.mono) {
            std::string labels = "," + t.text + ",";
            labelled = labelled || labels.find("," + q + ",") != std::string::npos;
          }
        EXPECT_TRUE(labelled) << "seed " << seed << " " << q << ": " << entry->text;
        bool band = false;
        for (const auto& r : solved.rects) band = band || (r.fill == kMarkFill && r.y + 12 == entry->y);
        EXPECT_TRUE(band) << "seed " << seed << " " << q << ": " << entry->text;
      }
    }
    // One band per entry some walk loads, no more.
    EXPECT_EQ(marked_rows, all_visited.size()) << seed;
  }
}

// Lab 1's field figures, read back: the 64 bit cells of descriptor X's figure, high bit
// first, spell the value the problem prints for X.
TEST(LabFigureContent, EachFieldFigureSpellsItsDescriptorBitForBit) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const Problem& p = problem(1, seed);
    for (const auto& d : p.setup_json["descriptors"]) {
      const std::string name = "lab1-" + d["name"].get<std::string>() + ".svg";
      const auto doc = s2sim::test::read_svg(figure(p.figures, name).svg, name);
      std::uint64_t v = 0;
      int bits = 0;
      for (const auto& t : doc.texts)
        if (t.mono && (t.text == "0" || t.text == "1")) {
          v = (v << 1) | (t.text == "1");
          ++bits;
        }
      EXPECT_EQ(bits, 64) << name;
      EXPECT_EQ(v, num(d["value"])) << "seed " << seed << " " << name;
    }
  }
}

// Lab 3's window, read back: the solved figure draws a 2 MiB boundary exactly where
// the window's pages change pmd region (the answer to crosses_pmd, worked here from
// base_gfn and gfn_offset); the figure `show` writes draws none.
TEST(LabFigureContent, TheSolvedWindowDrawsTheTwoMiBBoundaryWhereItFalls) {
  int crossing = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const Problem& p = problem(3, seed);
    const std::uint64_t gfnofst = num(p.setup_json["base_gfn"]) + p.setup_json["gfn_offset"].get<std::uint64_t>();
    std::vector<std::string> want;
    for (std::uint64_t g = gfnofst + 1; g < gfnofst + 32; ++g)
      if (g % 512 == 0) want.push_back("2 MiB boundary (IPA " + pa10(g << 12) + ")");
    crossing += !want.empty();
    auto boundaries = [](const s2sim::test::SvgDoc& doc) {
      std::vector<std::string> out;
      for (const auto& t : doc.texts)
        if (t.text.rfind("2 MiB boundary", 0) == 0) out.push_back(t.text);
      return out;
    };
    EXPECT_TRUE(boundaries(s2sim::test::read_svg(p.figures.front().svg, "window")).empty()) << seed;
    EXPECT_EQ(boundaries(s2sim::test::read_svg(figure(p.solved_figures, "lab3-window.svg").svg, "solved")), want)
        << seed;
  }
  EXPECT_GT(crossing, 5);
}

// Lab 4's sequence diagrams, read back: the kernel's order top to bottom (snapshot,
// protect, unlock, copy_to_user, then the ARM caller's flush, then the return), and
// this problem's figure shows its own switch: no flush, or the snapshot after the
// protect.
TEST(LabFigureContent, TheSequenceDiagramsFollowTheKernelsOrderAndTheProblemsSwitch) {
  auto y_of = [](const s2sim::test::SvgDoc& doc, const std::string& prefix) {
    for (const auto& t : doc.texts)
      if (t.text.rfind(prefix, 0) == 0) return t.y;
    ADD_FAILURE() << "no step " << prefix;
    return -1.0;
  };
  int no_flush = 0, late_snapshot = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const Problem& p = problem(4, seed);
    const auto kernel = s2sim::test::read_svg(figure(p.figures, "lab4-kernel-order.svg").svg, "kernel order");
    const std::vector<std::string> order = {"spin_lock(mmu_lock)", "snapshot: xchg", "protect: kvm_mmu_write_protect",
                                            "spin_unlock(mmu_lock)", "copy_to_user", "kvm_flush_remote_tlbs",
                                            "ioctl returns"};
    for (std::size_t i = 1; i < order.size(); ++i) EXPECT_LT(y_of(kernel, order[i - 1]), y_of(kernel, order[i]));
    const auto mine = s2sim::test::read_svg(figure(p.figures, "lab4-this-order.svg").svg, "this order");
    if (p.setup_json["switch"] == "flush_tlbs=false") {
      ++no_flush;
      EXPECT_GT(y_of(mine, "no kvm_flush_remote_tlbs"), y_of(mine, "protect: kvm_mmu_write_protect"));
    } else {
      ++late_snapshot;
      EXPECT_GT(y_of(mine, "snapshot after the protect"), y_of(mine, "kvm_flush_remote_tlbs"));
    }
  }
  EXPECT_GT(no_flush, 0);
  EXPECT_GT(late_snapshot, 0);
}

}  // namespace
