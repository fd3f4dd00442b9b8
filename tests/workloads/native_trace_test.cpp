// The native trace format: round trip with the writer, accepted syntax, and every
// error naming "file:line".
#include <cstdio>
#include <sstream>

#include "workloads/native_trace.h"
#include "workloads/workload_test_support.h"

namespace s2sim::workloads {
namespace {

using test::catch_input_error;
using test::drain;
using test::make_env;
using test::TempDir;

std::string written(OpSource& src, unsigned vcpus) {
  std::ostringstream out;
  write_native_trace(src, vcpus, out);
  return out.str();
}

TEST(NativeTrace, WriterReaderRoundTripIsExact) {
  const char* specs[] = {
      R"({"kind": "uniform", "ops": 500, "write_ratio": 0.5, "think_cycles": 7})",
      R"({"kind": "periodic", "ops": 300, "pages": 1000, "burst_pages": 64, "stride": 5, "think_cycles": 3})",
      R"({"kind": "phases", "phases": [{"kind": "zipf", "ops": 100}, {"kind": "sequential", "ops": 40, "shared": false}]})",
      R"({"kind": "sequential", "ops": 0})",
  };
  TempDir dir;
  for (const char* spec : specs) {
    SCOPED_TRACE(spec);
    const WorkloadEnv env = make_env(3, 17);
    auto gen = test::make(spec, env);
    const std::string text = written(*gen, 3);
    auto fresh = test::make(spec, env);
    if (std::string(spec).find("\"ops\": 0") != std::string::npos) {
      EXPECT_EQ(text, std::string(kNativeTraceHeader) + "\n");
      continue;
    }
    const std::string path = dir.write("trace.txt", text);
    auto reader = open_native_trace(path, env);
    for (unsigned v = 0; v < 3; ++v) EXPECT_EQ(drain(*reader, v), drain(*fresh, v)) << "vCPU " << v;

    // Writing what was read back reproduces the file byte for byte.
    auto again = open_native_trace(path, env);
    EXPECT_EQ(written(*again, 3), text);
  }
}

TEST(NativeTrace, AcceptedSyntax) {
  TempDir dir;
  const std::string path = dir.write("t.txt",
                                     "# a comment line\n"
                                     "\n"
                                     "0 W 0x1000\n"
                                     "1\tR\t2ABC   # hex without 0x, tabs, trailing comment\r\n"
                                     "   0 R 0X00000000003000 15\n"
                                     "1 W ffffffffff 0 @51000000\n"
                                     "0 W 5000 @7\n"
                                     "1 R 6000 9");  // no final newline
  auto src = open_native_trace(path, make_env(2));
  const auto v0 = drain(*src, 0), v1 = drain(*src, 1);
  ASSERT_EQ(v0.size(), 3u);
  ASSERT_EQ(v1.size(), 3u);
  EXPECT_EQ(v0[0], (GuestOp{.access = mmu::Access::Write, .ipa = 0x1000}));
  EXPECT_EQ(v0[1], (GuestOp{.access = mmu::Access::Read, .ipa = 0x3000, .think_cycles = 15}));
  EXPECT_EQ(v0[2], (GuestOp{.access = mmu::Access::Write, .ipa = 0x5000, .not_before_cycles = 7}));
  EXPECT_EQ(v1[0], (GuestOp{.access = mmu::Access::Read, .ipa = 0x2abc}));  // IPAs need not be page-aligned
  EXPECT_EQ(v1[1], (GuestOp{.access = mmu::Access::Write, .ipa = 0xffffffffff, .not_before_cycles = 51000000}));
  EXPECT_EQ(v1[2], (GuestOp{.access = mmu::Access::Read, .ipa = 0x6000, .think_cycles = 9}));
  EXPECT_EQ(src->skipped_lines(), 0u);
}

struct BadLine {
  std::string content;
  int line;
  std::string message;  // a part of the message
};

TEST(NativeTrace, ErrorsNameFileAndLine) {
  const std::vector<BadLine> cases = {
      {"0 W 0x1000\n1 X 0x2000\n", 2, "unknown operation \"X\" (expected R or W)"},
      {"0 W 0x1000\n0 w 0x2000\n", 2, "unknown operation \"w\""},
      {"0 W 0xzz\n", 1, "bad hexadecimal IPA \"0xzz\""},
      {"0 W 0x\n", 1, "bad hexadecimal IPA \"0x\""},
      {"0 W 12345678901234567\n", 1, "bad hexadecimal IPA"},  // 17 digits: beyond 64 bits
      {"# c\n\n0 W 1000\n0 W\n", 4, "missing fields"},
      {"0 W 1000\n2 W 1000\n", 2, "vCPU 2 does not exist (the config has 2 vCPUs)"},
      {"-1 W 1000\n", 1, "bad vCPU number \"-1\""},
      {"0 W 10000000000\n", 1, "IPA 0x10000000000 lies outside the 40-bit IPA space"},
      {"0 W 1000 12 junk\n", 1, "unexpected \"junk\" after the operation"},
      {"0 W 1000 @5 6\n", 1, "unexpected \"6\""},
      {"0 W 1000 12x\n", 1, "bad think cycles \"12x\""},
      {"0 W 1000 1000000000001\n", 1, "exceed the limit"},
      {"0 W 1000 0 @x\n", 1, "bad not-before time \"@x\""},
      {"0 W 1000\n\x7f" "ELF\x02\x01\x01\n", 2, "binary data (byte 0x7f in column 1)"},
      {std::string("0 W 1000\n0 W 2000\n0 W\0 3000\n", 28), 3, "binary data (byte 0x00 in column 4)"},
      {"0 W 1000\n" + std::string(5000, '1') + "\n", 2, "line longer than 4096 characters"},
  };
  TempDir dir;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.content.substr(0, 60));
    const std::string path = dir.write("bad.txt", c.content);
    const auto e = catch_input_error([&] {
      auto src = open_native_trace(path, make_env(2));
      drain(*src, 0);
      drain(*src, 1);
    });
    EXPECT_EQ(e.where(), path + ":" + std::to_string(c.line));
    EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
  }
}

TEST(NativeTrace, ErrorLaterInTheFileSurfacesWhenReached) {
  TempDir dir;
  const std::string path = dir.write("late.txt", "0 W 1000\n0 W 2000\n0 Q 3000\n");
  auto src = open_native_trace(path, make_env());  // opening reads only up to the first op
  GuestOp op;
  EXPECT_TRUE(src->next(0, op));
  EXPECT_TRUE(src->next(0, op));
  const auto e = catch_input_error([&] { src->next(0, op); });
  EXPECT_EQ(e.where(), path + ":3");
}

TEST(NativeTrace, FileLevelErrors) {
  TempDir dir;
  for (const std::string content : {"", "# nothing but comments\n\n   \n"}) {
    const std::string path = dir.write("empty.txt", content);
    const auto e = catch_input_error([&] { open_native_trace(path, make_env()); });
    EXPECT_EQ(e.where(), path);
    EXPECT_STREQ(e.what(), "trace has no operations");
  }
  const std::string missing = (dir.path() / "missing.txt").string();
  auto e = catch_input_error([&] { open_native_trace(missing, make_env()); });
  EXPECT_EQ(e.where(), missing);
  EXPECT_NE(std::string(e.what()).find("no such file"), std::string::npos) << e.what();

  e = catch_input_error([&] { open_native_trace(dir.path().string(), make_env()); });
  EXPECT_EQ(e.where(), dir.path().string());
  EXPECT_NE(std::string(e.what()).find("directory"), std::string::npos) << e.what();
}

TEST(NativeTrace, UnevenTraceStaysWithinTheReadAheadBound) {
  // 20 ops of vCPU 1, then 20 of vCPU 0, then 5 more of vCPU 1. Asking vCPU 0 first
  // would queue all of vCPU 1's first 20; with a bound of 3, vCPU 0 detaches instead.
  std::string text;
  auto line = [&text](int vcpu, char op, unsigned gfn) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d %c %x000\n", vcpu, op, gfn);
    text += buf;
  };
  for (unsigned i = 0; i < 20; ++i) line(1, 'W', 0x100 + i);
  for (unsigned i = 0; i < 20; ++i) line(0, 'R', 0x200 + i);
  for (unsigned i = 0; i < 5; ++i) line(1, 'W', 0x300 + i);
  TempDir dir;
  const std::string path = dir.write("uneven.txt", text);

  for (std::size_t bound : {std::size_t{3}, kDefaultReadAheadOps}) {
    SCOPED_TRACE(bound);
    auto src = open_native_trace(path, make_env(2), bound);
    const auto v0 = drain(*src, 0);
    const auto v1 = drain(*src, 1);
    ASSERT_EQ(v0.size(), 20u);
    ASSERT_EQ(v1.size(), 25u);
    EXPECT_EQ(v0[0].ipa, 0x200000u);
    EXPECT_EQ(v0[19].ipa, 0x213000u);
    EXPECT_EQ(v1[19].ipa, 0x113000u);
    EXPECT_EQ(v1[20].ipa, 0x300000u);
    if (bound == 3) {
      EXPECT_EQ(src->detached_vcpus(), 1u);
      EXPECT_LE(src->peak_queued_ops(), bound + 2);
    } else {
      // Unbounded, all of vCPU 1's operations wait while vCPU 0 reads to the end.
      EXPECT_EQ(src->detached_vcpus(), 0u);
      EXPECT_EQ(src->peak_queued_ops(), 25u);
    }
  }
}

TEST(NativeTrace, LongInterleavedTraceStreamsWithSmallQueues) {
  // 3 vCPUs in blocks of 50 lines, drained round-robin: the shared cursor runs about
  // two blocks ahead, so a bound of 150 queued ops suffices for 30,000 ops and
  // nothing detaches.
  std::ostringstream text;
  for (int block = 0; block < 600; ++block) {
    for (int i = 0; i < 50; ++i) text << block % 3 << " W " << std::hex << (block * 50 + i) * 0x1000 << std::dec << "\n";
  }
  TempDir dir;
  const std::string path = dir.write("long.txt", text.str());
  auto src = open_native_trace(path, make_env(3), 150);
  std::vector<std::size_t> count(3, 0);
  GuestOp op;
  for (bool more = true; more;) {
    more = false;
    for (unsigned v = 0; v < 3; ++v) {
      if (src->next(v, op)) {
        ++count[v];
        more = true;
      }
    }
  }
  EXPECT_EQ(count, (std::vector<std::size_t>{10000, 10000, 10000}));
  EXPECT_EQ(src->detached_vcpus(), 0u);
  EXPECT_LE(src->peak_queued_ops(), 150u);
}

TEST(NativeTrace, ThroughTheConfig) {
  TempDir dir;
  dir.write("t.txt", "0 W 1000\n");
  WorkloadEnv env = make_env();
  env.base_dir = dir.path().string();
  auto src = test::make(R"({"kind": "trace", "format": "native", "path": "t.txt"})", env);
  EXPECT_EQ(drain(*src, 0).size(), 1u);
  EXPECT_NE(src->describe().find("native"), std::string::npos);

  const auto e = catch_input_error([&] { test::make(R"({"kind": "trace", "format": "native", "path": "nope.txt"})", env); });
  EXPECT_EQ(e.where(), (dir.path() / "nope.txt").string());
}

}  // namespace
}  // namespace s2sim::workloads
