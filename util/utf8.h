// UTF-8 validity (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
// Text that reaches the result JSON must be valid UTF-8, or writing it fails after
// the whole run; command-line arguments are checked before anything runs.
#pragma once

#include <cstddef>
#include <string_view>

namespace s2sim {

// The offset of the first byte that is not part of valid UTF-8, or npos.
inline std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n;
    unsigned min_second = 0x80, max_second = 0xBF;
    if (c < 0x80) n = 1;
    else if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) min_second = 0xA0;
      if (c == 0xED) max_second = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) min_second = 0x90;
      if (c == 0xF4) max_second = 0x8F;
    } else {
      return i;
    }
    if (i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if (d < (k == 1 ? min_second : 0x80) || d > (k == 1 ? max_second : 0xBF)) return i;
    }
    i += n;
  }
  return std::string_view::npos;
}

// A text file may start with a UTF-8 byte-order mark (U+FEFF, EF BB BF), as some
// editors on Windows save one: it carries no text, and left in place it makes the first
// line wrong in a way the error cannot show (the mark prints as nothing).
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

inline std::string_view without_bom(std::string_view text) {
  return text.substr(0, kUtf8Bom.size()) == kUtf8Bom ? text.substr(kUtf8Bom.size()) : text;
}

}  // namespace s2sim
