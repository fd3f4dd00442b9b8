#include "sim/config/config_file.h"

#include <sys/stat.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/input_error.h"
#include "util/strict_json.h"

#ifndef S2SIM_CONFIG_DIR_DEFAULT
#define S2SIM_CONFIG_DIR_DEFAULT "configs"
#endif

namespace s2sim::sim {

std::string configs_dir() {
  if (const char* env = std::getenv("S2SIM_CONFIG_DIR")) return env;
  return S2SIM_CONFIG_DIR_DEFAULT;
}

nlohmann::json parse_json_text(const std::string& text, const std::string& file) {
  try {
    return parse_strict_json(text, file);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports the 1-based offset of the byte at fault; turn it into
    // line:column for the user.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
    }
    std::string what = e.what();
    const auto pos = what.find("syntax error");
    if (pos != std::string::npos) what = what.substr(pos);
    throw InputError(file + ":" + std::to_string(line) + ":" + std::to_string(col), "malformed JSON: " + what);
  } catch (const nlohmann::json::out_of_range&) {
    // nlohmann throws out_of_range.406 for a number no double can hold (1e999); it
    // carries no position, so the file is all we can name.
    throw InputError(file, "malformed JSON: a number is too large to represent (beyond the range of a double)");
  }
}

std::string read_bounded(std::istream& in, const std::string& name, const std::string& what) {
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxInputBytes)
      throw InputError(name, what + " is larger than " + std::to_string(kMaxInputBytes >> 20) + " MiB");
  }
  if (in.bad()) throw InputError(name, "cannot read " + what);
  return text;
}

namespace {
std::vector<std::string>& read_so_far() {
  static std::vector<std::string> paths;
  return paths;
}
}  // namespace

const std::vector<std::string>& files_read() { return read_so_far(); }

std::string read_text_file(const std::string& path, const std::string& what) {
  // Only a regular file is read: /dev/zero never ends and a FIFO with no writer never
  // starts, and neither is a config anyone means to give.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw InputError(path, "cannot read " + what + " (missing or unreadable)");
  if (S_ISDIR(st.st_mode)) throw InputError(path, what + " is a directory, not a file");
  if (!S_ISREG(st.st_mode))
    throw InputError(path, what + " is not a regular file (a device, FIFO or socket): save it to a file first");
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxInputBytes)
    throw InputError(path, what + " is larger than " + std::to_string(kMaxInputBytes >> 20) + " MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot read " + what + " (missing or unreadable)");
  read_so_far().push_back(path);
  return read_bounded(in, path, what);
}

nlohmann::json load_config_json(const std::string& path) {
  if (path.empty()) return nlohmann::json::parse(default_config_text());
  const std::string text = read_text_file(path, "config file");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw InputError(path, "config file is empty");
  return parse_json_text(text, path);
}

}  // namespace s2sim::sim
