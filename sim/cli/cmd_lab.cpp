#include "sim/cli/cmd_lab.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "sim/cli/cli.h"
#include "sim/config/config_file.h"
#include "sim/labs/lab_check.h"
#include "sim/labs/lab_registry.h"
#include "sim/labs/lab_render.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace s2sim::sim {

namespace {

// A wrong lab answer shares exit status 1 with lost writes: "the run worked, the
// result is not what it should be".
constexpr int kExitWrongAnswer = kExitLostWrites;

const char* const kLabUsage =
    "s2sim lab list | show N [--seed S] [--json | --config] | solve N [--seed S] [--config] | "
    "check N [--seed S] FILE";

int list_labs() {
  for (const lab::LabInfo& l : lab::labs()) {
    std::string name = l.name;
    name.resize(22, ' ');
    std::cout << "  " << l.number << "  " << name << l.goal << (l.make ? "" : " (coming)") << "\n";
  }
  return kExitOk;
}

std::string read_answers(const std::string& path) {
  if (path == "-") return read_bounded(std::cin, "standard input", "the answers");
  return read_text_file(path, "answers file");
}

}  // namespace

int cmd_lab(const std::vector<std::string>& args) {
  if (args.empty()) throw InputError("lab", std::string("say what to do: ") + kLabUsage);
  const std::string& sub = args[0];
  if (sub == "list") {
    if (args.size() > 1) throw InputError("lab list", "takes no arguments, got \"" + args[1] + "\"");
    return list_labs();
  }
  if (sub != "show" && sub != "solve" && sub != "check")
    throw InputError("lab", "unknown subcommand \"" + sub + "\" (usage: " + kLabUsage + ")");
  const std::string where = "lab " + sub;

  std::optional<std::uint64_t> number, seed;
  std::optional<std::string> answers_path;
  bool json = false, config = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--seed") {
      if (i + 1 >= args.size()) throw InputError(where, "--seed needs a number");
      seed = parse_u64(args[++i]);
      if (!seed) throw InputError(where, "--seed: \"" + args[i] + "\" is not a 64-bit number");
    } else if (a == "--json" && sub == "show") {
      json = true;
    } else if (a == "--config" && sub != "check") {
      config = true;
    } else if (a.size() > 1 && a[0] == '-') {
      throw InputError(where, "unknown option \"" + a + "\" (usage: " + kLabUsage + ")");
    } else if (!number) {
      number = parse_u64(a);
      if (!number) throw InputError(where, "\"" + a + "\" is not a lab number (s2sim lab list shows them)");
    } else if (sub == "check" && !answers_path) {
      answers_path = a;
    } else {
      throw InputError(where, "unexpected argument \"" + a + "\" (usage: " + kLabUsage + ")");
    }
  }
  if (!number) throw InputError(where, "missing the lab number, e.g. s2sim " + where + " 1");
  const lab::LabInfo* info = *number <= 1000 ? lab::find_lab(static_cast<int>(*number)) : nullptr;
  if (!info) throw InputError(where, "there is no lab " + std::to_string(*number) + " (s2sim lab list shows them)");
  const std::string lab_name = "lab " + std::to_string(info->number) + " (" + info->name + ")";
  if (!info->make) throw InputError(where, lab_name + " is not written yet");
  if (json && config) throw InputError(where, "--json and --config exclude each other");
  if (sub == "check" && !answers_path)
    throw InputError(where, "missing the " + std::string(info->check ? "config" : "answer") +
                                " file, e.g. s2sim lab check " + std::to_string(info->number) + " --seed 1 " +
                                (info->check ? "my.json" : "answers.txt"));

  // A file that cannot be read is reported before the problem is made (lab 6 runs
  // the simulator to make it).
  const std::string name = answers_path ? (*answers_path == "-" ? "<stdin>" : *answers_path) : "";
  const std::string text = answers_path ? read_answers(*answers_path) : "";

  const lab::Problem p = info->make(seed.value_or(1));
  if (config) {
    const std::string& cfg = sub == "show" ? p.config : p.solution_config;
    if (cfg.empty())
      throw InputError(where + " --config",
                       lab_name + " has no config to " +
                           (sub == "show" ? "show (labs 4 and 6 have one)" : "solve with (lab 6 has one)"));
    std::cout << cfg;
    return kExitOk;
  }
  if (sub == "show") {
    if (json)
      std::cout << lab::show_json(p).dump(2) << "\n";
    else
      std::cout << lab::show_text(p);
    return kExitOk;
  }
  if (sub == "solve") {
    std::cout << lab::solve_text(p);
    return kExitOk;
  }
  // check: parse everything first, so a syntax error prints nothing else.
  if (info->check) {
    // Graded by running it: the report is built in full before anything is printed.
    std::ostringstream report;
    const int status = info->check(p, text, name, report);
    std::cout << report.str();
    return status == 0 ? kExitOk : kExitWrongAnswer;
  }
  const lab::AnswerFile answers = lab::read_answer_file(p, text, name);
  const std::vector<lab::Grade> grades = lab::grade(p, answers);
  std::cout << lab::check_report(p, answers, grades);
  return lab::all_right(grades) ? kExitOk : kExitWrongAnswer;
}

}  // namespace s2sim::sim
