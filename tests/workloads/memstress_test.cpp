// The memstress workload (dirty_log_perf_test's guest): each vCPU's exact page order,
// a GUEST_SYNC after every pass, a populate pass of writes only, write_percent drawn
// from the vCPU's own stream (and the same for the same seed), and located errors.
#include <gtest/gtest.h>

#include "workloads/workload_test_support.h"

using namespace s2sim::workloads;
using namespace s2sim::workloads::test;
using s2sim::mmu::Access;

namespace {

constexpr std::uint64_t kBase = 0x80000;  // make_env's slot base gfn

// Splits a vCPU's stream into passes at each GUEST_SYNC.
std::vector<std::vector<GuestOp>> passes(OpSource& src, unsigned vcpu) {
  std::vector<std::vector<GuestOp>> out(1);
  for (const GuestOp& op : drain(src, vcpu)) {
    if (op.sync) out.emplace_back();
    else out.back().push_back(op);
  }
  EXPECT_TRUE(out.back().empty()) << "the stream ends with a GUEST_SYNC";
  out.pop_back();
  return out;
}

}  // namespace

TEST(Memstress, EachVcpuSweepsItsOwnRegionPageByPageEveryIteration) {
  auto src = make(R"({"kind": "memstress", "bytes_per_vcpu": 16384, "iterations": 2})", make_env(2));
  for (unsigned v = 0; v < 2; ++v) {
    SCOPED_TRACE(v);
    const auto p = passes(*src, v);
    ASSERT_EQ(p.size(), 3u);  // populate + 2 iterations
    for (const auto& pass : p) {
      ASSERT_EQ(pass.size(), 4u);
      for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(pass[i].ipa, (kBase + v * 4 + i) << 12);
        EXPECT_EQ(pass[i].access, Access::Write);  // write_percent 100 by default
        EXPECT_EQ(pass[i].think_cycles, 0u);
      }
    }
  }
  GuestOp op;
  EXPECT_FALSE(src->next(0, op));
  EXPECT_FALSE(src->next(2, op)) << "no third vCPU";
}

TEST(Memstress, StrideSkipsPagesAndIsInBytes) {
  auto src = make(R"({"kind": "memstress", "bytes_per_vcpu": 40960, "stride": 12288, "iterations": 1})",
                  make_env(1));
  const auto p = passes(*src, 0);
  ASSERT_EQ(p.size(), 2u);
  std::vector<std::uint64_t> gfns;
  for (const GuestOp& op : p[1]) gfns.push_back((op.ipa >> 12) - kBase);
  EXPECT_EQ(gfns, (std::vector<std::uint64_t>{0, 3, 6, 9}));  // ceil(10 / 3) accesses
}

TEST(Memstress, PopulateWritesEverythingThenWritePercentDecides) {
  const std::string spec = R"({"kind": "memstress", "bytes_per_vcpu": 4194304, "write_percent": 30, "iterations": 3})";
  auto src = make(spec, make_env(1, 7, 0x80000, 1024));
  const auto p = passes(*src, 0);
  ASSERT_EQ(p.size(), 4u);
  for (const GuestOp& op : p[0]) EXPECT_EQ(op.access, Access::Write);
  std::uint64_t writes = 0;
  for (std::size_t i = 1; i < p.size(); ++i)
    for (const GuestOp& op : p[i]) writes += op.access == Access::Write;
  // 3 x 1024 draws at 30%: mean 921.6, sd 25.4; four sd either way.
  EXPECT_GT(writes, 820u);
  EXPECT_LT(writes, 1024u);
  // The same seed gives the same choices; another seed others.
  auto again = make(spec, make_env(1, 7, 0x80000, 1024));
  EXPECT_EQ(passes(*again, 0), p);
  auto other = make(spec, make_env(1, 8, 0x80000, 1024));
  EXPECT_NE(passes(*other, 0), p);
}

TEST(Memstress, ExactWriteCountForAFixedSeedAndTheExtremes) {
  for (unsigned w : {0u, 100u}) {
    auto src = make(R"({"kind": "memstress", "bytes_per_vcpu": 8192, "iterations": 2, "write_percent": )" +
                        std::to_string(w) + "}",
                    make_env(1));
    const auto p = passes(*src, 0);
    for (std::size_t i = 1; i < p.size(); ++i)
      for (const GuestOp& op : p[i]) EXPECT_EQ(op.access, w == 0 ? Access::Read : Access::Write);
  }
  // A vCPU's choices are its own: vCPU 1's stream is the same with 2 or 3 vCPUs.
  const std::string spec = R"({"kind": "memstress", "bytes_per_vcpu": 65536, "write_percent": 50})";
  auto two = make(spec, make_env(2));
  auto three = make(spec, make_env(3));
  const auto a = passes(*two, 1), b = passes(*three, 1);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].size(), b[i].size());
    for (std::size_t k = 0; k < a[i].size(); ++k) EXPECT_EQ(a[i][k].access, b[i][k].access);
  }
}

TEST(Memstress, ReadProgressCountsEveryOperationAndSync) {
  auto src = make(R"({"kind": "memstress", "bytes_per_vcpu": 8192, "iterations": 2})", make_env(2));
  EXPECT_EQ(src->read_progress().total, 2u * 3u * 3u);  // vCPUs x passes x (2 pages + sync)
  (void)drain(*src, 0);
  EXPECT_EQ(src->read_progress().done, 9u);
  EXPECT_TRUE(src->can_read_ahead());
}

TEST(Memstress, BadKeysAreLocatedErrors) {
  const auto env = make_env(2, 1, 0x80000, 64);
  const auto msg = [&](const std::string& json) {
    return catch_input_error([&] { make(json, env); }).message();
  };
  EXPECT_NE(msg(R"({"kind": "memstress", "bytes_per_vcpu": 5000})").find("/workload/bytes_per_vcpu"), std::string::npos);
  EXPECT_NE(msg(R"({"kind": "memstress", "bytes_per_vcpu": 4096, "stride": 100})").find("/workload/stride"),
            std::string::npos);
  EXPECT_NE(msg(R"({"kind": "memstress", "bytes_per_vcpu": 4096, "write_percent": 101})").find("/workload/write_percent"),
            std::string::npos);
  EXPECT_NE(msg(R"({"kind": "memstress", "bytes_per_vcpu": 4096, "iterations": 0})").find("/workload/iterations"),
            std::string::npos);
  // 2 x 33 pages do not fit a 64-page slot.
  const std::string past = msg(R"({"kind": "memstress", "bytes_per_vcpu": 135168})");
  EXPECT_NE(past.find("/workload/bytes_per_vcpu"), std::string::npos) << past;
  EXPECT_NE(past.find("past the end of the memslot"), std::string::npos) << past;
  EXPECT_NE(msg(R"({"kind": "memstress", "bytes_per_vcpu": 4096, "pages": 3})").find("pages"), std::string::npos);
}
