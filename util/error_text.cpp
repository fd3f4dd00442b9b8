#include "util/error_text.h"

#include <cstdio>

namespace s2sim {

namespace {

std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += ch;
    }
  }
  return out;
}

// Moves `i` back to the start of a UTF-8 sequence, so a cut never splits a character.
std::size_t char_start(const std::string& s, std::size_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

}  // namespace

std::string one_line(std::string_view text, std::size_t max_bytes) {
  std::string s = escaped(text);
  if (s.size() <= max_bytes) return s;
  const std::size_t head = char_start(s, max_bytes * 3 / 4), tail = char_start(s, s.size() - max_bytes / 5);
  return s.substr(0, head) + " [... " + std::to_string(tail - head) + " bytes cut ...] " + s.substr(tail);
}

}  // namespace s2sim
