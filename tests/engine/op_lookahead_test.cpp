// OpLookahead: reading a source ahead must change nothing the engine sees. Each vCPU
// gets exactly its own stream, whatever the interleaving; every operation is
// announced to `upcoming` once, in order, before it is handed out and no further
// ahead than the lookahead depth; and a source that cannot be read ahead (a trace)
// is passed through untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sim/engine/op_lookahead.h"
#include "workloads/native_trace.h"
#include "workloads/workload_test_support.h"

namespace s2sim::sim {
namespace {

using workloads::GuestOp;
using workloads::OpSource;
using workloads::test::drain;
using workloads::test::make_env;
using workloads::test::TempDir;
constexpr std::size_t kDepth = OpLookahead::kDepth;

// A source with fixed per-vCPU streams; counts every next() call it receives.
class FakeSource : public OpSource {
 public:
  FakeSource(std::vector<std::vector<GuestOp>> streams, bool read_ahead)
      : streams_(std::move(streams)), pos_(streams_.size(), 0), calls_(streams_.size(), 0), read_ahead_(read_ahead) {}

  bool next(unsigned vcpu, GuestOp& op) override {
    if (vcpu >= streams_.size()) return false;
    ++calls_[vcpu];
    if (pos_[vcpu] == streams_[vcpu].size()) return false;
    op = streams_[vcpu][pos_[vcpu]++];
    return true;
  }
  std::string describe() const override { return "fake"; }
  bool can_read_ahead() const override { return read_ahead_; }

  std::uint64_t calls(unsigned vcpu) const { return calls_[vcpu]; }

 private:
  std::vector<std::vector<GuestOp>> streams_;
  std::vector<std::size_t> pos_;
  std::vector<std::uint64_t> calls_;
  bool read_ahead_;
};

// Distinct operations, so a swapped or repeated one cannot go unnoticed.
std::vector<std::vector<GuestOp>> fake_streams(const std::vector<std::size_t>& lengths) {
  std::vector<std::vector<GuestOp>> s(lengths.size());
  for (std::size_t v = 0; v < lengths.size(); ++v)
    for (std::size_t i = 0; i < lengths[v]; ++i)
      s[v].push_back(GuestOp{.access = i % 3 == 0 ? mmu::Access::Write : mmu::Access::Read,
                             .ipa = (std::uint64_t{v} << 32) | (i << 12),
                             .think_cycles = i,
                             .not_before_cycles = v * 1000 + i});
  return s;
}

// Pulls every vCPU's stream through `la` in an irregular interleaving (uneven
// weights, bursts, calls after exhaustion) and checks the upcoming() contract at
// each step against `expected`, the streams as the source gives them when read
// directly.
void check_lookahead(OpSource& source, const std::vector<std::vector<GuestOp>>& expected, std::uint64_t seed) {
  const auto vcpus = static_cast<unsigned>(expected.size());
  OpLookahead la(source, vcpus);
  std::vector<std::vector<GuestOp>> announced(vcpus), returned(vcpus);
  std::vector<unsigned> calls_after_end(vcpus, 0);
  std::mt19937_64 rng(seed);
  // vCPU v is picked with weight v + 1, in bursts of 1 to 5 calls.
  std::vector<unsigned> weighted;
  for (unsigned v = 0; v < vcpus; ++v) weighted.insert(weighted.end(), v + 1, v);
  const auto done = [&] {
    return std::all_of(calls_after_end.begin(), calls_after_end.end(), [](unsigned c) { return c >= 3; });
  };
  while (!done()) {
    const unsigned v = weighted[rng() % weighted.size()];
    const unsigned burst = 1 + static_cast<unsigned>(rng() % 5);
    for (unsigned b = 0; b < burst; ++b) {
      GuestOp op;
      const std::size_t announced_before = announced[v].size();
      const bool got = la.next(v, op, [&](const GuestOp& up) { announced[v].push_back(up); });
      const std::size_t i = returned[v].size();  // index of the op just returned, if any
      const std::size_t len = expected[v].size();
      if (!got) {
        ASSERT_EQ(i, len) << "vCPU " << v << " ended early";
        ASSERT_EQ(announced[v].size(), len) << "vCPU " << v;
        ASSERT_EQ(announced[v].size(), announced_before) << "upcoming() called for an exhausted stream";
        ++calls_after_end[v];
        continue;
      }
      ASSERT_LT(i, len) << "vCPU " << v << " got more than its stream";
      returned[v].push_back(op);
      EXPECT_EQ(op, expected[v][i]) << "vCPU " << v << ", op " << i;
      // Announced before being returned, and drawn exactly kDepth ahead (fewer only
      // where the stream ends): so never more than kDepth + 1 announced past it.
      ASSERT_GE(announced[v].size(), i + 1) << "vCPU " << v << ", op " << i;
      EXPECT_EQ(announced[v].size(), std::min(len, i + 1 + kDepth)) << "vCPU " << v << ", op " << i;
      EXPECT_EQ(announced[v][i], op) << "vCPU " << v << ", op " << i;
    }
  }
  for (unsigned v = 0; v < vcpus; ++v) {
    EXPECT_EQ(returned[v], expected[v]) << "vCPU " << v;
    EXPECT_EQ(announced[v], expected[v]) << "vCPU " << v << ": each op announced once, in order";
  }
}

std::vector<std::vector<GuestOp>> drain_all(OpSource& src, unsigned vcpus) {
  std::vector<std::vector<GuestOp>> s;
  for (unsigned v = 0; v < vcpus; ++v) s.push_back(drain(src, v));
  return s;
}

TEST(OpLookahead, GeneratorStreamsAreUnchanged) {
  // Uniform, and a phases workload whose periodic phase sets not_before times.
  const char* specs[] = {
      R"({"kind": "uniform", "ops": 157, "write_ratio": 0.3, "think_cycles": 11})",
      R"({"kind": "phases", "phases": [{"kind": "uniform", "ops": 23},
          {"kind": "periodic", "ops": 40, "pages": 1000, "burst_pages": 16, "stride": 3, "think_cycles": 2},
          {"kind": "zipf", "ops": 31}]})",
  };
  for (const char* spec : specs) {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      SCOPED_TRACE(testing::Message() << spec << ", seed " << seed);
      const auto env = make_env(4, 40 + seed);
      auto direct = workloads::test::make(spec, env);
      const auto expected = drain_all(*direct, 4);
      ASSERT_FALSE(expected[0].empty());
      auto read_ahead = workloads::test::make(spec, env);
      ASSERT_TRUE(read_ahead->can_read_ahead());
      check_lookahead(*read_ahead, expected, seed);
    }
  }
}

TEST(OpLookahead, StreamsShorterThanTheDepth) {
  for (int ops = 0; ops <= static_cast<int>(kDepth) + 2; ++ops) {
    SCOPED_TRACE(testing::Message() << "ops " << ops);
    const std::string spec = R"({"kind": "uniform", "ops": )" + std::to_string(ops) + "}";
    const auto env = make_env(3, 9);
    auto direct = workloads::test::make(spec, env);
    const auto expected = drain_all(*direct, 3);
    ASSERT_EQ(expected[1].size(), static_cast<std::size_t>(ops));
    auto read_ahead = workloads::test::make(spec, env);
    check_lookahead(*read_ahead, expected, static_cast<std::uint64_t>(ops) + 1);
  }
}

TEST(OpLookahead, UnevenStreamLengths) {
  // One vCPU per interesting length: empty, below, at and just past the depth, and at,
  // just past and well past one batch.
  const std::vector<std::size_t> lengths = {0,  1, kDepth - 1, kDepth, kDepth + 1, kDepth + 2, 2 * kDepth + 3, 50,
                                           OpLookahead::kBatch, OpLookahead::kBatch + 1, 3 * OpLookahead::kBatch + 5};
  const auto streams = fake_streams(lengths);
  for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    FakeSource src(streams, true);
    check_lookahead(src, streams, seed);
  }
}

TEST(OpLookahead, SourceThatCannotReadAheadPassesThrough) {
  const auto streams = fake_streams({3, 0, 7});
  FakeSource src(streams, false);
  OpLookahead la(src, 3);
  unsigned upcoming_calls = 0;
  const auto upcoming = [&](const GuestOp&) { ++upcoming_calls; };
  std::vector<std::vector<GuestOp>> got(3);
  std::vector<std::uint64_t> our_calls(3, 0);
  // Irregular order, past each stream's end.
  for (unsigned v : {2u, 0u, 2u, 2u, 1u, 0u, 2u, 2u, 0u, 0u, 2u, 2u, 1u, 2u, 0u, 2u}) {
    GuestOp op;
    ++our_calls[v];
    if (la.next(v, op, upcoming)) got[v].push_back(op);
    // Nothing drawn ahead: one source call per call, never more.
    EXPECT_EQ(src.calls(v), our_calls[v]) << "vCPU " << v;
  }
  EXPECT_EQ(upcoming_calls, 0u);
  EXPECT_EQ(got, streams);
}

// --- Which workloads can be read ahead ------------------------------------------------

TEST(OpLookahead, ReadAheadOnlyWhenEveryPhaseAllowsIt) {
  TempDir dir;
  const std::string trace =
      dir.write("t.txt", std::string(workloads::kNativeTraceHeader) + "\n0 R 0x80000000\n0 W 0x80001000\n");
  const std::string native = R"({"kind": "trace", "format": "native", "path": ")" + trace + R"("})";
  const auto env = make_env();

  EXPECT_TRUE(workloads::test::make(R"({"kind": "uniform", "ops": 5})", env)->can_read_ahead());
  EXPECT_TRUE(workloads::test::make(R"({"kind": "sequential", "ops": 5})", env)->can_read_ahead());
  EXPECT_TRUE(workloads::test::make(R"({"kind": "phases", "phases": [{"kind": "uniform", "ops": 5},
      {"kind": "phases", "phases": [{"kind": "zipf", "ops": 2}, {"kind": "hotset", "ops": 3}]}]})",
                                    env)
                  ->can_read_ahead());

  EXPECT_FALSE(workloads::test::make(native, env)->can_read_ahead());
  // A trace anywhere, first, last or nested, makes the whole phases workload a trace.
  EXPECT_FALSE(workloads::test::make(R"({"kind": "phases", "phases": [)" + native + R"(, {"kind": "uniform", "ops": 5}]})", env)
                   ->can_read_ahead());
  EXPECT_FALSE(workloads::test::make(R"({"kind": "phases", "phases": [{"kind": "uniform", "ops": 5}, )" + native + "]}", env)
                   ->can_read_ahead());
  EXPECT_FALSE(workloads::test::make(R"({"kind": "phases", "phases": [{"kind": "uniform", "ops": 5},
      {"kind": "phases", "phases": [{"kind": "zipf", "ops": 2}, )" + native + "]}]}",
                                     env)
                   ->can_read_ahead());

  workloads::WorkloadEnv lackey_env = make_env(1, 1, 0x80000, 2048);
  lackey_env.base_dir = std::string(S2SIM_SOURCE_DIR) + "/tests";
  EXPECT_FALSE(workloads::test::make(R"({"kind": "trace", "format": "lackey", "path": "data/lackey_small.txt"})", lackey_env)
                   ->can_read_ahead());
}

TEST(OpLookahead, PhasesWithATraceArePassedThrough) {
  // The engine's view of a mixed workload: nothing announced, same streams.
  TempDir dir;
  const std::string trace = dir.write("t.txt", std::string(workloads::kNativeTraceHeader) +
                                                   "\n0 R 0x80000000\n1 W 0x80001000\n0 W 0x80002000 5\n");
  const std::string spec = R"({"kind": "phases", "phases": [{"kind": "uniform", "ops": 9},
      {"kind": "trace", "format": "native", "path": ")" + trace + R"("}]})";
  const auto env = make_env(2, 3);
  auto direct = workloads::test::make(spec, env);
  const auto expected = drain_all(*direct, 2);
  ASSERT_EQ(expected[0].size(), 11u);
  auto src = workloads::test::make(spec, env);
  OpLookahead la(*src, 2);
  unsigned upcoming_calls = 0;
  std::vector<std::vector<GuestOp>> got(2);
  GuestOp op;
  for (int round = 0; round < 20; ++round)
    for (unsigned v : {1u, 0u, 0u})
      if (la.next(v, op, [&](const GuestOp&) { ++upcoming_calls; })) got[v].push_back(op);
  EXPECT_EQ(upcoming_calls, 0u);
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace s2sim::sim
