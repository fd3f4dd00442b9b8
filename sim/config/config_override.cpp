#include "sim/config/config_override.h"

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
  try {
    const nlohmann::json::json_pointer ptr(pointer);
    // Parents must exist and be objects (or arrays indexed in range).
    if (!ptr.empty() && !ptr.parent_pointer().empty() && !doc.contains(ptr.parent_pointer()))
      throw InputError("--set " + assignment, "no such key: " + ptr.parent_pointer().to_string());
    // An array grows by at most one element (its index is its size, or "-"): null-filling
    // up to /memslots/100000000000 would take gigabytes before any check sees it.
    if (!ptr.empty() && doc[ptr.parent_pointer()].is_array()) {
      const std::string& index = ptr.back();
      const std::size_t size = doc[ptr.parent_pointer()].size();
      const bool digits = !index.empty() && index.find_first_not_of("0123456789") == std::string::npos;
      if (index != "-" && (!digits || index.size() > 19 || std::stoull(index) > size))
        throw InputError("--set " + assignment, ptr.parent_pointer().to_string() + " has " + std::to_string(size) +
                                                    " elements: the index must be at most " + std::to_string(size) +
                                                    ", got \"" + index + "\"");
    }
    doc[ptr] = value;
  } catch (const nlohmann::json::exception& e) {
    throw InputError("--set " + assignment, std::string("cannot set ") + pointer + ": " + e.what());
  }
}

}  // namespace s2sim::sim
