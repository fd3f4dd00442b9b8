// Zipf-distributed ranks in [1, n], P(k) proportional to k^-s, in O(1) expected time
// and O(1) memory whatever n is: rejection-inversion sampling (W. Hörmann and
// G. Derflinger, "Rejection-inversion to generate variates from monotone discrete
// distributions", ACM TOMACS 6(3), 1996).
//
// Idea: h(x) = x^-s is convex and decreasing, so the area under it over
// [k-1/2, k+1/2] is at least h(k). Invert the integral H of h to turn a uniform
// number into a continuous x, round it to the rank k, and keep k only when the
// number fell in the top h(k) of k's slice of area; rank 1 gets a slice of exactly
// h(1). Accepted ranks are therefore distributed exactly as h(k), and for s > 0 the
// expected number of tries is small (below 1.2 for s near 1).
//
// The result depends on exp/log/expm1/log1p; with a given libm it is fully
// deterministic. Libraries that differ in the last bit of those functions could
// (very rarely) flip one rounding or acceptance decision.
#pragma once

#include <cstdint>

#include "workloads/prng.h"

namespace s2sim::workloads {

class ZipfSampler {
 public:
  // n >= 1, s > 0.
  ZipfSampler(std::uint64_t n, double s);
  std::uint64_t sample(Rng& rng) const;

  std::uint64_t n() const { return n_; }
  double exponent() const { return s_; }

 private:
  double h(double x) const;          // x^-s
  double H(double x) const;          // integral of h: (x^(1-s) - 1) / (1-s), ln x when s = 1
  double H_inverse(double y) const;

  std::uint64_t n_;
  double s_;
  double H_x1_;  // H(1.5) - h(1): bottom of rank 1's slice
  double H_n_;   // H(n + 0.5): top of rank n's slice
};

}  // namespace s2sim::workloads
