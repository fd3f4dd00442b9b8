// Number formatting shared by the labs: the same widths `s2sim decode` uses, so a
// value reads the same in every command (40-bit PA: 10 hex digits; descriptor: 16).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace s2sim::sim::lab {

std::string hex(std::uint64_t v, int digits = 0);  // "0x" + at least `digits` upper-case hex digits
inline std::string pa_hex(std::uint64_t pa) { return hex(pa, 10); }
inline std::string desc_hex(std::uint64_t raw) { return hex(raw, 16); }
std::string bin(std::uint64_t v, int bits);  // "0b" + exactly `bits` digits
// A bitmap word as a student reads it: `bits` binary digits, bit bits-1 first, in
// groups of four.
std::string mask_binary(std::uint64_t mask, unsigned bits);
std::string join(const std::vector<std::string>& items, const std::string& sep);

}  // namespace s2sim::sim::lab
