// The texts of a lab problem: the handout-style statement `s2sim lab show` prints
// (plain or JSON), and the worked answers `s2sim lab solve` prints. The worked
// answers are themselves an answer file (the steps are "#" comments), so
// `solve > a.txt; check a.txt` scores full marks.
//
// Nothing `show` prints answers a question: the answer-format paragraph states the
// form of an answer, never a value (not even a wrong one: that would rule it out).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/labs/lab.h"

namespace s2sim::sim::lab {

std::string show_text(const Problem& p);
nlohmann::json show_json(const Problem& p);
// Every question with its worked steps as comments, then its "qN: answer" line.
std::string solve_text(const Problem& p);
// Just the "qN: answer" lines: the shortest answer file with full marks.
std::string answer_file_text(const Problem& p);
// The answer format, as the handouts and `show` state it.
std::string answer_format_text(const Problem& p);
// How the student hands in or grades an answer (a config for lab 6): "grade it with
// s2sim lab check N --seed S FILE", or, under a key, "hand it in".
std::string hand_in_text(const Problem& p, const std::string& file);

}  // namespace s2sim::sim::lab
