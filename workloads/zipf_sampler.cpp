#include "workloads/zipf_sampler.h"

#include <cmath>

namespace s2sim::workloads {
namespace {

// expm1(t) / t and log1p(t) / t, continuous through t = 0 (where both are 1). They
// let H and its inverse be written once for s = 1 and s != 1: for s -> 1 the
// (1-s) factors cancel and H becomes ln x. Near 0 a Taylor series avoids 0/0.
double expm1_over(double t) {
  if (std::fabs(t) > 1e-8) return std::expm1(t) / t;
  return 1.0 + t * 0.5 * (1.0 + t / 3.0 * (1.0 + 0.25 * t));
}

double log1p_over(double t) {
  if (std::fabs(t) > 1e-8) return std::log1p(t) / t;
  return 1.0 - t * (0.5 - t * (1.0 / 3.0 - 0.25 * t));
}

}  // namespace

ZipfSampler::ZipfSampler(std::uint64_t n, double s) : n_(n == 0 ? 1 : n), s_(s) {
  H_x1_ = H(1.5) - 1.0;
  H_n_ = H(static_cast<double>(n_) + 0.5);
}

double ZipfSampler::h(double x) const { return std::exp(-s_ * std::log(x)); }

double ZipfSampler::H(double x) const {
  const double log_x = std::log(x);
  return expm1_over((1.0 - s_) * log_x) * log_x;
}

double ZipfSampler::H_inverse(double y) const {
  double t = y * (1.0 - s_);
  if (t < -1.0) t = -1.0;  // rounding can push it just past the pole of log1p
  return std::exp(log1p_over(t) * y);
}

std::uint64_t ZipfSampler::sample(Rng& rng) const {
  if (n_ == 1) return 1;
  for (;;) {
    const double u = H_n_ + rng.uniform01() * (H_x1_ - H_n_);
    const double x = H_inverse(u);
    // x is at least H_inverse(H(1.5) - 1) > 0; the clamp guards rounding at both ends.
    const double rounded = x + 0.5;
    std::uint64_t k = rounded < 1.0 ? 1 : (rounded >= static_cast<double>(n_) ? n_ : static_cast<std::uint64_t>(rounded));
    if (k < 1) k = 1;
    if (u >= H(static_cast<double>(k) + 0.5) - h(static_cast<double>(k))) return k;
  }
}

}  // namespace s2sim::workloads
