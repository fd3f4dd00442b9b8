// Self-contained pseudo-random numbers, so that a seed gives the same workload with
// every compiler and standard library. The <random> engines are portable, but the
// distributions (uniform_int_distribution, ...) are implementation-defined, and the
// simulator promises byte-identical results for the same config and seed.
//
// SplitMix64 expands and mixes seeds; xoshiro256** (Blackman & Vigna, 2018) is the
// generator. Both are written here from their published definitions.
#pragma once

#include <cstdint>

namespace s2sim::workloads {

// One SplitMix64 step: advances `state` by the golden-ratio increment and returns
// the mixed value.
constexpr std::uint64_t splitmix64_next(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A seed for one independent stream, derived from the run's seed and two labels
// (e.g. vCPU index and stream purpose). Nearby inputs give unrelated outputs.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) {
  std::uint64_t s = seed;
  s = splitmix64_next(s) ^ a;
  s = splitmix64_next(s) ^ b;
  return splitmix64_next(s);
}

class Rng {
 public:
  explicit constexpr Rng(std::uint64_t seed) {
    // SplitMix64 never yields an all-zero xoshiro state from four consecutive outputs.
    std::uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64_next(sm);
  }

  // xoshiro256** 1.0.
  constexpr std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n), n >= 1, without modulo bias: draws below 2^64 mod n are
  // rejected so that every residue is equally likely.
  constexpr std::uint64_t below(std::uint64_t n) {
    // A power of two divides 2^64: nothing to reject, and r % n is a mask.
    if ((n & (n - 1)) == 0) return next() & (n - 1);
    // 2^64 mod n costs a division; generators draw with the same n over and over,
    // so it is kept for the last n (the values drawn do not depend on it).
    if (n != bound_) {
      bound_ = n;
      reject_under_ = (0 - n) % n;
    }
    for (;;) {
      const std::uint64_t r = next();
      if (r >= reject_under_) return r % n;
    }
  }

  // Uniform in [0, 1) with 53 random bits, exactly representable.
  constexpr double uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
  std::uint64_t bound_ = 0, reject_under_ = 0;  // below(): the last n and 2^64 mod n
};

}  // namespace s2sim::workloads
