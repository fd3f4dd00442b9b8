// Lab 8, write a walker: the student writes kvm_mmu_write_protect_pt_masked in C++
// against s2sim_walker.h, builds it into a plug-in (s2sim lab build 8) and check
// grades it by running it (walker_grade.h) in a child process (walker_sandbox.h).
// No worked solution is shipped: the reference walker lives in the test tree.
#include <cstdlib>
#include <sstream>

#include "sim/labs/lab8_write_a_walker/walker_build.h"
#include "sim/labs/lab8_write_a_walker/walker_figures.h"
#include "sim/labs/lab8_write_a_walker/walker_grade.h"
#include "sim/labs/lab8_write_a_walker/walker_plugin.h"
#include "sim/labs/lab8_write_a_walker/walker_sandbox.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_text.h"
#include "util/parse_number.h"

namespace s2sim::sim::lab {

namespace walker {
namespace {

// How long the child may run the plug-in (the windows and the campaign take a few
// seconds) before it is killed as a walker that never returns. $S2SIM_LAB8_TIMEOUT_S
// sets it (whole seconds, 1 or more): tests stop an endless loop within a second.
constexpr int kTimeoutS = 120;
constexpr const char* kTimeoutVar = "S2SIM_LAB8_TIMEOUT_S";

int grading_timeout_s() {
  const char* text = std::getenv(kTimeoutVar);
  if (!text) return kTimeoutS;
  const auto v = parse_u64(text);
  if (!v || *v < 1 || *v > 86400)
    throw InputError(std::string("$") + kTimeoutVar,
                     "\"" + std::string(text) + "\" is not a whole number of seconds from 1 to 86400");
  return static_cast<int>(*v);
}

const char* const kStarter =
    "// Lab 8: your kvm_mmu_write_protect_pt_masked (s2sim lab show 8 explains the task).\n"
    "//   s2sim lab build 8 walker.cpp    compiles it (the compiler's messages if it does not)\n"
    "//   s2sim lab check 8 walker.cpp    grades it\n"
    "#include \"s2sim_walker.h\"\n"
    R"(
extern "C" void kvm_mmu_write_protect_pt_masked(struct kvm *kvm, struct kvm_memory_slot *slot, gfn_t gfn_offset,
                                                unsigned long mask) {
  // Every page slot->base_gfn + gfn_offset + i whose bit i is set in mask must end up
  // read-only: walk pgd_offset -> s2_read_pud -> pmd_offset -> s2_read_pmd ->
  // pte_offset_kernel -> s2_read_pte, and s2_write_pte(kvm_set_s2pte_readonly(...)).
  (void)kvm;
  (void)slot;
  (void)gfn_offset;
  (void)mask;
}
)";

struct Points {
  int windows = 3, no_lost_write = 3, hazards = 2, upper_loads = 2;
};

std::string first_of(const std::vector<std::string>& v) { return v.empty() ? std::string() : v.front(); }

}  // namespace
}  // namespace walker

Problem make_walker_lab(const ProblemId& id) {
  Problem p = start_problem(id, "write a walker");
  const walker::FigureWindow fw = walker::figure_window(id.seed);
  p.setup =
      "Write kvm_mmu_write_protect_pt_masked(kvm, slot, gfn_offset, mask) in C++: for every bit i set in\n"
      "mask, write-protect the page slot->base_gfn + gfn_offset + i in the ARMv7 LPAE stage-2 tables\n"
      "(pgd -> pmd -> pte, pud folded), as get_dirty_log needs after it took those pages' dirty bits.\n"
      "The interface is s2sim_walker.h; read and write descriptors only through its s2_read_* and\n"
      "s2_write_* functions (each load and store is counted and checked).\n\n"
      "Get the header and a starter file, build, grade:\n"
      "  s2sim lab show 8 --files .\n"
      "  s2sim lab build 8 walker.cpp\n"
      "  s2sim lab check 8 walker.cpp   # exits 1\n\n"
      "check runs your walker in a child process and grades (10 points):\n"
      "  windows (3)        direct calls on every word of slots 2 MiB aligned, 16 and 7 pages past a\n"
      "                     boundary and 16 pages before a 1 GiB boundary; 32- and 64-bit words; full,\n"
      "                     first, last, first+last and scattered masks; tables fully mapped, with holes,\n"
      "                     without the pmd of the window's first or last page, or with a 2 MiB block\n"
      "                     there. Every mapped page of the mask must be read-only afterwards, nothing\n"
      "                     outside [__ffs(mask), __fls(mask)] may change.\n"
      "  no_lost_write (3)  six small migrations run with your walker, verifier and invariant checker on\n"
      "  hazards (2)        no hazard in either: a table pointer taken from an empty entry or a block, a\n"
      "                     store into an entry that does not map its address, a page of the mask left\n"
      "                     writable without being looked at\n"
      "  upper_loads (2)    on fully mapped tables, at most as many pgd/pmd loads as the 2014 seed's\n"
      "                     crosses_pmd walker (v4) makes on the same calls (only once windows passes)\n"
      "A walker that has not returned after " + std::to_string(walker::kTimeoutS) +
      " s is stopped (an endless loop) and scores what was measured\n"
      "before; $S2SIM_LAB8_TIMEOUT_S sets that limit in seconds.\n\n"
      "Every seed gets the same grader: the windows already cover every word of every slot alignment,\n"
      "and a grader drawn per seed would let a walker that misses one case pass on a seed that does not\n"
      "try it. The seed picks only the window the figures draw (s2sim lab show 8 " + id.args() +
      " --svg DIR),\none of the grader's: " + fw.c.text().substr(0, fw.c.text().rfind(',')) + ", mask " +
      hex(fw.mask) + ".\n";
  p.setup_json = {{"points", {{"windows", 3}, {"no_lost_write", 3}, {"hazards", 2}, {"upper_loads", 2}}},
                  {"files", {"s2sim_walker.h", "walker.cpp"}},
                  {"figure_window",
                   {{"base_gfn", hex(fw.c.base)}, {"bits_per_long", fw.c.bpl}, {"word", fw.c.word}, {"mask", hex(fw.mask)}}}};
  p.answer_format =
      "Hand in walker.cpp (or the plug-in lab build made from it): check grades it as above, and\n"
      "check --json gives the points of each criterion.\n";
  p.solution =
      "Lab 8 is graded by running your walker: there is no worked answer to print. s2sim lab check 8\n"
      "says which calls fail and why; docs/labs/08-write-a-walker.md walks through the kernel's walk.\n";
  p.files = {{"s2sim_walker.h", walker::student_header_text()}, {"walker.cpp", walker::kStarter}};
  p.figures = walker::walker_figures(fw);
  finalize(p);
  return p;
}

CheckResult check_walker(const Problem& p, const AnswerInput& in) {
  using namespace walker;
  if (in.path.empty()) throw InputError(in.name, "lab 8 grades a file: walker.cpp or the plug-in built from it");
  const int timeout_s = grading_timeout_s();
  // Build in this process, so that a compiler error is exit 2 with its output ...
  std::optional<ScratchDir> scratch;
  std::string so = in.path;
  if (!is_shared_object(in.path)) {
    scratch.emplace();
    so = scratch->path() + "/walker.so";
    build_plugin(in.path, so);
  }
  // ... and run the plug-in in a child, so that a crash is the walker's, not check's.
  const ChildRun run = run_in_child(
      [&](const auto& emit) {
        std::shared_ptr<const Plugin> plugin;
        try {
          plugin = Plugin::load(so);
        } catch (const InputError& e) {
          emit({{"load_error", e.message()}});
          return;
        }
        const WalkerFactory make = [plugin] { return make_plugin_walker(plugin); };
        emit({{"windows", to_json(measure_windows(make))}});
        emit({{"campaign", to_json(measure_campaign(make))}});
      },
      timeout_s);
  std::optional<WindowMeasure> win;
  std::optional<CampaignMeasure> camp;
  for (const nlohmann::json& j : run.lines) {
    if (!j.is_object()) continue;
    if (j.contains("load_error"))
      throw InputError(in.name, j["load_error"].get<std::string>().substr(so.size() + 2));
    if (j.contains("error")) throw std::runtime_error("lab 8 grader: " + j["error"].get<std::string>());
    if (j.contains("windows")) win = window_measure_from(j["windows"]);
    if (j.contains("campaign")) camp = campaign_measure_from(j["campaign"]);
  }
  const std::string crashed = run.finished ? std::string() : "your walker " + run.how;

  CheckResult r;
  r.id = p.id;
  r.title = p.title;
  r.source = in.name;
  const Points pts;
  auto add = [&](const char* id, int max, bool measured, bool ok, const std::string& given, const std::string& hint) {
    QuestionResult q;
    q.id = id;
    q.answered = measured;
    q.correct = measured && ok;
    q.max_points = max;
    q.points = q.correct ? max : 0;
    q.given = given;
    q.hint = q.correct ? "" : !measured ? crashed + " before this was measured" : hint;
    r.questions.push_back(std::move(q));
  };
  add("windows", pts.windows, win.has_value(), win && win->failures == 0,
      win ? std::to_string(win->failures) + " wrong page(s) in " + std::to_string(win->calls) + " calls" : "",
      win ? "first: " + first_of(win->first_failures) : "");
  add("no_lost_write", pts.no_lost_write, camp.has_value(),
      camp && camp->lost_writes == 0 && camp->invariant_violations == 0,
      camp ? std::to_string(camp->lost_writes) + " lost write(s) in " + std::to_string(camp->runs) + " migrations"
           : "",
      camp ? "a write after get_dirty_log took its page's dirty bit went unlogged: " + first_of(camp->first_problems)
           : "");
  const bool hz_measured = win && camp;
  const std::uint64_t hz = hz_measured ? win->hazards + camp->hazards : 0;
  add("hazards", pts.hazards, hz_measured, hz == 0, hz_measured ? std::to_string(hz) + " hazard(s)" : "",
      hz_measured ? (win->hazards ? "first: " + first_of(win->first_hazards) : first_of(camp->first_problems)) : "");
  add("upper_loads", pts.upper_loads, win.has_value(), win && win->failures == 0 && win->upper_loads <= win->v4_upper_loads,
      win ? std::to_string(win->upper_loads) + " (v4: " + std::to_string(win->v4_upper_loads) + ")" : "",
      win && win->failures ? "counted only once every window is right"
                           : "more upper-level loads than crosses_pmd: walk the pgd and pmd once per 2 MiB region a "
                             "word touches, not once per page");

  std::ostringstream out;
  out << "lab " << p.lab << " (" << p.title << "), walker from " << in.name << "\n";
  if (!crashed.empty()) out << "note: " << crashed << "; what was measured before counts, the rest scores 0\n";
  for (const QuestionResult& q : r.questions) {
    std::string id = q.id;
    id.resize(15, ' ');
    out << id << (q.correct ? "right  " : "wrong  ") << q.points << "/" << q.max_points << "  " << q.given << "\n";
    if (!q.correct) out << "               hint: " << q.hint << "\n";
  }
  if (win && camp)
    for (std::size_t i = 1; i < win->first_failures.size(); ++i) out << "  also: " << win->first_failures[i] << "\n";
  out << "score: " << r.score() << "/" << r.max() << " points\n";
  r.report = out.str();
  return r;
}

}  // namespace s2sim::sim::lab
