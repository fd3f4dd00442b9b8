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

std::string answer_format_text(const Problem& p) {
  if (!p.answer_format.empty()) return p.answer_format;
  if (p.questions.empty()) return "";
  std::ostringstream out;
  out << "Answer file: one answer a line, \"qN: value\" (e.g. \"q1: " << p.questions.front().answers.front()
      << "\");\n"
         "\"#\" starts a comment, blank lines are ignored, case and spacing do not matter.\n"
         "Numbers: 0x... hex, 0b... binary or decimal. Grade it with\n"
         "  s2sim lab check "
      << p.lab << " --seed " << p.seed << " FILE\n";
  return out.str();
}

std::string show_text(const Problem& p) {
  std::ostringstream out;
  out << "lab " << p.lab << ": " << p.title << " (seed " << p.seed << ")\n\n";
  out << p.setup;
  if (!p.setup.empty() && p.setup.back() != '\n') out << "\n";
  if (!p.questions.empty()) out << "\nquestions\n";
  for (std::size_t i = 0; i < p.questions.size(); ++i) {
    std::string id = "q" + std::to_string(i + 1);
    id.resize(4, ' ');
    out << "  " << id << indent_rest(p.questions[i].text, "      ") << "\n";
  }
  out << "\n" << answer_format_text(p);
  return out.str();
}

nlohmann::json show_json(const Problem& p) {
  nlohmann::json qs = nlohmann::json::array();
  for (std::size_t i = 0; i < p.questions.size(); ++i)
    qs.push_back({{"id", "q" + std::to_string(i + 1)},
                  {"text", p.questions[i].text},
                  {"accepts", p.questions[i].accepts.describe()}});
  nlohmann::json j = {{"schema", "s2sim.lab/1"}, {"lab", p.lab},          {"seed", p.seed},
                      {"title", p.title},        {"setup", p.setup_json}, {"questions", qs}};
  if (!p.config.empty()) j["config"] = nlohmann::json::parse(p.config);
  return j;
}

std::string solve_text(const Problem& p) {
  std::ostringstream out;
  out << "# lab " << p.lab << ": " << p.title << " (seed " << p.seed << "), worked answers\n";
  out << "# (the problem: s2sim lab show " << p.lab << " --seed " << p.seed
      << (p.questions.empty() ? ")\n" : "; this text is an answer file too)\n");
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
