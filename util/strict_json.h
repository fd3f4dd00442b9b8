// JSON read strictly: nesting at most kMaxJsonDepth deep (every walk over a config
// recurses; a file nested 60,000 deep must be an error, not a stack overflow), and no
// key twice in one object (a second "vcpus" silently winning hides a mistake).
// Both are InputErrors naming the file and the JSON pointer at fault; a syntax error
// stays nlohmann's parse_error, for the caller to locate by line and column.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace s2sim {

// Deeper than any config needs (a phases workload nests three levels a phase).
inline constexpr int kMaxJsonDepth = 64;

nlohmann::json parse_strict_json(const std::string& text, const std::string& file);

}  // namespace s2sim
