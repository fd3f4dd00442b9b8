#include "sim/cli/cmd_lab.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "sim/cli/cli.h"
#include "sim/cli/cmd_lab_args.h"
#include "sim/labs/lab8_write_a_walker/walker_build.h"
#include "sim/labs/lab_check.h"
#include "sim/labs/lab_key.h"
#include "sim/labs/lab_registry.h"
#include "sim/labs/lab_render.h"
#include "sim/report/output_file.h"
#include "util/error_text.h"
#include "util/input_error.h"

namespace s2sim::sim {

namespace {

int list_labs() {
  for (const lab::LabInfo& l : lab::labs()) {
    std::string name = l.name;
    name.resize(22, ' ');
    std::cout << "  " << l.number << "  " << name << l.goal << "\n";
  }
  return kExitOk;
}

// The problem the command line names (show and solve): a seed, or a student under a key.
lab::ProblemId id_from_args(const LabArgs& a, const lab::LabInfo& info) {
  lab::ProblemId id;
  id.lab = info.number;
  id.level = a.level.value_or(lab::Level::Normal);
  if (a.student) {
    id.student = *a.student;
    id.seed = lab::keyed_seed(*a.key, info.number, *a.student);
  } else {
    id.seed = a.seed.value_or(1);
  }
  return id;
}

}  // namespace

// The problem an answer file is graded against: the command line's, or what the
// file's header names (lab, seed or student, level); both must agree.
lab::ProblemId lab_answer_problem(const LabArgs& a, const lab::LabInfo& info, const lab::AnswerInput& in) {
  lab::AnswerHeader h;
  if (!info.check) h = lab::read_answer_header(in.text, in.name);  // a config (lab 6) has no header lines
  std::vector<InputError> errors;
  if (h.lab && *h.lab != info.number)
    errors.emplace_back(in.name, "lab: the file answers lab " + std::to_string(*h.lab) + ", this is lab " +
                                     std::to_string(info.number));
  if (h.seed && h.student) errors.emplace_back(in.name, "names both a seed and a student: one or the other");
  std::optional<std::uint64_t> seed = a.seed;
  std::optional<std::string> student = a.student;
  if (h.seed && seed && *h.seed != *seed)
    errors.emplace_back(in.name, "seed: the file says " + std::to_string(*h.seed) + ", the command line " +
                                     std::to_string(*seed));
  if (h.student && student && *h.student != *student)
    errors.emplace_back(in.name, "student: the file says " + *h.student + ", expected " + *student);
  if (h.level && a.level && *h.level != *a.level)
    errors.emplace_back(in.name, std::string("level: the file says ") + lab::to_string(*h.level) +
                                     ", the command line " + lab::to_string(*a.level));
  if (h.level && *h.level != lab::Level::Normal && !info.levels)
    errors.emplace_back(in.name, "level: lab " + std::to_string(info.number) + " has one level only");
  if (!seed) seed = h.seed;
  if (!student) student = h.student;
  if (student && seed) errors.emplace_back(in.name, "names a student, but a seed is given: one or the other");
  if (student && !a.key)
    errors.emplace_back(in.name, "the answers of student " + *student +
                                     " are graded with the lecturer's key (--key): the problem is made from it");
  if (student && a.key) {
    if (const std::string why = lab::student_id_problem(*student); !why.empty())
      errors.emplace_back(in.name, "student: " + why);
  }
  if (!errors.empty()) throw lab::InputErrors(std::move(errors));
  LabArgs named = a;
  named.seed = student ? std::nullopt : seed;
  named.student = student;
  named.level = a.level ? a.level : h.level;
  return id_from_args(named, info);
}

namespace {

void write_figures(const std::vector<lab::Figure>& figures, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) throw InputError(dir, "cannot create the directory");
  for (const lab::Figure& f : figures) {
    const std::string path = (std::filesystem::path(dir) / f.name).string();
    std::ofstream out(path, std::ios::binary);
    out << f.svg;
    if (!out) throw InputError(path, "cannot write the figure");
    std::cout << path << "\n";
  }
}

int show_or_solve(const LabArgs& a, const lab::LabInfo& info) {
  const lab::Problem p = info.make(id_from_args(a, info));
  const std::string lab_name = "lab " + std::to_string(info.number) + " (" + info.name + ")";
  if (a.config) {
    const std::string& cfg = a.sub == "show" ? p.config : p.solution_config;
    if (cfg.empty())
      throw InputError("lab " + a.sub + " --config",
                       lab_name + " has no config to " +
                           (a.sub == "show" ? "show (labs 4 and 6 have one)" : "solve with (lab 6 has one)"));
    std::cout << cfg;
    return kExitOk;
  }
  if (a.files_dir) {
    write_figures(p.files, *a.files_dir);
    return kExitOk;
  }
  if (a.svg_dir) {
    const auto& figs = a.sub == "solve" && !p.solved_figures.empty() ? p.solved_figures : p.figures;
    if (figs.empty()) throw InputError("lab " + a.sub + " --svg", lab_name + " has no figures");
    write_figures(figs, *a.svg_dir);
    return kExitOk;
  }
  if (a.sub == "show")
    std::cout << (a.json ? lab::show_json(p).dump(2) + "\n" : lab::show_text(p));
  else
    std::cout << lab::solve_text(p);
  return kExitOk;
}

int check(const LabArgs& a, const lab::LabInfo& info) {
  // The file is read and its header checked before the problem is made (lab 6 runs
  // the simulator to make it).
  // A coding lab grades a file by its path (a C++ file or the plug-in built from it).
  const lab::AnswerInput in =
      info.plugin ? lab::AnswerInput{a.files.front() == "-" ? "<stdin>" : a.files.front(),
                                     a.files.front() == "-" ? "" : a.files.front(), ""}
                  : lab::read_answer_input(a.files.front());
  const lab::ProblemId id = lab_answer_problem(a, info, in);
  const lab::Problem p = info.make(id);
  const lab::CheckResult r = lab::check_problem(info, p, in);
  if (a.json)
    std::cout << lab::check_json(r).dump(2) << "\n";
  else
    std::cout << r.report;
  return r.all_correct() ? kExitOk : kExitWrongAnswer;
}

}  // namespace

int build_plugin_cmd(const LabArgs& a, const lab::LabInfo& info) {
  const std::string& src = a.files.front();
  std::string out = a.output.value_or("");
  if (out.empty()) {
    const std::filesystem::path p(src);
    out = p.parent_path().empty() ? p.stem().string() + ".so" : (p.parent_path() / p.stem()).string() + ".so";
  }
  if (out == src) throw InputError("lab build -o", "the plug-in would replace its own source " + src);
  check_writable(out);
  const std::string cmd = lab::walker::build_plugin(src, out);
  std::cout << cmd << "\n" << out << ": lab " << info.number << " plug-in built; grade it with s2sim lab check "
            << info.number << " " << out << "\n";
  return kExitOk;
}

int cmd_lab(const std::vector<std::string>& args) {
  try {
    const LabArgs a = parse_lab_args(args);
    if (a.sub == "list") return list_labs();
    const lab::LabInfo& info = *lab::find_lab(a.number);
    if (a.sub == "grade") return grade_class(a, info);
    if (a.sub == "check") return check(a, info);
    if (a.sub == "build") return build_plugin_cmd(a, info);
    return show_or_solve(a, info);
  } catch (const lab::walker::BuildFailed& e) {
    // One error line, then the compiler's own words.
    std::cerr << "error: " << one_line(e.message()) << "\n" << e.compiler_output();
    return kExitBadInput;
  } catch (const lab::InputErrors& e) {
    // Every malformed line of an answer file, not only the first.
    for (const InputError& one : e.all()) std::cerr << "error: " << one_line(one.message()) << "\n";
    return kExitBadInput;
  }
}

}  // namespace s2sim::sim
