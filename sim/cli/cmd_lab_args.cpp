#include "sim/cli/cmd_lab_args.h"

#include "sim/labs/lab_key.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace s2sim::sim {

namespace {

const char* const kLabUsage =
    "s2sim lab list | show N [--seed S | --key K --student ID] [--level L] [--json | --config | --svg DIR] | "
    "solve N [...] [--config | --svg DIR] | check N [...] [--json] FILE | "
    "grade N --roster CSV --answers DIR [--key K] --csv OUT | show 8 --files DIR | build 8 walker.cpp [-o PLUGIN]";

bool takes(const std::string& sub, const std::string& option) {
  if (option == "-o") return sub == "build";
  if (option == "--files") return sub == "show";
  if (sub == "build") return false;
  if (option == "--json") return sub == "show" || sub == "check";
  if (option == "--config") return sub == "show" || sub == "solve";
  if (option == "--svg") return sub == "show" || sub == "solve";
  if (option == "--seed" || option == "--student") return sub != "grade";
  if (option == "--roster" || option == "--answers" || option == "--csv") return sub == "grade";
  return option == "--key" || option == "--level";
}

}  // namespace

LabArgs parse_lab_args(const std::vector<std::string>& args) {
  if (args.empty()) throw InputError("lab", std::string("say what to do: ") + kLabUsage);
  LabArgs a;
  a.sub = args[0];
  if (a.sub == "list") {
    if (args.size() > 1) throw InputError("lab list", "takes no arguments, got \"" + args[1] + "\"");
    return a;
  }
  if (a.sub != "show" && a.sub != "solve" && a.sub != "check" && a.sub != "grade" && a.sub != "build")
    throw InputError("lab", "unknown subcommand \"" + a.sub + "\" (usage: " + kLabUsage + ")");
  const std::string where = "lab " + a.sub;
  std::optional<std::uint64_t> number;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& o = args[i];
    if (o.size() > 1 && o[0] == '-') {
      if (!takes(a.sub, o)) throw InputError(where, "unknown option \"" + o + "\" (usage: " + kLabUsage + ")");
      if (o == "--json" || o == "--config") {
        (o == "--json" ? a.json : a.config) = true;
        continue;
      }
      if (i + 1 >= args.size()) throw InputError(where, o + " needs a value");
      const std::string& v = args[++i];
      if (o == "--seed") {
        a.seed = parse_u64(v);
        if (!a.seed) throw InputError(where, "--seed: \"" + v + "\" is not a 64-bit number");
      } else if (o == "--key") {
        if (const std::string why = lab::key_problem(v); !why.empty()) throw InputError(where, "--key: " + why);
        a.key = v;
      } else if (o == "--student") {
        if (const std::string why = lab::student_id_problem(v); !why.empty())
          throw InputError(where, "--student: " + why);
        a.student = v;
      } else if (o == "--level") {
        a.level = lab::level_from(v);
        if (!a.level) throw InputError(where, "--level: \"" + v + "\" is not easy, normal or hard");
      } else {
        (o == "--svg"       ? a.svg_dir
         : o == "--files"   ? a.files_dir
         : o == "-o"        ? a.output
         : o == "--roster"  ? a.roster
         : o == "--answers" ? a.answers_dir
                            : a.csv_out) = v;
      }
    } else if (!number) {
      number = parse_u64(o);
      if (!number) throw InputError(where, "\"" + o + "\" is not a lab number (s2sim lab list shows them)");
    } else if ((a.sub == "check" || a.sub == "build") && a.files.empty()) {
      a.files.push_back(o);
    } else {
      throw InputError(where, "unexpected argument \"" + o + "\" (usage: " + kLabUsage + ")");
    }
  }
  if (!number) throw InputError(where, "missing the lab number, e.g. s2sim " + where + " 1");
  const lab::LabInfo* info = *number <= 1000 ? lab::find_lab(static_cast<int>(*number)) : nullptr;
  if (!info) throw InputError(where, "there is no lab " + std::to_string(*number) + " (s2sim lab list shows them)");
  a.number = info->number;
  const std::string lab_name = "lab " + std::to_string(info->number) + " (" + info->name + ")";
  if (int(a.json) + int(a.config) + int(a.svg_dir.has_value()) + int(a.files_dir.has_value()) > 1)
    throw InputError(where, "--json, --config, --svg and --files exclude each other");
  if (a.sub == "build" && !info->plugin)
    throw InputError(where, lab_name + " is not a coding lab: there is nothing to build (lab 8 is)");
  if (a.files_dir && !info->plugin)
    throw InputError(where, "--files: " + lab_name + " hands out no files (lab 8 does)");
  if (a.sub == "build" && a.files.empty())
    throw InputError(where, "missing the C++ file, e.g. s2sim lab build " + std::to_string(info->number) + " walker.cpp");
  if (a.seed && a.student) throw InputError(where, "--seed and --student exclude each other");
  if (a.seed && a.key)
    throw InputError(where, "--seed and --key exclude each other: under a key a problem is named by --student");
  if (a.student && !a.key)
    throw InputError(where, "--student needs --key: a student's problem is made from the lecturer's key");
  if (a.key && !a.student && a.sub != "check" && a.sub != "grade")
    throw InputError(where, "--key needs --student: the problem is made from the key and the student id");
  if (a.level && *a.level != lab::Level::Normal && !info->levels)
    throw InputError(where, "--level: " + lab_name + " has one level only (labs 1, 2 and 3 take --level)");
  if (a.sub == "check" && a.files.empty())
    throw InputError(where, "missing the " + std::string(info->plugin ? "walker" : info->check ? "config" : "answer") +
                                " file, e.g. s2sim lab check " + std::to_string(info->number) + " --seed 1 " +
                                (info->plugin ? "walker.cpp" : info->check ? "my.json" : "answers.txt"));
  if (a.sub == "grade") {
    if (!a.roster) throw InputError(where, "missing --roster ROSTER.csv (a \"student\" column, one row a student)");
    if (!a.answers_dir) throw InputError(where, "missing --answers DIR (one file a student: ID" +
                                                    std::string(info->answer_ext) + ")");
    if (!a.csv_out) throw InputError(where, "missing --csv OUT.csv (where the grades go)");
  }
  return a;
}

}  // namespace s2sim::sim
