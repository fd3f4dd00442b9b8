// `s2sim lab check`: reading a student's answer file and grading it.
//
// Answer file format (every handout documents it):
//   q1: page          one answer a line, "qN: value"
//   # a comment       "#" starts a comment, anywhere on a line
//                     blank lines are ignored
// Each question says what values it takes (lab_answer.h); case and spacing do not
// matter. A line that is not "qN: value", a question the lab does not have, a
// question answered twice or a value the question cannot take is an input error
// naming file:line (exit 2); a missing question is simply not answered (wrong).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/labs/lab.h"

namespace s2sim::sim::lab {

struct AnswerLine {
  std::string text;   // the value as written
  AnswerValue value;  // as read
  int line = 0;
};

struct AnswerFile {
  std::string name;
  std::vector<std::optional<AnswerLine>> answers;  // answers[i] answers q(i+1)
};

// Throws InputError("name:line", ...) for a syntax error.
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

// Per question right/wrong/missing with hints, then "score: R/N".
std::string check_report(const Problem& p, const AnswerFile& answers, const std::vector<Grade>& grades);

}  // namespace s2sim::sim::lab
