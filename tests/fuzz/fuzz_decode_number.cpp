// libFuzzer target: numbers typed by users (util/parse_number.h) and
// `s2sim decode` on them. The input is the text of one command-line argument.
//
// Checks:
//  - parse_u64 and parse_hex_u64 agree with a straightforward reference
//    implementation written here (128-bit accumulation, so overflow is exact);
//  - a parsed value prints and parses back to itself in decimal, 0x hex, 0X hex
//    and 0b binary;
//  - mmu::decode of the value at every level and PA size keeps the raw value and
//    level and reports an output address inside the PA space;
//  - cmd_decode with the text as its value (level, PA size and --json picked from
//    the input's size) returns 0 or throws InputError, and nothing else.
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "mmu/descriptor.h"
#include "sim/cli/cmd_decode.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace {

using s2sim::fuzz::finding;

__extension__ typedef unsigned __int128 u128;

std::optional<std::uint64_t> reference_base(std::string_view s, unsigned base) {
  if (s.empty()) return std::nullopt;
  u128 v = 0;
  for (char c : s) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (c >= 'a' && c <= 'z') d = c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') d = c - 'A' + 10;
    if (d < 0 || static_cast<unsigned>(d) >= base) return std::nullopt;
    v = v * base + static_cast<unsigned>(d);
    if (v > UINT64_MAX) return std::nullopt;
  }
  return static_cast<std::uint64_t>(v);
}

std::optional<std::uint64_t> reference_u64(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) return reference_base(s.substr(2), 16);
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) return reference_base(s.substr(2), 2);
  return reference_base(s, 10);
}

std::optional<std::uint64_t> reference_hex(std::string_view s) {
  if (s.size() > 16) return std::nullopt;
  return reference_base(s, 16);
}

std::string in_base(std::uint64_t v, unsigned base, bool upper) {
  if (v == 0) return "0";
  std::string s;
  for (; v != 0; v /= base) s.insert(s.begin(), (upper ? "0123456789ABCDEF" : "0123456789abcdef")[v % base]);
  return s;
}

void check_round_trips(std::uint64_t v) {
  const std::string forms[] = {in_base(v, 10, false), "0x" + in_base(v, 16, false), "0X" + in_base(v, 16, true),
                               "0b" + in_base(v, 2, false), "0B" + in_base(v, 2, false)};
  for (const auto& f : forms) {
    if (s2sim::parse_u64(f) != v) finding("parse_u64 does not read back \"" + f + "\"");
  }
  if (s2sim::parse_hex_u64(in_base(v, 16, false)) != v) finding("parse_hex_u64 does not read back its hex form");
}

void check_decode(std::uint64_t v) {
  for (s2sim::mmu::level_t level = 0; level <= 3; ++level) {
    for (unsigned pa_bits : {40u, 48u}) {
      const auto d = s2sim::mmu::decode(s2sim::mmu::S2Desc{v}, level, pa_bits);
      if (d.raw != v || d.level != level) finding("decode lost the raw value or the level");
      if ((d.output_address >> pa_bits) != 0) finding("decode reports an output address beyond the PA size");
      if ((d.output_address & 0xFFF) != 0) finding("decode reports an output address that is not page aligned");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  const auto got = s2sim::parse_u64(text);
  if (got != reference_u64(text)) finding("parse_u64 disagrees with the reference on \"" + text + "\"");
  if (s2sim::parse_hex_u64(text) != reference_hex(text))
    finding("parse_hex_u64 disagrees with the reference on \"" + text + "\"");
  if (got) {
    check_round_trips(*got);
    check_decode(*got);
  }

  std::vector<std::string> args{text, "--level", std::to_string(1 + size % 3), "--pa-bits",
                                (size / 3) % 2 ? "48" : "40"};
  if ((size / 6) % 2) args.push_back("--json");
  std::ostringstream sink;
  std::streambuf* const saved = std::cout.rdbuf(sink.rdbuf());
  try {
    const int rc = s2sim::sim::cmd_decode(args);
    std::cout.rdbuf(saved);
    if (rc != 0) finding("cmd_decode returned " + std::to_string(rc));
    if (!got) finding("cmd_decode accepted a value parse_u64 rejects");
    if (sink.str().empty()) finding("cmd_decode printed nothing");
  } catch (const s2sim::InputError& e) {
    std::cout.rdbuf(saved);
    if (got) finding("cmd_decode rejected a parseable value: " + e.message());
  } catch (const std::exception& e) {
    std::cout.rdbuf(saved);
    s2sim::fuzz::unexpected_exception("cmd_decode", e);
  }
  return 0;
}
