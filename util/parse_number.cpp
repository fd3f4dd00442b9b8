#include "util/parse_number.h"

namespace s2sim {

static std::optional<std::uint64_t> parse_base(std::string_view s, unsigned base) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else return std::nullopt;
    if (d >= base) return std::nullopt;
    if (v > (UINT64_MAX - d) / base) return std::nullopt;  // overflow
    v = v * base + d;
  }
  return v;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) return parse_base(text.substr(2), 16);
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) return parse_base(text.substr(2), 2);
  return parse_base(text, 10);
}

std::optional<std::uint64_t> parse_hex_u64(std::string_view digits) {
  if (digits.size() > 16) return std::nullopt;
  return parse_base(digits, 16);
}

}  // namespace s2sim
