#include "sim/config/config_override.h"

#include <optional>
#include <set>
#include <vector>

#include "sim/config/config_keys.h"
#include "util/input_error.h"
#include "util/json_reader.h"
#include "util/strict_json.h"

namespace s2sim::sim {

namespace {

// "a.b.0" -> "/a/b/0" (each part escaped); a JSON pointer is taken as it is.
std::string override_pointer(const std::string& path, const std::string& assignment) {
  if (path[0] == '/') return path;
  std::string pointer;
  for (std::size_t start = 0; start <= path.size();) {
    const auto dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw InputError("--set " + assignment, "empty key in path \"" + path + "\"");
    pointer += "/" + json_pointer_escape(part);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return pointer;
}

// A JSON pointer token as an array index: decimal digits, no leading zero, in range.
std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 18 || token.find_first_not_of("0123456789") != std::string::npos ||
      (token.size() > 1 && token[0] == '0'))
    return std::nullopt;
  return static_cast<std::size_t>(std::stoull(token));
}

// A config section that reads as {} when absent (dirty_log, migration, host ...): a
// --set below it creates it, so `--set dirty_log.walker=range` (and compare's walkers)
// work on a config that leaves the section out.
bool is_section(const std::string& pointer) {
  static const std::set<std::string> sections = [] {
    std::set<std::string> s;
    for (const ConfigKey& k : config_keys())
      if (k.type == "object" && k.def == nlohmann::json::object()) s.insert(k.pointer);
    return s;
  }();
  return sections.count(pointer) != 0;
}

// The member `token` of `parent` (at `parent_pointer`, which grows by it) on the way to
// the key set: it must exist (or be an absent section) and be an object or array.
nlohmann::json& member(nlohmann::json& parent, std::string& parent_pointer, const std::string& token,
                       const std::string& where) {
  const std::string pointer = parent_pointer + "/" + json_pointer_escape(token);
  nlohmann::json* child = nullptr;
  if (parent.is_object()) {
    if (parent.contains(token)) child = &parent[token];
    else if (is_section(pointer)) child = &(parent[token] = nlohmann::json::object());
  } else if (parent.is_array()) {
    if (const std::optional<std::size_t> i = array_index(token); i && *i < parent.size()) child = &parent[*i];
  }
  if (!child) throw InputError(where, "no such key: " + pointer);
  parent_pointer = pointer;
  return *child;
}

}  // namespace

void apply_override(nlohmann::json& doc, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set " + assignment, "expected PATH=VALUE (e.g. --set dirty_log.walker=range)");
  const std::string pointer = override_pointer(assignment.substr(0, eq), assignment);
  const std::string text = assignment.substr(eq + 1);
  nlohmann::json value;
  try {
    value = parse_strict_json(text, "--set " + assignment);
  } catch (const nlohmann::json::parse_error&) {
    value = text;  // a bare word is a string: --set dirty_log.walker=range
  } catch (const nlohmann::json::out_of_range&) {
    throw InputError("--set " + assignment, "the number \"" + text + "\" is out of range (beyond a double)");
  }
  std::vector<std::string> tokens;
  try {
    for (nlohmann::json::json_pointer p(pointer); !p.empty(); p.pop_back()) tokens.insert(tokens.begin(), p.back());
  } catch (const nlohmann::json::exception& e) {
    throw InputError("--set " + assignment, std::string("cannot set ") + pointer + ": " + e.what());
  }
  if (tokens.empty()) {
    doc = std::move(value);
    return;
  }
  const std::string where = "--set " + assignment;
  nlohmann::json* at = &doc;
  std::string at_pointer;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) at = &member(*at, at_pointer, tokens[i], where);
  const std::string& last = tokens.back();
  if (at->is_object()) {
    (*at)[last] = std::move(value);
  } else if (at->is_array()) {
    // An array grows by at most one element (its size as index, or "-"): null-filling up
    // to /memslots/100000000000 would take gigabytes before any check saw the value.
    const std::optional<std::size_t> index = last == "-" ? at->size() : array_index(last);
    if (!index || *index > at->size())
      throw InputError(where, (at_pointer.empty() ? "/" : at_pointer) + " has " + std::to_string(at->size()) +
                                  " element(s): the index must be at most " + std::to_string(at->size()) +
                                  " (or -, to append), got \"" + last + "\"");
    if (*index == at->size()) at->push_back(std::move(value));
    else (*at)[*index] = std::move(value);
  } else {
    throw InputError(where, "cannot set " + pointer + ": " + (at_pointer.empty() ? "/" : at_pointer) + " is " +
                                at->type_name() + ", not an object or array");
  }
}

}  // namespace s2sim::sim
