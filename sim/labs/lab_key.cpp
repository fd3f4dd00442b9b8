#include "sim/labs/lab_key.h"

#include <bit>
#include <cctype>

namespace s2sim::sim::lab {

namespace {

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
  void compress(std::uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

// Fixed keys that turn the lecturer's text into the 128-bit SipHash key: any two
// distinct constants do; these are the first digits of pi's fraction.
constexpr std::uint64_t kKeyMix0 = 0x243F6A8885A308D3ull, kKeyMix1 = 0x13198A2E03707344ull;

}  // namespace

std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, const std::string& data) {
  SipState s{k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull, k0 ^ 0x6c7967656e657261ull,
             k1 ^ 0x7465646279746573ull};
  const std::size_t n = data.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t m = 0;
    for (std::size_t b = 0; b < 8; ++b) m |= std::uint64_t{static_cast<unsigned char>(data[i + b])} << (8 * b);
    s.compress(m);
  }
  std::uint64_t last = std::uint64_t{n & 0xFF} << 56;
  for (std::size_t b = 0; i + b < n; ++b) last |= std::uint64_t{static_cast<unsigned char>(data[i + b])} << (8 * b);
  s.compress(last);
  s.v2 ^= 0xFF;
  for (int r = 0; r < 4; ++r) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

std::string key_problem(const std::string& key) {
  if (key.size() < kMinKeyLength)
    return "a key needs at least " + std::to_string(kMinKeyLength) +
           " characters (a short one could be guessed, and with it every answer)";
  for (char c : key)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return "a key is printable text";
  return "";
}

std::string student_id_problem(const std::string& id) {
  if (id.empty() || id.size() > 64) return "a student id has 1 to 64 characters";
  if (id[0] == '.') return "a student id does not start with a dot";
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '@' && c != '+')
      return "a student id has only letters, digits and . _ - @ + (it names the answer file), not \"" +
             std::string(1, c) + "\"";
  return "";
}

std::uint64_t keyed_seed(const std::string& key, int lab, const std::string& student) {
  // The key text to 128 bits, then the problem's name under that key.
  const std::uint64_t k0 = siphash24(kKeyMix0, kKeyMix1, "s2sim lab key 0\n" + key);
  const std::uint64_t k1 = siphash24(kKeyMix0, kKeyMix1, "s2sim lab key 1\n" + key);
  return siphash24(k0, k1, "lab " + std::to_string(lab) + "\nstudent " + student);
}

}  // namespace s2sim::sim::lab
