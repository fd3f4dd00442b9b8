// Simulated time: the machine's clock turns cycles into seconds and back.
//
// One rounding rule: a time becomes a whole number of cycles by rounding to the
// nearest cycle, halves away from zero (std::llround). A comparison against a time
// limit uses the exact, fractional cycle count instead (cycles_in_ms), so that a
// stop rule's decision does not depend on where a rounding fell.
#pragma once

#include <cmath>
#include <cstdint>

namespace s2sim::sim {

class Clock {
 public:
  explicit Clock(double hz) : hz_(hz) {}

  double hz() const { return hz_; }

  // Cycles -> time.
  double seconds(std::uint64_t cycles) const { return static_cast<double>(cycles) / hz_; }
  double ms(std::uint64_t cycles) const { return static_cast<double>(cycles) * 1000.0 / hz_; }

  // Time -> cycles, exact (fractional).
  double cycles_in_seconds(double seconds) const { return seconds * hz_; }
  double cycles_in_ms(double ms) const { return ms * hz_ / 1000.0; }

  // Time -> whole cycles, by the rounding rule above.
  std::uint64_t seconds_to_cycles(double seconds) const { return round_cycles(cycles_in_seconds(seconds)); }
  std::uint64_t ms_to_cycles(double ms) const { return round_cycles(cycles_in_ms(ms)); }
  static std::uint64_t round_cycles(double cycles) { return static_cast<std::uint64_t>(std::llround(cycles)); }

 private:
  double hz_;
};

}  // namespace s2sim::sim
