#include "sim/cmd_lab.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "sim/cli.h"
#include "sim/lab_check.h"
#include "sim/lab_registry.h"
#include "sim/lab_render.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace s2sim::sim {

namespace {

// A wrong lab answer shares exit status 1 with lost writes: "the run worked, the
// result is not what it should be".
constexpr int kExitWrongAnswer = kExitLostWrites;

const char* const kLabUsage =
    "s2sim lab list | show N [--seed S] [--json] | solve N [--seed S] | check N [--seed S] ANSWERS";

int list_labs() {
  for (const lab::LabInfo& l : lab::labs()) {
    std::string name = l.name;
    name.resize(22, ' ');
    std::cout << "  " << l.number << "  " << name << l.goal << (l.make ? "" : " (needs s2sim run; coming)") << "\n";
  }
  return kExitOk;
}

std::string read_answers(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(path, "cannot read the answer file");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
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
  bool json = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--seed") {
      if (i + 1 >= args.size()) throw InputError(where, "--seed needs a number");
      seed = parse_u64(args[++i]);
      if (!seed) throw InputError(where, "--seed: \"" + args[i] + "\" is not a 64-bit number");
    } else if (a == "--json" && sub == "show") {
      json = true;
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
  if (!info->make)
    throw InputError(where, "lab " + std::to_string(info->number) + " (" + info->name +
                                ") needs s2sim run and is not written yet; labs 1-3 are");
  if (sub == "check" && !answers_path)
    throw InputError(where, "missing the answer file, e.g. s2sim lab check " + std::to_string(info->number) +
                                " --seed 1 answers.txt");

  const lab::Problem p = info->make(seed.value_or(1));
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
  // check: read and parse everything first, so a syntax error prints nothing else.
  const std::string name = *answers_path == "-" ? "<stdin>" : *answers_path;
  const lab::AnswerFile answers = lab::read_answer_file(p, read_answers(*answers_path), name);
  const std::vector<lab::Grade> grades = lab::grade(p, answers);
  std::cout << lab::check_report(p, answers, grades);
  return lab::all_right(grades) ? kExitOk : kExitWrongAnswer;
}

}  // namespace s2sim::sim
