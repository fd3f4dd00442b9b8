// A lab problem: what `s2sim lab show` prints, what `solve` answers and what
// `check` grades against, made from a seed.
//
// The answers are computed by the simulator's own model (decode(), S2PageTable,
// translate(), the write-protect walkers with a CountingSink) when the problem is
// made; nothing here knows the architecture. Each question carries its right
// answers, the worked steps that lead there, and the typical wrong answers with the
// hint each deserves, so that a wrong answer is explained, not just marked.
//
// A problem is named by a ProblemId: a seed for self-study, or a student id under a
// lecturer's key (lab_key.h), whose seed is derived from the key and never printed,
// so that a student without the key can neither `solve` the problem nor make it.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/labs/lab_answer.h"

namespace s2sim::sim::lab {

// How hard a problem is, where a lab has the knob (labs 1-3; as OSTEP's simulators
// take sizes): easy leaves the traps out, hard puts every one in.
enum class Level : std::uint8_t { Easy, Normal, Hard };
const char* to_string(Level l);
std::optional<Level> level_from(std::string_view text);  // "easy", "normal", "hard"

struct ProblemId {
  int lab = 0;
  std::uint64_t seed = 1;  // the generator's seed; under a key derived from it, never shown
  std::string student;     // the student id under a key; empty for self-study
  Level level = Level::Normal;

  bool keyed() const { return !student.empty(); }
  // "seed 42", "seed 42, hard" or "student s1234567".
  std::string label() const;
  // The options naming the problem on a command line: "--seed 42 --level hard", or
  // "--key KEY --student s1234567" (KEY spelled so: the lecturer supplies it).
  std::string args() const;
  // The lines that identify the problem at the top of an answer file.
  std::string header_lines() const;
};

// A wrong answer a student is likely to give, and what went wrong to give it.
struct Mistake {
  std::string answer;  // as a student would write it, e.g. "write-only"
  std::string hint;    // e.g. "S2AP bit 6 is read, bit 7 is write: ..."
};

struct Question {
  std::string text;  // what the student reads, with the answer form
  AnswerSpec accepts;
  std::vector<std::string> answers;  // right answers as written; answers[0] is what solve writes
  std::vector<std::string> steps;    // the worked solution, one line each
  std::vector<Mistake> mistakes;     // most specific first; the first that matches gives the hint
  // The hint for a wrong answer no mistake describes (may look at the answer given).
  std::function<std::string(const AnswerValue&)> explain;
  int points = 1;  // what a right answer earns in a class grade
};

// One figure of a problem, an SVG document: `name` is its file name in the --svg DIR.
struct Figure {
  std::string name;  // "lab3-window.svg"
  std::string svg;
};

struct Problem {
  int lab = 0;
  std::uint64_t seed = 0;  // == id.seed
  ProblemId id;
  std::string title;                // "descriptor anatomy"
  std::string setup;                // the problem statement printed before the questions
  nlohmann::json setup_json;        // the same, for `show --json`
  std::vector<Question> questions;  // q1 is questions[0]

  // Labs built on `s2sim run` (4 and 6) hand the student a config; a lab graded on
  // something other than an answer file (6: a config) says how in answer_format.
  std::string config;           // JSON text for `s2sim run`: `s2sim lab show N --config` prints it
  std::string solution_config;  // a config that passes check (lab 6): `s2sim lab solve N --config`
  std::string solution;         // worked text `solve` prints before the questions (lab 6: the grid search)
  std::string answer_format;    // replaces the answer-file paragraph of `show` when not empty

  // Figures drawn from the problem: `show --svg` writes `figures` (nothing in them
  // answers a question), `solve --svg` writes `solved_figures` (the same marked up
  // with the answers; empty: the same as `figures`).
  std::vector<Figure> figures;
  std::vector<Figure> solved_figures;
  // Files a coding lab hands out (lab 8: the interface header and a starter source),
  // written by `show --files DIR`; `svg` holds the file's text.
  std::vector<Figure> files;
};

// Makes the problem consistent once every question is built: drops mistakes whose
// answer is right or repeats an earlier one (a mistake that happens to give the
// right value is no mistake). Throws std::logic_error if an answer or mistake does
// not read under its question's spec: that is a bug in the lab, not bad input.
void finalize(Problem& p);

// Starts a problem: lab, seed and id filled in.
Problem start_problem(const ProblemId& id, const std::string& title);

}  // namespace s2sim::sim::lab
