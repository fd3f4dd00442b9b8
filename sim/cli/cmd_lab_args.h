// The command line of `s2sim lab`, read in full before anything is made, and the
// class grading `s2sim lab grade` adds to it (cmd_lab_grade.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/cli/cli.h"
#include "sim/labs/lab.h"
#include "sim/labs/lab_input.h"
#include "sim/labs/lab_registry.h"

namespace s2sim::sim {

// A wrong lab answer shares exit status 1 with lost writes: "the run worked, the
// result is not what it should be".
inline constexpr int kExitWrongAnswer = kExitLostWrites;

struct LabArgs {
  std::string sub;  // list, show, solve, check, grade, build
  int number = 0;   // a lab that exists (checked)
  std::optional<std::uint64_t> seed;
  std::optional<std::string> key;      // checked with lab::key_problem
  std::optional<std::string> student;  // checked with lab::student_id_problem
  std::optional<lab::Level> level;     // only for labs with levels
  bool json = false, config = false;
  std::optional<std::string> svg_dir;
  std::optional<std::string> files_dir;  // show --files DIR (coding labs)
  std::optional<std::string> output;     // build -o FILE
  std::vector<std::string> files;  // check: the answer file; build: the source
  std::optional<std::string> roster, answers_dir, csv_out;  // grade
};

// Throws InputError on bad usage.
LabArgs parse_lab_args(const std::vector<std::string>& args);

// The problem an answer file is graded against: the command line's seed, student
// (under --key) and level, or what the file's header lines name. Throws
// lab::InputErrors listing every disagreement.
lab::ProblemId lab_answer_problem(const LabArgs& a, const lab::LabInfo& info, const lab::AnswerInput& in);

// `s2sim lab grade N --roster R --answers DIR [--key K] --csv OUT`.
int grade_class(const LabArgs& a, const lab::LabInfo& info);

// `s2sim lab build N SOURCE [-o PLUGIN]` (coding labs).
int build_plugin_cmd(const LabArgs& a, const lab::LabInfo& info);

}  // namespace s2sim::sim
