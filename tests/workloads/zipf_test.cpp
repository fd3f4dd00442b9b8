// Zipf skew: rank k is drawn with probability k^-s / sum_j j^-s, rank 1 most often.
// (That it needs no per-page memory is measured in zipf_memory_test.cpp.)
#include <algorithm>
#include <cmath>
#include <map>

#include "workloads/workload_test_support.h"
#include "workloads/zipf_sampler.h"

namespace s2sim::workloads {
namespace {

using test::drain;
using test::make_env;

double zipf_probability(std::uint64_t k, std::uint64_t n, double s) {
  double norm = 0;
  for (std::uint64_t j = 1; j <= n; ++j) norm += std::pow(static_cast<double>(j), -s);
  return std::pow(static_cast<double>(k), -s) / norm;
}

TEST(ZipfSampler, MatchesTheDistribution) {
  for (double s : {0.5, 0.99, 1.0, 2.0}) {
    SCOPED_TRACE(s);
    const std::uint64_t n = 100;
    const int draws = 200000;
    ZipfSampler sampler(n, s);
    Rng rng(11);
    std::vector<int> count(n + 1, 0);
    for (int i = 0; i < draws; ++i) {
      const std::uint64_t k = sampler.sample(rng);
      ASSERT_GE(k, 1u);
      ASSERT_LE(k, n);
      ++count[k];
    }
    for (std::uint64_t k : {1u, 2u, 3u, 10u, 50u}) {
      const double p = zipf_probability(k, n, s);
      const double sd = std::sqrt(draws * p * (1 - p));
      EXPECT_NEAR(count[k], draws * p, 5 * sd + 1) << "rank " << k;
    }
  }
}

TEST(ZipfSampler, SingleRankAndHugeN) {
  Rng rng(1);
  EXPECT_EQ(ZipfSampler(1, 0.99).sample(rng), 1u);
  const std::uint64_t n = std::uint64_t{1} << 40;
  ZipfSampler huge(n, 0.99);
  int small_ranks = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t k = huge.sample(rng);
    ASSERT_GE(k, 1u);
    ASSERT_LE(k, n);
    if (k <= 1000) ++small_ranks;
  }
  // P(k <= 1000) = H(1000) / H(2^40) = 7.73 / 32.5 = 0.238 with s = 0.99 (sd ~43 here).
  EXPECT_GT(small_ranks, 2200);
  EXPECT_LT(small_ranks, 2550);
}

TEST(Zipf, RankOrderMakesTheFirstPageTheHottest) {
  const int ops = 200000;
  auto src = test::make(R"({"kind": "zipf", "ops": 200000, "pages": 1000, "permute": false})", make_env());
  std::vector<int> count(1000, 0);
  for (const GuestOp& op : drain(*src, 0)) ++count[(op.ipa >> mmu::PAGE_SHIFT) - 0x80000];
  EXPECT_EQ(std::max_element(count.begin(), count.end()) - count.begin(), 0);
  EXPECT_GT(count[0], count[1]);
  EXPECT_GT(count[1], count[2]);
  EXPECT_GT(count[2], count[9]);
  EXPECT_GT(count[9], count[99]);
  EXPECT_NEAR(count[0], ops * zipf_probability(1, 1000, 0.99), 0.03 * ops * zipf_probability(1, 1000, 0.99));
  EXPECT_NEAR(static_cast<double>(count[0]) / count[1], std::pow(2.0, 0.99), 0.1);
}

TEST(Zipf, PermutationIsABijectionKeepingTheSkew) {
  // 7 pages, s = 1: after scattering, the sorted page frequencies are still the
  // rank probabilities, and every page is reachable.
  const int ops = 70000;
  auto src = test::make(R"({"kind": "zipf", "ops": 70000, "pages": 7, "exponent": 1.0})", make_env());
  std::map<mmu::gfn_t, int> count;
  for (const GuestOp& op : drain(*src, 0)) ++count[op.ipa >> mmu::PAGE_SHIFT];
  ASSERT_EQ(count.size(), 7u);
  std::vector<int> sorted;
  for (const auto& [gfn, c] : count) sorted.push_back(c);
  std::sort(sorted.rbegin(), sorted.rend());
  for (std::uint64_t k = 1; k <= 7; ++k) {
    const double p = zipf_probability(k, 7, 1.0);
    EXPECT_NEAR(sorted[k - 1], ops * p, 5 * std::sqrt(ops * p * (1 - p)) + 1) << "rank " << k;
  }
}

TEST(Zipf, AllVcpusShareTheHotPagesOfASharedRegion) {
  auto src = test::make(R"({"kind": "zipf", "ops": 20000, "pages": 4000})", make_env(2));
  mmu::gfn_t hottest[2];
  for (unsigned v = 0; v < 2; ++v) {
    std::map<mmu::gfn_t, int> count;
    for (const GuestOp& op : drain(*src, v)) ++count[op.ipa >> mmu::PAGE_SHIFT];
    hottest[v] = std::max_element(count.begin(), count.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
  }
  EXPECT_EQ(hottest[0], hottest[1]);
}

}  // namespace
}  // namespace s2sim::workloads
