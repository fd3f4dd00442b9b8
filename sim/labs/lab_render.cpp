#include "sim/labs/lab_render.h"

#include <sstream>


namespace s2sim::sim::lab {

namespace {

// Continuation lines of a multi-line text, indented under its first line.
std::string indent_rest(const std::string& text, const std::string& pad) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

std::string comment(const std::string& text) {
  std::string out = "# ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "# ";
  }
  return out;
}

}  // namespace

std::string hand_in_text(const Problem& p, const std::string& file) {
  if (p.id.keyed())
    return "Hand in " + file + " as your lecturer asks; it is graded with the lecturer's key\n"
           "(s2sim lab grade). The problem is yours alone: it is made from your student id.\n";
  return "Grade it with\n  s2sim lab check " + std::to_string(p.lab) + " " + p.id.args() + " " + file + "\n";
}

std::string answer_format_text(const Problem& p) {
  if (!p.answer_format.empty()) return p.answer_format;
  if (p.questions.empty()) return "";
  std::ostringstream out;
  // The form only, never a value: an example value of q1's form would tell the
  // student what q1 is (if it were right) or is not (if it were wrong).
  out << "Answer file: one answer a line, \"qN: value\", each value in the form its question asks\n(q1 takes "
      << p.questions.front().accepts.describe()
      << ");\n\"#\" starts a comment, blank lines are ignored, case and spacing do not matter.\n"
         "Numbers: 0x... hex, 0b... binary or decimal. Start the file with these lines:\n";
  std::istringstream header(p.id.header_lines());
  for (std::string line; std::getline(header, line);) out << "  " << line << "\n";
  out << hand_in_text(p, "FILE");
  return out.str();
}

std::string show_text(const Problem& p) {
  std::ostringstream out;
  out << "lab " << p.lab << ": " << p.title << " (" << p.id.label() << ")\n\n";
  out << p.setup;
  if (!p.setup.empty() && p.setup.back() != '\n') out << "\n";
  if (!p.questions.empty()) out << "\nquestions\n";
  for (std::size_t i = 0; i < p.questions.size(); ++i) {
    std::string id = "q" + std::to_string(i + 1);
    id.resize(4, ' ');
    const int pts = p.questions[i].points;
    const std::string worth = pts == 1 ? "" : "  [" + std::to_string(pts) + " points]";
    out << "  " << id << indent_rest(p.questions[i].text, "      ") << worth << "\n";
  }
  out << "\n" << answer_format_text(p);
  return out.str();
}

nlohmann::json show_json(const Problem& p) {
  nlohmann::ordered_json qs = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < p.questions.size(); ++i)
    qs.push_back({{"id", "q" + std::to_string(i + 1)},
                  {"text", p.questions[i].text},
                  {"accepts", p.questions[i].accepts.describe()},
                  {"points", p.questions[i].points}});
  nlohmann::ordered_json j;
  j["schema"] = "s2sim.lab/1";
  j["lab"] = p.lab;
  if (p.id.keyed())
    j["student"] = p.id.student;
  else
    j["seed"] = p.seed;
  j["level"] = to_string(p.id.level);
  j["title"] = p.title;
  j["setup"] = nlohmann::ordered_json::parse(p.setup_json.dump());
  j["questions"] = qs;
  if (!p.config.empty()) j["config"] = nlohmann::ordered_json::parse(p.config);
  return nlohmann::json::parse(j.dump());
}

std::string solve_text(const Problem& p) {
  std::ostringstream out;
  out << "# lab " << p.lab << ": " << p.title << " (" << p.id.label() << "), worked answers\n";
  out << "# (the problem: s2sim lab show " << p.lab << " " << p.id.args()
      << (p.questions.empty() ? ")\n" : "; this text is an answer file too)\n");
  if (!p.questions.empty()) out << p.id.header_lines();
  if (!p.solution.empty()) {
    std::string text = p.solution;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    out << "\n" << comment(text) << "\n";
  }
  for (std::size_t i = 0; i < p.questions.size(); ++i) {
    const Question& q = p.questions[i];
    out << "\n" << comment("q" + std::to_string(i + 1) + ": " + q.text) << "\n";
    for (const std::string& s : q.steps) out << comment("  " + indent_rest(s, "  ")) << "\n";
    out << "q" << i + 1 << ": " << q.answers.front() << "\n";
  }
  return out.str();
}

std::string answer_file_text(const Problem& p) {
  std::ostringstream out;
  for (std::size_t i = 0; i < p.questions.size(); ++i)
    out << "q" << i + 1 << ": " << p.questions[i].answers.front() << "\n";
  return out.str();
}

}  // namespace s2sim::sim::lab
