// Traces as people have them: gzip and zstd files recognized by their content (the
// fixtures are compressed here, with the libraries, under names without a suffix),
// concatenated members and frames, truncated and corrupt data (an InputError naming
// "file:line"), FIFOs, forking a cursor on compressed input and on a pipe, and the
// lackey region and skipped-line counts the report prints.
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <thread>

#include "workloads/byte_source.h"
#include "workloads/lackey_trace.h"
#include "workloads/line_reader.h"
#include "workloads/native_trace.h"
#include "workloads/workload_test_support.h"

namespace s2sim::workloads {
namespace {

using test::catch_input_error;
using test::drain;
using test::make_env;
using test::TempDir;

std::string gzip(const std::string& text) {
  z_stream zs{};
  // 16 + 15 window bits: a gzip wrapper, as the gzip tool writes.
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string zstd(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// A native trace of `lines` operations; with `uneven`, all of vCPU 0's come first,
// then all of vCPU 1's (so that a bounded demux must detach a vCPU). With
// `scattered`, pages are drawn all over a 4 GiB range, so that the text compresses
// only a few times, into many compressed blocks.
std::string native_text(unsigned lines, bool uneven, bool scattered = false) {
  std::string t = std::string(kNativeTraceHeader) + "\n";
  for (unsigned i = 0; i < lines; ++i) {
    const unsigned vcpu = uneven ? (i < lines / 2 ? 0 : 1) : i % 2;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%u %c %llx %u\n", vcpu, i % 3 ? 'W' : 'R',
                  static_cast<unsigned long long>(
                      (0x80000ull + (scattered ? (i * 2654435761ull) % (1u << 20) : (i * 7) % 4096)) << 12),
                  i % 5);
    t += buf;
  }
  return t;
}

std::vector<std::vector<GuestOp>> streams(const std::string& path, std::size_t read_ahead = kDefaultReadAheadOps) {
  auto src = open_native_trace(path, make_env(2), read_ahead);
  return {drain(*src, 0), drain(*src, 1)};
}

Compression compression_of(const std::string& path) { return LineReader(path).compression(); }

TEST(TraceInput, GzipAndZstdAreRecognizedByContentAndReadAlike) {
  TempDir dir;
  const std::string text = native_text(3000, false);
  const std::string plain = dir.write("plain.trace", text);
  // Names that say nothing (and one that lies): only the bytes tell.
  const std::string gz = dir.write("a.trace", gzip(text));
  const std::string zst = dir.write("b.gz", zstd(text));
  EXPECT_EQ(compression_of(plain), Compression::None);
  EXPECT_EQ(compression_of(gz), Compression::Gzip);
  EXPECT_EQ(compression_of(zst), Compression::Zstd);
  const auto want = streams(plain);
  ASSERT_EQ(want[0].size(), 1500u);
  EXPECT_EQ(streams(gz), want);
  EXPECT_EQ(streams(zst), want);
}

TEST(TraceInput, ConcatenatedMembersAndFramesAreOneTrace) {
  TempDir dir;
  const std::string text = native_text(1000, false);
  const std::string first = text.substr(0, text.size() / 3), rest = text.substr(text.size() / 3);
  const auto want = streams(dir.write("plain", text));
  EXPECT_EQ(streams(dir.write("gz", gzip(first) + gzip(rest))), want);
  EXPECT_EQ(streams(dir.write("zst", zstd(first) + zstd(rest))), want);
}

TEST(TraceInput, ADetachedVcpuReadsCompressedInputAgain) {
  // read_ahead 16 with all of vCPU 0's operations first: vCPU 1 detaches and its own
  // cursor decodes the file again up to where the shared one was.
  TempDir dir;
  const std::string text = native_text(2000, true);
  const auto want = streams(dir.write("plain", text));
  for (const std::string& path : {dir.write("gz", gzip(text)), dir.write("zst", zstd(text))}) {
    auto src = open_native_trace(path, make_env(2), 16);
    const std::vector<GuestOp> v1 = drain(*src, 1), v0 = drain(*src, 0);
    EXPECT_EQ(v0, want[0]);
    EXPECT_EQ(v1, want[1]);
    EXPECT_EQ(src->detached_vcpus(), 1u);
  }
}

// Reads every line of `path` through a LineReader; returns the error it throws.
InputError read_all_error(const std::string& path) {
  return catch_input_error([&] {
    LineReader r(path);
    std::string_view line;
    bool truncated = false;
    while (r.next(line, truncated)) {
    }
  });
}

TEST(TraceInput, TruncatedCompressedDataNamesTheFileAndLine) {
  TempDir dir;
  const std::string text = native_text(100000, false, true);
  for (const auto& [name, packed, what] : {std::tuple{"cut-gz", gzip(text), "truncated gzip data"},
                                           std::tuple{"cut-zst", zstd(text), "truncated zstd data"}}) {
    SCOPED_TRACE(name);
    const std::string path = dir.write(name, packed.substr(0, packed.size() / 2));
    const InputError e = read_all_error(path);
    ASSERT_EQ(e.where().rfind(path + ":", 0), 0u) << e.where();
    const std::string line = e.where().substr(path.size() + 1);
    ASSERT_TRUE(std::regex_match(line, std::regex("[1-9][0-9]*"))) << e.where();
    // The line named is well past the first: half the data decodes.
    EXPECT_GT(std::stoul(line), 100u);
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

TEST(TraceInput, CorruptCompressedDataIsAnError) {
  TempDir dir;
  const std::string text = native_text(20000, false);
  std::string gz = gzip(text), zst = zstd(text);
  for (std::size_t i = gz.size() / 3; i < gz.size() / 3 + 64; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  for (std::size_t i = zst.size() / 3; i < zst.size() / 3 + 64; ++i) zst[i] = static_cast<char>(zst[i] ^ 0x5a);
  EXPECT_NE(std::string(read_all_error(dir.write("bad-gz", gz)).what()).find("corrupt gzip data"), std::string::npos);
  EXPECT_NE(std::string(read_all_error(dir.write("bad-zst", zst)).what()).find("corrupt zstd data"), std::string::npos);
  // A file that is only a magic number.
  EXPECT_NE(std::string(read_all_error(dir.write("magic", std::string("\x1f\x8b", 2))).what()).find("truncated gzip"),
            std::string::npos);
}

// Writes `content` into the FIFO at `path` from another thread (opening a FIFO for
// writing blocks until a reader opens it).
class FifoWriter {
 public:
  FifoWriter(std::string path, std::string content)
      : thread_([p = std::move(path), c = std::move(content)] { std::ofstream(p, std::ios::binary) << c; }) {}
  ~FifoWriter() { thread_.join(); }

 private:
  std::thread thread_;
};

std::string make_fifo(const TempDir& dir, const std::string& name) {
  const std::string path = (dir.path() / name).string();
  EXPECT_EQ(::mkfifo(path.c_str(), 0600), 0);
  return path;
}

TEST(TraceInput, FifosAreRead) {
  TempDir dir;
  const std::string text = native_text(3000, false);
  const auto want = streams(dir.write("plain", text));
  const std::string fifo = make_fifo(dir, "trace.fifo");
  EXPECT_TRUE(is_one_shot_input(fifo));
  EXPECT_TRUE(is_one_shot_input("-"));
  EXPECT_FALSE(is_one_shot_input(dir.write("file", "x")));
  {
    FifoWriter w(fifo, text);
    EXPECT_EQ(streams(fifo), want);
  }
  {
    FifoWriter w(fifo, zstd(text));  // compressed through a pipe: recognized all the same
    EXPECT_EQ(streams(fifo), want);
  }
}

TEST(TraceInput, APipeThatWouldNeedASecondPassIsAnError) {
  TempDir dir;
  const std::string fifo = make_fifo(dir, "uneven.fifo");
  FifoWriter w(fifo, native_text(2000, true));
  auto src = open_native_trace(fifo, make_env(2), 16);
  const InputError e = catch_input_error([&] { drain(*src, 1); });
  EXPECT_NE(std::string(e.what()).find("can be read only once"), std::string::npos) << e.what();
  EXPECT_EQ(e.where().rfind(fifo + ":", 0), 0u) << e.where();
  // The trace (40 KB) fits the pipe's buffer: the writer has finished already.
}

TEST(TraceInput, LackeyWithoutSpreadReadsAPipeForOtherVcpusWithoutReadingAhead) {
  // Spread none: vCPU 1 gets nothing, and asking for it must not queue vCPU 0's
  // operations (which, from a pipe, would end in a second pass).
  TempDir dir;
  std::ifstream in(test::data_path("lackey_small.txt"), std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  ASSERT_FALSE(text.empty());
  const std::string fifo = make_fifo(dir, "lackey.fifo");
  FifoWriter w(fifo, gzip(text));
  LackeyOptions options;
  options.read_ahead_ops = 1;
  auto src = open_lackey_trace(fifo, make_env(2, 1, 0x80000, 2048), options);
  EXPECT_TRUE(drain(*src, 1).empty());
  EXPECT_EQ(drain(*src, 0).size(), 13u);
  EXPECT_EQ(src->skipped_lines(), 11u);
  EXPECT_EQ(src->mapped_regions(), 4u);  // the worked example of tests/data/configs/trace-lackey.json
}

TEST(TraceInput, ReadProgressCountsInputBytes) {
  TempDir dir;
  const std::string packed = gzip(native_text(5000, false));
  const std::string path = dir.write("p", packed);
  auto src = open_native_trace(path, make_env(2));
  const ReadProgress start = src->read_progress();
  EXPECT_EQ(start.total, packed.size());
  drain(*src, 0);
  drain(*src, 1);
  EXPECT_EQ(src->read_progress().done, packed.size());
  EXPECT_LE(start.done, start.total);
}

}  // namespace
}  // namespace s2sim::workloads
