// Strict parsing of unsigned integers typed by users: "0x1F" / "0X1f" hex, "0b101"
// binary, or decimal; the whole string must be the number and it must fit 64 bits.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace s2sim {

std::optional<std::uint64_t> parse_u64(std::string_view text);
// Hex digits only (no prefix), as in trace files; at most 16 digits.
std::optional<std::uint64_t> parse_hex_u64(std::string_view digits);

}  // namespace s2sim
