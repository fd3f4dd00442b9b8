#include "sim/config/scenarios.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "sim/config/config.h"
#include "util/input_error.h"
#include "util/json_reader.h"

namespace s2sim::sim {

namespace {

namespace fs = std::filesystem;

std::string scenarios_dir() { return configs_dir() + "/scenarios"; }

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(scenarios_dir(), ec)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::string first_sentence(const std::string& text) {
  for (std::size_t i = text.find('.'); i != std::string::npos; i = text.find('.', i + 1)) {
    if (i + 1 == text.size()) return text;
    if (text[i + 1] == ' ' && i + 2 < text.size() && std::isupper(static_cast<unsigned char>(text[i + 2])))
      return text.substr(0, i + 1);
  }
  return text;
}

std::vector<Scenario> shipped_scenarios() {
  std::vector<Scenario> out;
  for (const std::string& name : scenario_names()) {
    Scenario s;
    s.name = name;
    s.path = scenarios_dir() + "/" + name + ".json";
    const nlohmann::json doc = load_config_json(s.path);
    if (doc.is_object() && doc.contains("comment") && doc["comment"].is_string())
      s.summary = first_sentence(doc["comment"].get<std::string>());
    out.push_back(std::move(s));
  }
  return out;
}

std::string resolve_config_arg(const std::string& arg) {
  std::error_code ec;
  if (arg.empty() || fs::exists(arg, ec)) return arg;
  // A path with a directory part is meant as a file: let reading it say what is wrong.
  if (fs::path(arg).has_parent_path()) return arg;
  std::string name = arg;
  if (fs::path(name).extension() == ".json") name = fs::path(name).stem().string();
  const std::vector<std::string> names = scenario_names();
  if (std::find(names.begin(), names.end(), name) != names.end()) return scenarios_dir() + "/" + name + ".json";
  std::string msg = "no such config file, nor a shipped scenario of that name";
  const std::string near = closest_match(name, names);
  if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
  msg += " (s2sim scenarios lists them)";
  throw InputError(arg, msg);
}

}  // namespace s2sim::sim
