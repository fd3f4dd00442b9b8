// Properties every synthetic generator shares (determinism, staying in its region,
// partitioning, write_ratio, think_cycles) and the specific shapes of sequential,
// uniform, hotset and pmd_crossing.
#include <algorithm>
#include <set>

#include "mmu/granule.h"
#include "workloads/workload_test_support.h"

namespace s2sim::workloads {
namespace {

using test::catch_input_error;
using test::drain;
using test::is_write;
using test::make_env;

mmu::gfn_t gfn_of(const GuestOp& op) { return op.ipa >> mmu::PAGE_SHIFT; }

// One spec per generator kind; the region keys are added by the tests. The memslot
// of make_env() is gfns [0x80000, 0x81000).
const std::vector<nlohmann::json>& generator_specs() {
  // Parsed from text, as configs are, so that numbers are JSON unsigned integers.
  static const std::vector<nlohmann::json> specs = {
      nlohmann::json::parse(R"({"kind": "sequential", "ops": 3000, "stride": 3, "passes": 0})"),
      nlohmann::json::parse(R"({"kind": "uniform", "ops": 3000})"),
      nlohmann::json::parse(R"({"kind": "zipf", "ops": 3000})"),
      nlohmann::json::parse(R"({"kind": "hotset", "ops": 3000})"),
      nlohmann::json::parse(R"({"kind": "pmd_crossing", "ops": 3000})"),
      nlohmann::json::parse(R"({"kind": "periodic", "ops": 3000, "burst_pages": 100, "stride": 7})"),
  };
  return specs;
}

// A spec with its region set.
nlohmann::json with_region(nlohmann::json spec, mmu::gfn_t first_gfn, std::uint64_t pages, bool shared) {
  spec["first_gfn"] = first_gfn;
  spec["pages"] = pages;
  spec["shared"] = shared;
  return spec;
}

std::vector<std::vector<GuestOp>> drain_all(OpSource& src, unsigned vcpus) {
  std::vector<std::vector<GuestOp>> out;
  for (unsigned v = 0; v < vcpus; ++v) out.push_back(drain(src, v));
  return out;
}

TEST(Generators, SameSeedGivesSameStreams) {
  for (const auto& spec : generator_specs()) {
    SCOPED_TRACE(spec.dump());
    const WorkloadEnv env = make_env(3, 42);
    auto a = make_workload(spec, "/workload", env);
    auto b = make_workload(spec, "/workload", env);
    const auto sa = drain_all(*a, 3), sb = drain_all(*b, 3);
    EXPECT_EQ(sa, sb);
    for (const auto& s : sa) EXPECT_EQ(s.size(), 3000u);
  }
}

TEST(Generators, DifferentSeedGivesDifferentStreamsForRandomKinds) {
  for (const char* kind : {"uniform", "zipf", "hotset", "pmd_crossing"}) {
    SCOPED_TRACE(kind);
    nlohmann::json spec = nlohmann::json::parse(R"({"ops": 500})");
    spec["kind"] = kind;
    auto a = make_workload(spec, "/workload", make_env(2, 1));
    auto b = make_workload(spec, "/workload", make_env(2, 2));
    EXPECT_NE(drain_all(*a, 2), drain_all(*b, 2));
    // Different vCPUs of one run draw different pages too.
    auto c = make_workload(spec, "/workload", make_env(2, 1));
    EXPECT_NE(drain(*c, 0), drain(*c, 1));
  }
}

TEST(Generators, StreamOfAVcpuDoesNotDependOnInterleaving) {
  for (const auto& spec : generator_specs()) {
    SCOPED_TRACE(spec.dump());
    const WorkloadEnv env = make_env(2, 9);
    auto one_by_one = make_workload(spec, "/workload", env);
    const auto expected = drain_all(*one_by_one, 2);
    auto interleaved = make_workload(spec, "/workload", env);
    std::vector<std::vector<GuestOp>> got(2);
    GuestOp op;
    for (bool more = true; more;) {
      more = false;
      for (unsigned v : {1u, 0u, 1u}) {  // uneven on purpose
        if (interleaved->next(v, op)) {
          got[v].push_back(op);
          more = true;
        }
      }
    }
    EXPECT_EQ(got, expected);
  }
}

TEST(Generators, ExhaustedStreamKeepsReturningFalse) {
  auto src = test::make(R"({"kind": "uniform", "ops": 2})", make_env(2));
  GuestOp op;
  EXPECT_TRUE(src->next(0, op));
  EXPECT_TRUE(src->next(0, op));
  EXPECT_FALSE(src->next(0, op));
  EXPECT_FALSE(src->next(0, op));
  EXPECT_TRUE(src->next(1, op));  // vCPU 1 is unaffected
  EXPECT_FALSE(src->next(7, op)); // no such vCPU
}

TEST(Generators, ZeroOpsIsAnEmptyStream) {
  auto src = test::make(R"({"kind": "zipf", "ops": 0})", make_env());
  EXPECT_TRUE(drain(*src, 0).empty());
}

TEST(Generators, SharedRegionKeepsEveryOpInsideIt) {
  const mmu::gfn_t first = 0x80100;
  const std::uint64_t pages = 2048;
  for (const auto& base : generator_specs()) {
    SCOPED_TRACE(base.dump());
    auto src = make_workload(with_region(base, first, pages, true), "/workload", make_env(4, 5));
    for (unsigned v = 0; v < 4; ++v) {
      for (const GuestOp& op : drain(*src, v)) {
        ASSERT_GE(gfn_of(op), first);
        ASSERT_LT(gfn_of(op), first + pages);
        ASSERT_EQ(op.ipa % mmu::PAGE_SIZE, 0u);  // generators emit page-aligned IPAs
      }
    }
  }
}

TEST(Generators, PartitionedRegionsAreDisjointAndInside) {
  const mmu::gfn_t first = 0x80100;
  const std::uint64_t pages = 2050;  // 4 partitions of 512 pages; 2 pages unused
  for (const auto& base : generator_specs()) {
    SCOPED_TRACE(base.dump());
    auto src = make_workload(with_region(base, first, pages, false), "/workload", make_env(4, 5));
    std::vector<std::set<mmu::gfn_t>> touched(4);
    for (unsigned v = 0; v < 4; ++v) {
      for (const GuestOp& op : drain(*src, v)) {
        ASSERT_GE(gfn_of(op), first + 512 * v);
        ASSERT_LT(gfn_of(op), first + 512 * (v + 1));
        touched[v].insert(gfn_of(op));
      }
    }
    for (unsigned a = 0; a < 4; ++a) {
      for (unsigned b = a + 1; b < 4; ++b) {
        std::vector<mmu::gfn_t> common;
        std::set_intersection(touched[a].begin(), touched[a].end(), touched[b].begin(), touched[b].end(),
                              std::back_inserter(common));
        EXPECT_TRUE(common.empty());
      }
    }
  }
}

TEST(Generators, DefaultRegionIsTheWholeMemslot) {
  auto src = test::make(R"({"kind": "sequential", "ops": 5000})", make_env(1, 1, 0x80000, 4096));
  const auto ops = drain(*src, 0);
  ASSERT_EQ(ops.size(), 4096u);  // one pass over the slot
  EXPECT_EQ(gfn_of(ops.front()), 0x80000u);
  EXPECT_EQ(gfn_of(ops.back()), 0x80fffu);
}

TEST(Generators, WriteRatioIsRespected) {
  // 100000 Bernoulli(0.3) draws: standard deviation ~145, so +-1000 is ~7 sigma.
  auto src = test::make(R"({"kind": "uniform", "ops": 100000, "write_ratio": 0.3})", make_env());
  const auto ops = drain(*src, 0);
  const auto writes = std::count_if(ops.begin(), ops.end(), is_write);
  EXPECT_GT(writes, 29000);
  EXPECT_LT(writes, 31000);

  auto reads = test::make(R"({"kind": "uniform", "ops": 1000, "write_ratio": 0})", make_env());
  for (const GuestOp& op : drain(*reads, 0)) EXPECT_FALSE(is_write(op));
  auto writes_only = test::make(R"({"kind": "uniform", "ops": 1000})", make_env());
  for (const GuestOp& op : drain(*writes_only, 0)) EXPECT_TRUE(is_write(op));
}

TEST(Generators, WriteRatioDoesNotMoveThePages) {
  auto a = test::make(R"({"kind": "zipf", "ops": 1000, "write_ratio": 0.5})", make_env());
  auto b = test::make(R"({"kind": "zipf", "ops": 1000, "write_ratio": 1.0})", make_env());
  const auto oa = drain(*a, 0), ob = drain(*b, 0);
  ASSERT_EQ(oa.size(), ob.size());
  for (std::size_t i = 0; i < oa.size(); ++i) EXPECT_EQ(oa[i].ipa, ob[i].ipa);
}

TEST(Generators, ThinkCyclesApplyToEveryOp) {
  auto src = test::make(R"({"kind": "hotset", "ops": 100, "think_cycles": 123})", make_env(2));
  for (unsigned v = 0; v < 2; ++v) {
    for (const GuestOp& op : drain(*src, v)) {
      EXPECT_EQ(op.think_cycles, 123u);
      EXPECT_EQ(op.not_before_cycles, 0u);
    }
  }
}

TEST(Sequential, StrideStartPassesAndWrap) {
  // 10 pages, stride 3, start 2: one pass is ceil(10/3) = 4 ops at offsets
  // 2, 5, 8, 11 mod 10 = 1; two passes end the stream before ops = 100.
  auto src = test::make(
      R"({"kind": "sequential", "ops": 100, "first_gfn": 524298, "pages": 10, "stride": 3, "start": 2, "passes": 2})",
      make_env());
  std::vector<mmu::gfn_t> offsets;
  for (const GuestOp& op : drain(*src, 0)) offsets.push_back(gfn_of(op) - 524298);
  EXPECT_EQ(offsets, (std::vector<mmu::gfn_t>{2, 5, 8, 1, 2, 5, 8, 1}));
}

TEST(Sequential, OpsBoundsUnlimitedPasses) {
  auto src = test::make(R"({"kind": "sequential", "ops": 25, "pages": 10, "passes": 0})", make_env());
  const auto ops = drain(*src, 0);
  ASSERT_EQ(ops.size(), 25u);
  EXPECT_EQ(gfn_of(ops[24]), 0x80000u + 4);
}

TEST(Sequential, PartitionedStartIsPerPartition) {
  auto src = test::make(R"({"kind": "sequential", "ops": 2, "pages": 100, "shared": false, "start": 3})", make_env(2));
  EXPECT_EQ(gfn_of(drain(*src, 0)[0]), 0x80000u + 3);
  EXPECT_EQ(gfn_of(drain(*src, 1)[0]), 0x80000u + 50 + 3);
}

TEST(Uniform, CoversTheRegion) {
  auto src = test::make(R"({"kind": "uniform", "ops": 20000, "pages": 64})", make_env());
  std::vector<int> count(64, 0);
  for (const GuestOp& op : drain(*src, 0)) ++count[gfn_of(op) - 0x80000];
  for (int c : count) EXPECT_GT(c, 200);  // expected 312.5 each
}

TEST(Hotset, HotProbabilityGoesToTheFirstHotFractionOfTheRegion) {
  auto src = test::make(R"({"kind": "hotset", "ops": 100000, "pages": 1000, "hot_fraction": 0.1, "hot_probability": 0.9})",
                        make_env());
  const auto ops = drain(*src, 0);
  const auto hot = std::count_if(ops.begin(), ops.end(), [](const GuestOp& op) { return gfn_of(op) < 0x80000u + 100; });
  EXPECT_GT(hot, 89000);  // sd ~95
  EXPECT_LT(hot, 91000);
}

TEST(Hotset, DegenerateFractionsAreUniform) {
  for (const char* spec : {R"({"kind": "hotset", "ops": 5000, "pages": 10, "hot_fraction": 0})",
                           R"({"kind": "hotset", "ops": 5000, "pages": 10, "hot_fraction": 1})"}) {
    auto src = test::make(spec, make_env());
    std::set<mmu::gfn_t> pages;
    for (const GuestOp& op : drain(*src, 0)) pages.insert(gfn_of(op));
    EXPECT_EQ(pages.size(), 10u) << spec;
  }
}

TEST(PmdCrossing, WindowsStraddleA2MiBBoundary) {
  auto src = test::make(R"({"kind": "pmd_crossing", "ops": 3200})", make_env(1, 3));
  const auto ops = drain(*src, 0);
  ASSERT_EQ(ops.size(), 3200u);
  std::set<mmu::gfn_t> boundaries;
  for (std::size_t w = 0; w < ops.size() / 32; ++w) {
    const mmu::gfn_t start = gfn_of(ops[w * 32]);
    for (std::size_t j = 0; j < 32; ++j) ASSERT_EQ(gfn_of(ops[w * 32 + j]), start + j);
    const mmu::gfn_t boundary = start + 16;
    EXPECT_TRUE(mmu::pmd_aligned(boundary)) << boundary;
    boundaries.insert(boundary);
  }
  // The slot [0x80000, 0x81000) has 7 usable inner boundaries; 100 windows hit them all.
  EXPECT_EQ(boundaries.size(), 7u);
  EXPECT_EQ(*boundaries.begin(), 0x80200u);
  EXPECT_EQ(*boundaries.rbegin(), 0x80e00u);
}

TEST(PmdCrossing, OddWindowPutsTheExtraPageAbove) {
  auto src = test::make(R"({"kind": "pmd_crossing", "ops": 5, "window_pages": 5})", make_env());
  const auto ops = drain(*src, 0);
  EXPECT_TRUE(mmu::pmd_aligned(gfn_of(ops[2])));  // 2 pages below the boundary, 3 from it up
}

TEST(PmdCrossing, RegionWithoutBoundaryIsAConfigError) {
  const auto e = catch_input_error([] {
    test::make(R"({"kind": "pmd_crossing", "ops": 5, "first_gfn": 524304, "pages": 400})", make_env());
  });
  EXPECT_EQ(e.where(), "test.json: /workload/pages");
  EXPECT_NE(std::string(e.what()).find("contains no 2 MiB boundary"), std::string::npos) << e.what();
}

TEST(Generators, DescribeIsOneLine) {
  for (const auto& spec : generator_specs()) {
    auto src = make_workload(spec, "/workload", make_env());
    const std::string d = src->describe();
    EXPECT_EQ(d.find('\n'), std::string::npos);
    EXPECT_EQ(d.rfind(spec["kind"].get<std::string>(), 0), 0u) << d;
    EXPECT_EQ(src->skipped_lines(), 0u);
  }
}

}  // namespace
}  // namespace s2sim::workloads
