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

std::string cut(const std::string& s, std::size_t head, std::size_t tail) {
  const std::size_t h = char_start(s, head), t = char_start(s, s.size() - tail);
  return s.substr(0, h) + " [... " + std::to_string(t - h) + " bytes cut ...] " + s.substr(t);
}

// Cuts every word (a run without spaces: a key, a path, a value) longer than
// `max_word` in its middle, so that the words around an echo ("unknown key") stay.
std::string cut_long_words(const std::string& s, std::size_t max_word) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t space = s.find(' ', i), end = space == std::string::npos ? s.size() : space + 1;
    const std::string word = s.substr(i, end - i);
    out += word.size() > max_word ? cut(word, max_word * 3 / 4, max_word / 5) : word;
    i = end;
  }
  return out;
}

}  // namespace

std::string one_line(std::string_view text, std::size_t max_bytes) {
  std::string s = escaped(text);
  if (s.size() <= max_bytes) return s;
  s = cut_long_words(s, max_bytes / 4);
  if (s.size() <= max_bytes) return s;
  return cut(s, max_bytes * 3 / 4, max_bytes / 5);
}

}  // namespace s2sim
