#include "util/error_text.h"

#include <cstdio>

namespace s2sim {

namespace {

// The code point of a character that shows as nothing or acts on the terminal though
// it is valid UTF-8: C1 controls (U+0080..U+009F; U+009B is CSI, the start of an escape
// sequence), zero-width spaces and joiners (U+200B..U+200D), the line and paragraph
// separators (U+2028, U+2029) and the byte-order mark (U+FEFF). 0 for anything else.
unsigned invisible_at(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  if (b(0) == 0xC2 && b(1) >= 0x80 && b(1) <= 0x9F) return b(1);
  if (b(0) == 0xE2 && b(1) == 0x80 && ((b(2) >= 0x8B && b(2) <= 0x8D) || b(2) == 0xA8 || b(2) == 0xA9))
    return 0x2000u + (b(2) - 0x80u);
  if (b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return 0xFEFF;
  return 0;
}

std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    const auto c = static_cast<unsigned char>(ch);
    char hex[8];
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else if (const unsigned cp = invisible_at(text, i)) {
      std::snprintf(hex, sizeof hex, "\\u%04x", cp);
      out += hex;
      i += cp < 0x100 ? 1 : 2;
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
