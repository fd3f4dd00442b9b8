// `s2sim lab grade N --roster ROSTER.csv --answers DIR [--key K] --csv OUT.csv`: a
// whole class graded to one CSV, a row a student, points per question.
//
// The roster is plain CSV (no quoted fields) with a header row naming its columns:
// "student" (required: the id, which also names the answer file DIR/ID.txt, or
// DIR/ID.json in lab 6), and optionally "seed" (self-study problems: the student's
// seed; without it the answer file's "seed:" line names it) and "level". Under --key
// each student's problem is made from the key and the id, and the seed is never
// written. A missing or malformed answer file is a row with that status and no
// points (its errors in the message column); a bad roster, answers directory or
// output is an input error (exit 2) and nothing is written. Exit 0: every student has
// full marks; 1: the CSV is written and some student has not.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "sim/cli/cmd_lab_args.h"
#include "sim/labs/lab_check.h"
#include "sim/labs/lab_key.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace s2sim::sim {

namespace {

struct RosterRow {
  std::string student;
  std::optional<std::uint64_t> seed;
  std::optional<lab::Level> level;
};

std::string trim(const std::string& s) {
  const std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(line);
  while (std::getline(in, cur, ',')) out.push_back(trim(cur));
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::vector<RosterRow> read_roster(const std::string& path, bool keyed) {
  const lab::AnswerInput in = lab::read_answer_input(path);
  std::vector<InputError> errors;
  std::vector<RosterRow> rows;
  std::map<std::string, int> seen;
  std::istringstream text(in.text);
  std::vector<std::string> columns;
  int col_student = -1, col_seed = -1, col_level = -1;
  int lineno = 0;
  for (std::string line; std::getline(text, line);) {
    ++lineno;
    const std::string where = in.name + ":" + std::to_string(lineno);
    if (trim(line).empty()) continue;
    if (line.find('"') != std::string::npos) {
      errors.emplace_back(where, "quoted CSV fields are not read: write ids, seeds and levels plainly");
      continue;
    }
    const std::vector<std::string> f = split(line);
    if (columns.empty()) {
      columns = f;
      for (std::size_t i = 0; i < f.size(); ++i) {
        const int c = static_cast<int>(i);
        if (f[i] == "student") col_student = c;
        if (f[i] == "seed") col_seed = c;
        if (f[i] == "level") col_level = c;
      }
      if (col_student < 0) errors.emplace_back(where, "the header row has no \"student\" column");
      if (col_seed >= 0 && keyed)
        errors.emplace_back(where, "a \"seed\" column with --key: under a key the problems come from the key");
      if (col_student < 0) break;
      continue;
    }
    if (f.size() != columns.size()) {
      errors.emplace_back(where, std::to_string(f.size()) + " fields, the header has " +
                                     std::to_string(columns.size()));
      continue;
    }
    RosterRow r;
    r.student = f[static_cast<std::size_t>(col_student)];
    if (const std::string why = lab::student_id_problem(r.student); !why.empty()) {
      errors.emplace_back(where, "student: " + why);
      continue;
    }
    if (const auto it = seen.find(r.student); it != seen.end()) {
      errors.emplace_back(where, "student " + r.student + " is listed twice (first on line " +
                                     std::to_string(it->second) + ")");
      continue;
    }
    seen[r.student] = lineno;
    if (col_seed >= 0 && !f[static_cast<std::size_t>(col_seed)].empty()) {
      r.seed = parse_u64(f[static_cast<std::size_t>(col_seed)]);
      if (!r.seed) errors.emplace_back(where, "seed: \"" + f[static_cast<std::size_t>(col_seed)] + "\" is not a number");
    }
    if (col_level >= 0 && !f[static_cast<std::size_t>(col_level)].empty()) {
      r.level = lab::level_from(f[static_cast<std::size_t>(col_level)]);
      if (!r.level)
        errors.emplace_back(where, "level: \"" + f[static_cast<std::size_t>(col_level)] + "\" is not easy, normal or hard");
    }
    rows.push_back(std::move(r));
  }
  if (errors.empty() && rows.empty()) errors.emplace_back(in.name, "no student in the roster");
  if (!errors.empty()) throw lab::InputErrors(std::move(errors));
  return rows;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

struct GradedRow {
  RosterRow row;
  std::string status;  // graded, missing, malformed
  std::optional<lab::CheckResult> result;
  std::string message;
};

}  // namespace

int grade_class(const LabArgs& a, const lab::LabInfo& info) {
  const std::vector<RosterRow> roster = read_roster(*a.roster, a.key.has_value());
  if (!std::filesystem::is_directory(*a.answers_dir)) throw InputError(*a.answers_dir, "is not a directory");
  std::vector<GradedRow> graded;
  std::vector<std::string> qids;  // every question id, in the order first met
  for (const RosterRow& r : roster) {
    GradedRow g{r, "graded", std::nullopt, ""};
    const std::string path = (std::filesystem::path(*a.answers_dir) / (r.student + info.answer_ext)).string();
    if (!std::filesystem::exists(path)) {
      g.status = "missing";
      g.message = "no file " + path;
      graded.push_back(std::move(g));
      continue;
    }
    try {
      const lab::AnswerInput in = lab::read_answer_input(path);
      // Without a key the problem is named by a seed: the roster's or the file's, never
      // a default (that would grade a whole class against seed 1).
      // (Lab 8's grader is the same for every seed, which picks only the window its
      // figures draw: its walkers need none.)
      if (!info.plugin && !a.key && !r.seed && (info.check || !lab::read_answer_header(in.text, in.name).seed))
        throw InputError(path, std::string("names no seed: ") +
                                   (info.check ? "give the roster a \"seed\" column"
                                               : "add a \"seed: N\" line, or give the roster a \"seed\" column"));
      LabArgs one = a;
      if (a.key) one.student = r.student;
      if (r.seed) one.seed = r.seed;
      if (r.level) one.level = r.level;
      const lab::Problem p = info.make(lab_answer_problem(one, info, in));
      g.result = lab::check_problem(info, p, in);
      for (const lab::QuestionResult& q : g.result->questions)
        if (std::find(qids.begin(), qids.end(), q.id) == qids.end()) qids.push_back(q.id);
    } catch (const lab::InputErrors& e) {
      g.status = "malformed";
      for (const InputError& one : e.all()) g.message += (g.message.empty() ? "" : " | ") + one.message();
    } catch (const InputError& e) {
      g.status = "malformed";
      g.message = e.message();
    }
    graded.push_back(std::move(g));
  }

  std::ostringstream csv;
  csv << "student,seed,level,status,score,max";
  for (const std::string& q : qids) csv << "," << q;
  csv << ",message\n";
  int full = 0, missing = 0, malformed = 0;
  for (const GradedRow& g : graded) {
    const lab::CheckResult* r = g.result ? &*g.result : nullptr;
    // Under a key the seed stays secret: the problem is named by the student id.
    const std::string seed = r && !r->id.keyed() ? std::to_string(r->id.seed) : "";
    csv << csv_field(g.row.student) << "," << seed << "," << (r ? lab::to_string(r->id.level) : "") << ","
        << g.status << "," << (r ? r->score() : 0) << "," << (r ? std::to_string(r->max()) : "");
    for (const std::string& id : qids) {
      csv << ",";
      if (r)
        for (const lab::QuestionResult& q : r->questions)
          if (q.id == id) csv << q.points;
    }
    csv << "," << csv_field(g.message) << "\n";
    full += r && r->all_correct();
    missing += g.status == "missing";
    malformed += g.status == "malformed";
  }
  std::ofstream out(*a.csv_out, std::ios::binary);
  out << csv.str();
  if (!out) throw InputError(*a.csv_out, "cannot write the grades");
  std::cout << "lab " << info.number << ": " << graded.size() << " student(s) graded to " << *a.csv_out << ": "
            << full << " full marks, " << missing << " missing, " << malformed << " malformed\n";
  for (const GradedRow& g : graded)
    if (g.status == "malformed") std::cout << "  " << g.row.student << ": " << g.message << "\n";
  // As check: 0 when every answer of every student is right, 1 when the grades are
  // written but some are short of full marks (wrong, missing or malformed files).
  return full == static_cast<int>(graded.size()) ? kExitOk : kExitWrongAnswer;
}

}  // namespace s2sim::sim
