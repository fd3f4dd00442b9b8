// Reading config and machine files: the text, its JSON, and where configs/ lives.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

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

// The most any input file (config, machine, sweep spec, lab answers) may hold.
inline constexpr std::size_t kMaxInputBytes = std::size_t{16} << 20;

// The whole of a file; `what` names it in messages ("config file", "machine file").
// A missing or unreadable path, a directory, anything but a regular file (a device,
// a FIFO) and a file over kMaxInputBytes are InputErrors naming the path.
std::string read_text_file(const std::string& path, const std::string& what);

// Every file read_text_file has read in this process (the config, machine files, a
// sweep spec, lab answers), so that no output is allowed to overwrite one of them.
const std::vector<std::string>& files_read();

// The whole of a stream (standard input), refused past kMaxInputBytes.
std::string read_bounded(std::istream& in, const std::string& name, const std::string& what);

// Where configs/ lives (for "machine": "cortex-a15" names): S2SIM_CONFIG_DIR, else the
// source tree's configs/ as built.
std::string configs_dir();

}  // namespace s2sim::sim
