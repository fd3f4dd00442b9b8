// OpSource::next_batch: a batch holds exactly the operations that as many next()
// calls would return, for every workload kind, whatever the batch sizes and however
// the vCPUs' batches interleave; a stream that ends gives a short batch, then empty
// ones.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "workloads/workload_test_support.h"

namespace s2sim::workloads {
namespace {

using test::drain;
using test::make;
using test::make_env;

// Every generator kind, with mixed write ratios and think times so that each field
// of an operation varies.
const char* const kSpecs[] = {
    R"({"kind": "uniform", "ops": 700, "pages": 512, "write_ratio": 0.4, "think_cycles": 3})",
    R"({"kind": "uniform", "ops": 500, "pages": 16})",
    R"({"kind": "zipf", "ops": 600, "exponent": 1.1, "write_ratio": 0.7})",
    R"({"kind": "sequential", "ops": 650, "stride": 3})",
    R"({"kind": "hotset", "ops": 300, "hot_fraction": 0.1, "write_ratio": 0.5})",
    R"({"kind": "pmd_crossing", "ops": 400, "window_pages": 32})",
    R"({"kind": "periodic", "ops": 300, "period_ms": 1, "write_ratio": 0.9})",
    R"({"kind": "phases", "phases": [{"kind": "uniform", "ops": 100, "pages": 64}, {"kind": "zipf", "ops": 90}]})",
    R"({"kind": "memstress", "bytes_per_vcpu": 262144, "stride": 8192, "write_percent": 60, "iterations": 3})",
};

TEST(NextBatch, SameOperationsAsNextForEveryKind) {
  constexpr unsigned kVcpus = 3;
  for (const char* spec : kSpecs) {
    SCOPED_TRACE(spec);
    const auto env = make_env(kVcpus, 7, 0x80000, 16384);
    auto one_by_one = make(spec, env);
    auto batched = make(spec, env);
    std::vector<std::vector<GuestOp>> expected(kVcpus), got(kVcpus);
    for (unsigned v = 0; v < kVcpus; ++v) expected[v] = drain(*one_by_one, v);
    std::mt19937_64 rng(42);
    std::vector<unsigned> short_batches(kVcpus, 0);
    for (unsigned round = 0; round < 100000; ++round) {
      bool all_over = true;
      for (unsigned v = 0; v < kVcpus; ++v) all_over &= short_batches[v] >= 2;
      if (all_over) break;
      const auto v = static_cast<unsigned>(rng() % kVcpus);
      const std::size_t n = std::size_t{1} + rng() % 70;  // batches of 1 to 70
      std::vector<GuestOp> buf(n);
      const std::size_t k = batched->next_batch(v, buf.data(), n);
      ASSERT_LE(k, n);
      got[v].insert(got[v].end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(k));
      if (k < n) {
        ++short_batches[v];
        ASSERT_EQ(got[v].size(), expected[v].size()) << "a short batch before the stream's end, vCPU " << v;
      }
    }
    for (unsigned v = 0; v < kVcpus; ++v) {
      ASSERT_FALSE(expected[v].empty());
      EXPECT_EQ(got[v], expected[v]) << "vCPU " << v;
    }
    GuestOp op;
    EXPECT_EQ(batched->next_batch(kVcpus, &op, 1), 0u) << "a vCPU the workload does not have";
  }
}

}  // namespace
}  // namespace s2sim::workloads
