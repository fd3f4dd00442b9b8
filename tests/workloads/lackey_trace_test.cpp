// Valgrind lackey traces: record shapes, skipped lines, page splitting, placement of
// 2 MiB regions in the memslot, and spreading over vCPUs.
#include "workloads/lackey_trace.h"
#include "workloads/workload_test_support.h"

namespace s2sim::workloads {
namespace {

using test::catch_input_error;
using test::drain;
using test::make_env;
using test::TempDir;

constexpr auto R = mmu::Access::Read;
constexpr auto W = mmu::Access::Write;

// tests/data/lackey_small.txt worked by hand. The memslot starts at gfn 0x80000
// (IPA 0x80000000) and holds 2048 pages = 4 whole 2 MiB regions.
//
// Without instruction fetches, the 2 MiB regions (addr >> 21) in order of first
// appearance: 0x3ff8 (stack, line 7) -> slot region 0 = IPA 0x80000000,
// 0x3 (data, line 9) -> 1 = 0x80200000, 0xf (heap, line 17) -> 2 = 0x80400000,
// 0x2 (code page, line 23) -> 3 = 0x80600000. The operations:
//   line  7  S 7ff000ff8,8 -> W 0x80000ff8
//   line  9  L 00601040,8  -> R 0x80201040
//   line 11  M 00601040,8  -> W 0x80201040            (modify = one write)
//   line 13  L 7ff000ff0,8 -> R 0x80000ff0
//   line 15  S 00601ffc,8  -> W 0x80201ffc, W 0x80202000  (bytes ..ffc-..003 straddle a page)
//   line 17  L 01e00010,4  -> R 0x80400010
//   line 20  S 01e00010,4  -> W 0x80400010
//   line 21  M 01e01008,8  -> W 0x80401008
//   line 23  L 00401ffe,4  -> R 0x80601ffe, R 0x80602000
//   line 27  S 005ffffc,8  -> W 0x807ffffc (region 0x2), W 0x80200000 (region 0x3):
//                             the access straddles a 2 MiB boundary of the trace
// 13 operations, 8 writes and 5 reads. Skipped: the ==123== lines 1-5, 18, 28-30,
// line 24 (prose) and line 25 (" X": no such record) = 11. The 9 I lines are
// records, ignored without include_instructions and not counted as skipped.
// One access of the expected stream.
GuestOp op(mmu::Access access, mmu::ipa_t ipa) { return GuestOp{.access = access, .ipa = ipa}; }

const std::vector<GuestOp> kSmallOps = {
    op(W, 0x80000ff8), op(R, 0x80201040), op(W, 0x80201040), op(R, 0x80000ff0), op(W, 0x80201ffc),
    op(W, 0x80202000), op(R, 0x80400010), op(W, 0x80400010), op(W, 0x80401008), op(R, 0x80601ffe),
    op(R, 0x80602000), op(W, 0x807ffffc), op(W, 0x80200000),
};

WorkloadEnv small_env(unsigned vcpus = 1, std::uint64_t slot_npages = 2048) { return make_env(vcpus, 1, 0x80000, slot_npages); }

TEST(LackeyTrace, SmallTraceWorkedByHand) {
  auto src = open_lackey_trace(test::data_path("lackey_small.txt"), small_env());
  EXPECT_EQ(drain(*src, 0), kSmallOps);
  EXPECT_EQ(src->skipped_lines(), 11u);
}

TEST(LackeyTrace, IncludeInstructionsMakesThemReads) {
  // The I line at line 6 now comes first, so code region 0x2 takes slot region 0 and
  // the others move up by one: 0x3ff8 -> 1, 0x3 -> 2, 0xf -> 3. 13 + 9 = 22 ops,
  // 5 + 9 = 14 reads.
  LackeyOptions options;
  options.include_instructions = true;
  auto src = open_lackey_trace(test::data_path("lackey_small.txt"), small_env(), options);
  const auto ops = drain(*src, 0);
  ASSERT_EQ(ops.size(), 22u);
  EXPECT_EQ(std::count_if(ops.begin(), ops.end(), [](const GuestOp& op) { return op.access == R; }), 14);
  EXPECT_EQ(ops[0], op(R, 0x80001000));  // line 6:  I 00401000,3
  EXPECT_EQ(ops[1], op(W, 0x80200ff8));  // line 7:  S 7ff000ff8,8
  EXPECT_EQ(ops[2], op(R, 0x80001003));  // line 8:  I 00401003,4
  EXPECT_EQ(ops[3], op(R, 0x80401040));  // line 9:  L 00601040,8
  EXPECT_EQ(src->skipped_lines(), 11u);
}

TEST(LackeyTrace, RoundRobinSpreadAndThinkCycles) {
  LackeyOptions options;
  options.spread = LackeySpread::RoundRobin;
  options.think_cycles = 40;
  auto src = open_lackey_trace(test::data_path("lackey_small.txt"), small_env(2), options);
  const auto v0 = drain(*src, 0), v1 = drain(*src, 1);
  ASSERT_EQ(v0.size(), 7u);  // ops 0, 2, ..., 12
  ASSERT_EQ(v1.size(), 6u);  // ops 1, 3, ..., 11
  for (std::size_t i = 0; i < kSmallOps.size(); ++i) {
    GuestOp expected = kSmallOps[i];
    expected.think_cycles = 40;
    EXPECT_EQ(i % 2 == 0 ? v0[i / 2] : v1[i / 2], expected) << i;
  }
}

TEST(LackeyTrace, WithoutSpreadOtherVcpusGetNothing) {
  auto src = open_lackey_trace(test::data_path("lackey_small.txt"), small_env(4));
  EXPECT_TRUE(drain(*src, 3).empty());
  EXPECT_EQ(drain(*src, 0).size(), 13u);
}

TEST(LackeyTrace, RegionOverflowNamesTheLineAndTheSizeNeeded) {
  // 3 whole regions (1536 pages): the fourth region first appears on line 23.
  const std::string path = test::data_path("lackey_small.txt");
  const auto e = catch_input_error([&] {
    auto src = open_lackey_trace(path, small_env(1, 1536 + 100));
    drain(*src, 0);
  });
  EXPECT_EQ(e.where(), path + ":23");
  EXPECT_NE(std::string(e.what()).find("(3 whole 2 MiB regions); it needs at least 8 MiB"), std::string::npos) << e.what();
}

TEST(LackeyTrace, ModifyIsOneWriteAndSplitsOnlyWhenStraddling) {
  TempDir dir;
  const std::string path = dir.write("m.txt",
                                     " M 00001ff8,8\r\n"   // one page: one write (CRLF tolerated)
                                     " M 00001ffc,8   \n"  // straddles: two writes (trailing blanks tolerated)
                                     " L 00003000,4096\n"  // exactly one page
                                     " L 00003001,4096\n"  // two pages
                                     " S ffffffffffffffff,2\n"  // wraps past 2^64: skipped
                                     " S 00001000,0\n"     // size 0: skipped
                                     " S 0x1000,4\n"       // 0x prefix is not lackey: skipped
                                     "I 00001000,4\n"      // one space: skipped
                                     " L 00001000, 4\n");  // blank in the record: skipped
  auto src = open_lackey_trace(path, small_env());
  const auto ops = drain(*src, 0);
  const std::vector<GuestOp> expected = {op(W, 0x80001ff8), op(W, 0x80001ffc), op(W, 0x80002000),
                                         op(R, 0x80003000), op(R, 0x80003001), op(R, 0x80004000)};
  EXPECT_EQ(ops, expected);
  EXPECT_EQ(src->skipped_lines(), 5u);
}

TEST(LackeyTrace, TraceWithoutOperationsIsAnError) {
  TempDir dir;
  const std::string path = dir.write("none.txt", "==1== hello\nI  00400000,4\n==1== bye\n");
  const auto e = catch_input_error([&] { open_lackey_trace(path, small_env()); });
  EXPECT_EQ(e.where(), path);
  EXPECT_EQ(std::string(e.what()), "trace has no operations (2 lines skipped as not being operations)");
}

TEST(LackeyTrace, BoundedReadAheadGivesTheSameStreams) {
  // A bound of 1 forces detaching; the detached cursor must carry the region map.
  LackeyOptions tight;
  tight.spread = LackeySpread::RoundRobin;
  tight.read_ahead_ops = 1;
  LackeyOptions loose = tight;
  loose.read_ahead_ops = kDefaultReadAheadOps;
  auto a = open_lackey_trace(test::data_path("lackey_small.txt"), small_env(3), tight);
  auto b = open_lackey_trace(test::data_path("lackey_small.txt"), small_env(3), loose);
  for (unsigned v : {2u, 0u, 1u}) EXPECT_EQ(drain(*a, v), drain(*b, v)) << v;
  EXPECT_GE(a->detached_vcpus(), 1u);
  EXPECT_EQ(a->skipped_lines(), 11u);
}

TEST(LackeyTrace, ThroughTheConfig) {
  WorkloadEnv env = small_env(2);
  env.base_dir = std::string(S2SIM_SOURCE_DIR) + "/tests";
  auto src = test::make(R"({"kind": "trace", "format": "lackey", "path": "data/lackey_small.txt",
                            "spread": "round_robin", "think_cycles": 5, "include_instructions": false})",
                        env);
  EXPECT_EQ(drain(*src, 0).size() + drain(*src, 1).size(), 13u);
  EXPECT_EQ(src->skipped_lines(), 11u);
  EXPECT_NE(src->describe().find("lackey"), std::string::npos);

  auto e = catch_input_error([&] {
    test::make(R"({"kind": "trace", "format": "lackey", "path": "data/lackey_small.txt", "spread": "roundrobin"})", env);
  });
  EXPECT_EQ(e.where(), "test.json: /workload/spread");
  EXPECT_NE(std::string(e.what()).find("did you mean \"round_robin\"?"), std::string::npos) << e.what();

  env.slot_npages = 100;
  e = catch_input_error([&] { test::make(R"({"kind": "trace", "format": "lackey", "path": "data/lackey_small.txt"})", env); });
  EXPECT_EQ(e.where(), "test.json: /workload");
}

}  // namespace
}  // namespace s2sim::workloads
