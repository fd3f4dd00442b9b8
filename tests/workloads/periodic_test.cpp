// The periodic (dirtyram) workload: bursts of strided writes, each burst's first op
// held back until its timer tick.
#include "workloads/workload_test_support.h"

namespace s2sim::workloads {
namespace {

using test::drain;
using test::make_env;

TEST(Periodic, BurstsStrideAndNotBeforeTimes) {
  // 10 pages, bursts of 4 pages 3 apart: offsets 0 3 6 9 | 0 3 6 9 | 0 3. At 1.7 GHz
  // a 30 ms period is 51,000,000 cycles.
  auto src = test::make(R"({"kind": "periodic", "ops": 10, "pages": 10, "burst_pages": 4, "stride": 3})", make_env());
  const auto ops = drain(*src, 0);
  ASSERT_EQ(ops.size(), 10u);
  const std::vector<std::uint64_t> offsets = {0, 3, 6, 9, 0, 3, 6, 9, 0, 3};
  for (std::size_t i = 0; i < ops.size(); ++i) {
    EXPECT_EQ((ops[i].ipa >> mmu::PAGE_SHIFT) - 0x80000, offsets[i]) << i;
    EXPECT_EQ(ops[i].access, mmu::Access::Write);
    const std::uint64_t expected_not_before = i == 4 ? 51'000'000 : i == 8 ? 102'000'000 : 0;
    EXPECT_EQ(ops[i].not_before_cycles, expected_not_before) << i;
  }
}

TEST(Periodic, BurstWrapsInsideTheRegion) {
  auto src = test::make(R"({"kind": "periodic", "ops": 5, "pages": 10, "burst_pages": 5, "stride": 3})", make_env());
  std::vector<std::uint64_t> offsets;
  for (const GuestOp& op : drain(*src, 0)) offsets.push_back((op.ipa >> mmu::PAGE_SHIFT) - 0x80000);
  EXPECT_EQ(offsets, (std::vector<std::uint64_t>{0, 3, 6, 9, 2}));
}

TEST(Periodic, DirtyramDefaults) {
  // The published test: 2,048 pages, every 200th of 409,600, every 30 ms.
  auto env = make_env(1, 1, 0x40000, 409600);
  auto src = test::make(R"({"kind": "periodic", "ops": 4097})", env);
  const auto ops = drain(*src, 0);
  ASSERT_EQ(ops.size(), 4097u);
  EXPECT_EQ(ops[2047].ipa >> mmu::PAGE_SHIFT, 0x40000u + 2047 * 200);
  EXPECT_EQ(ops[2048].ipa >> mmu::PAGE_SHIFT, 0x40000u);
  EXPECT_EQ(ops[2048].not_before_cycles, 51'000'000u);
  EXPECT_EQ(ops[4096].not_before_cycles, 102'000'000u);
}

TEST(Periodic, PeriodFollowsTheClock) {
  auto env = make_env();
  env.clock_hz = 2e9;
  auto src = test::make(R"({"kind": "periodic", "ops": 3, "pages": 10, "burst_pages": 1, "period_ms": 5})", env);
  const auto ops = drain(*src, 0);
  EXPECT_EQ(ops[1].not_before_cycles, 10'000'000u);
  EXPECT_EQ(ops[2].not_before_cycles, 20'000'000u);
}

TEST(Periodic, PartitionedVcpusBurstOverTheirOwnPartition) {
  auto src = test::make(
      R"({"kind": "periodic", "ops": 3, "pages": 20, "shared": false, "burst_pages": 3, "stride": 4})", make_env(2));
  std::vector<std::uint64_t> offsets;
  for (const GuestOp& op : drain(*src, 1)) offsets.push_back((op.ipa >> mmu::PAGE_SHIFT) - 0x80000);
  EXPECT_EQ(offsets, (std::vector<std::uint64_t>{10, 14, 18}));  // partition [10, 20): 0, 4, 8
}

}  // namespace
}  // namespace s2sim::workloads
