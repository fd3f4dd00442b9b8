// Trace inputs from the command line: standard input through a real pipe (plain and
// gzip), a FIFO, a truncated compressed file (exit 2, one "error: FILE:LINE: ..."
// line, nothing written), compare refusing a pipe, and the report's trace line.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using s2sim::test::CliResult;
using s2sim::test::error_lines;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;
using s2sim::test::write_temp;

const std::string kLackeyConfig = "tests/data/configs/trace-lackey.json";
const std::string kLackeyTrace = std::string(S2SIM_SOURCE_DIR) + "/tests/data/lackey_small.txt";

// Runs `shell_prefix | s2sim ARGS` from the source tree (the prefix feeds s2sim's
// standard input).
CliResult run_piped(const std::string& shell_prefix, const std::string& args) {
  const std::string out = temp_path("piped.out"), err = temp_path("piped.err");
  const std::string cmd = std::string("cd '") + S2SIM_SOURCE_DIR + "' && " + shell_prefix + " | '" + S2SIM_BINARY +
                          "' " + args + " >'" + out + "' 2>'" + err + "'";
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128;
  r.out = read_file(out);
  r.err = read_file(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

std::string gzip_bytes(const std::string& text) {
  std::string out(compressBound(static_cast<uLong>(text.size())) + 64, '\0');
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// The result without what names the trace's path (the config, the workload's
// description), for comparing runs that read the same trace from different places.
json without_config(const std::string& text) {
  json j = json::parse(text);
  j.erase("config");
  j["guest"].erase("workload");
  return j;
}

std::string result_of_file_run() {
  const std::string res = temp_path("file.json");
  const CliResult r = run_s2sim("run " + kLackeyConfig + " --quiet --json '" + res + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  const std::string text = read_file(res);
  fs::remove(res);
  return text;
}

TEST(TraceInputCli, StandardInputThroughAPipe) {
  const std::string want = result_of_file_run();
  ASSERT_FALSE(want.empty());
  const std::string gz = write_temp("lackey.gz", gzip_bytes(read_file(kLackeyTrace)));
  for (const std::string& feed : {"cat '" + kLackeyTrace + "'", "cat '" + gz + "'"}) {
    SCOPED_TRACE(feed);
    const std::string res = temp_path("stdin.json");
    const CliResult r = run_piped(feed, "run " + kLackeyConfig + " --set workload.path=- --json '" + res + "'");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string got = read_file(res);
    fs::remove(res);
    EXPECT_EQ(without_config(got), without_config(want));
    EXPECT_EQ(json::parse(got)["config"]["workload"]["path"], "-");
    // The report says what the trace reader skipped and how it placed the trace.
    EXPECT_NE(r.out.find("trace:      11 line(s) skipped (not operations), 4 distinct 2 MiB region(s)"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(json::parse(got)["guest"]["trace"], (json{{"lines_skipped", 11}, {"regions_mapped", 4}}));
  }
  fs::remove(gz);
}

TEST(TraceInputCli, AFifo) {
  const std::string want = result_of_file_run();
  const std::string fifo = temp_path("trace.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string res = temp_path("fifo.json");
  // The writer runs in the background; s2sim opens the FIFO like a file and reads
  // what the writer writes into it.
  const CliResult r = run_piped("(cat '" + kLackeyTrace + "' > '" + fifo + "' &) ; true",
                                "run " + kLackeyConfig + " --set 'workload.path=\"" + fifo + "\"' --json '" + res + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(without_config(read_file(res)), without_config(want));
  fs::remove(res);
  fs::remove(fifo);
}

TEST(TraceInputCli, TruncatedCompressedTraceIsOneLocatedError) {
  // 20,000 lackey store records, gzip-compressed and cut in half.
  std::string text;
  for (int i = 0; i < 20000; ++i) text += " S 0401" + std::to_string(1000 + i % 4000) + ",8\n";
  const std::string packed = gzip_bytes(text);
  const std::string trace = write_temp("cut.trace", packed.substr(0, packed.size() / 2));
  const std::string res = temp_path("cut.json");
  const CliResult r = run_s2sim("run " + kLackeyConfig + " --set 'workload.path=\"" + trace + "\"' --json '" + res + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(error_lines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("error: " + trace + ":", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("truncated gzip data"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(res)) << "nothing is written on bad input";
  fs::remove(trace);
}

TEST(TraceInputCli, CompareRefusesAPipe) {
  const CliResult r = run_piped("cat '" + kLackeyTrace + "'", "compare " + kLackeyConfig + " --set workload.path=-");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(error_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(kLackeyConfig + ": /workload/path: compare reads the trace once per walker"), std::string::npos)
      << r.err;
}

}  // namespace
