// `s2sim lab check`: reading a student's answer file and grading it.
//
// Answer file format (every handout documents it):
//   lab: 3            optional header lines naming the problem: the lab, and
//   seed: 42          the seed (self-study) or the student id (under a key),
//   level: hard       and the level if not normal; anywhere in the file
//   q1: page          one answer a line, "qN: value"
//   # a comment       "#" starts a comment, anywhere on a line
//                     blank lines are ignored
// Each question says what values it takes (lab_answer.h); case and spacing do not
// matter. A line that is neither a header nor "qN: value", a question the lab does
// not have, a question answered twice, a value the question cannot take, or a file
// with no answer at all is an input error naming file:line (exit 2); every such
// line is reported, not only the first. A missing question is simply not answered
// (wrong).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/labs/lab.h"
#include "sim/labs/lab_input.h"

namespace s2sim::sim::lab {

// The header lines of an answer file, as written.
struct AnswerHeader {
  std::optional<int> lab;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> student;
  std::optional<Level> level;
};

// Throws InputErrors listing every malformed header line.
AnswerHeader read_answer_header(std::string_view text, const std::string& name);

struct AnswerLine {
  std::string text;   // the value as written
  AnswerValue value;  // as read
  int line = 0;
};

struct AnswerFile {
  std::string name;
  std::vector<std::optional<AnswerLine>> answers;  // answers[i] answers q(i+1)
};

// Throws InputErrors listing every malformed line ("name:line: ...").
AnswerFile read_answer_file(const Problem& p, std::string_view text, const std::string& name);

struct Grade {
  bool answered = false;
  bool right = false;
  std::string given;  // as written
  std::string hint;   // why it is wrong (empty when right)
};

// Grades one value against one question: right, or the hint of the first typical
// mistake it matches, or the question's general explanation.
Grade grade_answer(const Question& q, const AnswerValue& v);
std::vector<Grade> grade(const Problem& p, const AnswerFile& answers);
bool all_right(const std::vector<Grade>& grades);

// Per question right/wrong/missing with hints, then the points.
std::string check_report(const Problem& p, const AnswerFile& answers, const std::vector<Grade>& grades);

// --- what every lab's check comes to -------------------------------------------------

struct QuestionResult {
  std::string id;  // "q1"; lab 6 and 8 name their checks ("budget", "campaign", ...)
  bool answered = false;
  bool correct = false;
  int points = 0;  // earned
  int max_points = 1;
  std::string given;  // as written (empty when not answered)
  std::string hint;   // why it is wrong (empty when right)
};

struct CheckResult {
  ProblemId id;
  std::string title;
  std::string source;  // the file graded, as named in messages
  std::vector<QuestionResult> questions;
  std::string report;  // what `check` prints

  int score() const;
  int max() const;
  bool all_correct() const;
};

// An answer file graded: labs whose check reads "qN: value" lines.
CheckResult check_answer_file(const Problem& p, const AnswerInput& in);

// `check --json`: schema s2sim.lab-check/1 (lab, seed or student, level, score,
// max, correct, and per question id, correct, points, max_points, given, hint).
nlohmann::json check_json(const CheckResult& r);

}  // namespace s2sim::sim::lab
