// Reading config and machine files: the text, its JSON, and where configs/ lives.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace s2sim::sim {

// The built-in default config (identical to configs/default.json).
const char* default_config_text();

// Reads and parses a JSON config file (or the built-in default when path is empty).
// Throws InputError.
nlohmann::json load_config_json(const std::string& path);

// Parses JSON text read from `file`; a syntax error or an unrepresentable number
// becomes one InputError naming file:line:column (or the file).
nlohmann::json parse_json_text(const std::string& text, const std::string& file);

// The whole of a file; `what` names it in messages ("config file", "machine file").
// A missing, unreadable or directory path is an InputError naming the path.
std::string read_text_file(const std::string& path, const std::string& what);

// Where configs/ lives (for "machine": "cortex-a15" names): S2SIM_CONFIG_DIR, else the
// source tree's configs/ as built.
std::string configs_dir();

}  // namespace s2sim::sim
