// Hostile input: what an adversarial user hands s2sim, by class of breakage. Each case
// must exit 2 with exactly one line on stderr, starting "error:", at most
// kMaxErrorBytes long and free of control characters, naming the place at fault; print
// nothing on stdout; write no --json file and leave no temporary file; leave the config
// as it was; and do all that under an address-space limit of twice memory_limit_mib
// (limited_run.h), so that a refusal must come before the allocation it refuses.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "cli/limited_run.h"
#include "util/error_text.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using s2sim::test::error_lines;
using s2sim::test::run_s2sim_limited;

// A valid config that runs in a few milliseconds.
json base_config() {
  return json::parse(R"({
    "seed": 1,
    "memslots": [{"id": 0, "base_gfn": 524288, "npages": 4096}],
    "vcpus": 2,
    "workload": {"kind": "uniform", "ops": 1000},
    "migration": {"stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 2}}
  })");
}

std::string with(const char* pointer, const json& value) {
  json doc = base_config();
  doc[json::json_pointer(pointer)] = value;
  return doc.dump(2) + "\n";
}

std::string nested(const std::string& open, const std::string& inner, const std::string& close, int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += open;
  s += inner;
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

struct HostileCase {
  std::string klass;  // the class of breakage (issue 15's numbering, or "new")
  std::string name;
  std::string config;  // written to {cfg} unless empty
  std::string args;    // {cfg}, {dir}, {json} substituted; run by /bin/sh
  std::vector<std::string> expect;
  // The config's memory_limit_mib: the case runs under twice as much address space.
  unsigned limit_mib = s2sim::test::kDefaultMemoryLimitMib;
};

void PrintTo(const HostileCase& c, std::ostream* os) { *os << c.name; }

std::vector<HostileCase> catalogue() {
  std::vector<HostileCase> c;
  const std::string ok = base_config().dump(2) + "\n";
  const std::string run = "run {cfg} --quiet --json {json}";
  const auto add = [&](std::string klass, std::string name, std::string config, std::string args,
                       std::vector<std::string> expect) {
    c.push_back({std::move(klass), std::move(name), std::move(config), std::move(args), std::move(expect)});
  };

  // --- 5: outputs that clobber, write errors -------------------------------------------
  add("5", "json_dev_full", ok, "run {cfg} --quiet --json /dev/full", {"error: /dev/full: cannot write: No space left on device"});
  add("5", "csv_dev_full", ok, "run {cfg} --quiet --csv /dev/full", {"/dev/full: cannot write: No space left"});
  add("5", "compare_json_dev_full", ok, "compare {cfg} --quiet --walkers v4,range --json /dev/full",
      {"/dev/full: cannot write: No space left"});
  // The timeline fails after the --json file was staged: neither is left behind.
  add("5", "trace_events_dev_full_with_json", ok, run + " --trace-events /dev/full", {"/dev/full: cannot write"});
  add("5", "html_dev_full_with_json", ok, run + " --html /dev/full", {"/dev/full: cannot write"});
  add("5", "json_symlink_loop", ok, "run {cfg} --quiet --json {dir}/loop", {"{dir}/loop: cannot write: too many levels"});

  // --- 6: every output path validated before the run -------------------------------------
  add("6", "trace_events_missing_dir_with_json", ok, run + " --trace-events {dir}/no/such/t.json",
      {"{dir}/no/such/t.json: cannot write: directory"});
  add("6", "html_is_directory_with_json", ok, run + " --html {dir}/adir", {"{dir}/adir: cannot write: it is a directory"});
  add("6", "csv_missing_dir_compare", ok, "compare {cfg} --quiet --walkers v4 --json {json} --csv {dir}/no/x.csv",
      {"{dir}/no/x.csv: cannot write: directory"});
  add("6", "two_outputs_one_file", ok, run + " --csv {json}", {"--csv", "is also the file of --json"});
  add("6", "dangling_symlink_into_missing_dir", ok, "run {cfg} --quiet --json {dir}/dangling",
      {"{dir}/dangling: cannot write: directory", "does not exist"});

  // --- new: names at the file system's limit, outputs spelt two ways ---------------------
  add("new", "json_name_over_name_max", ok, "run {cfg} --quiet --json {dir}/" + std::string(256, 'n'),
      {"cannot write: the file name is longer than 255 bytes"});
  add("new", "two_outputs_one_new_file_spelt_twice", ok, run + " --csv {dir}/adir/../" + "two_outputs_one_new_file_spelt_twice.result.json",
      {"--csv", "is also the file of --json"});
  add("new", "json_is_the_machine_file", with("/machine", "mine"), "run {cfg} --quiet --json {dir}/machines/mine.json",
      {"error: --json {dir}/machines/mine.json: is the input {dir}/machines/mine.json"});
  // Characters valid in UTF-8 that a terminal acts on (C1 CSI) or shows as nothing (a
  // byte-order mark inside a line) come out escaped too.
  add("new", "key_with_c1_csi", with("/dirty_log", json::object({{"\xc2\x9b" "31mred", 1}})), run,
      {"{cfg}: /dirty_log/\\u009b31mred: unknown key"});
  add("new", "lab_answer_bom_inside", "", "lab check 1 {dir}/bom_inside_answer.txt",
      {"{dir}/bom_inside_answer.txt:2: expected \"qN: value\", got \"\\ufeffq2: 5\""});
  add("new", "sweep_csv_is_the_spec", "", "sweep {dir}/deep_sweep.json --out {dir}/s.sweep --csv {dir}/deep_sweep.json",
      {"error: --csv {dir}/deep_sweep.json: is the input {dir}/deep_sweep.json"});
  add("new", "sweep_csv_empty_name", "", "sweep {dir}/deep_sweep.json --out {dir}/s.sweep --csv ''",
      {"error: sweep --csv: an empty file name"});
  add("new", "sweep_out_empty_name", "", "sweep {dir}/deep_sweep.json --out ''", {"error: sweep --out: an empty file name"});

  // --- 1: nesting deep enough to overflow a recursive walk --------------------------------
  add("1", "workload_nested_60000",
      "{\"memslots\": [{\"base_gfn\": 524288, \"npages\": 4096}], \"workload\": " + nested("{\"a\": ", "1", "}", 60000) +
          "}\n",
      run, {"{cfg}: /workload/a/a/a", "nested deeper than 64 levels"});
  add("1", "phases_nested_20000", "{\"memslots\": [{\"base_gfn\": 524288, \"npages\": 4096}], \"workload\": " +
      nested("{\"kind\": \"phases\", \"phases\": [", "{\"kind\": \"uniform\"}", "]}", 20000) + "}\n", run,
      {"{cfg}: /workload/phases/0/phases/0", "nested deeper than 64 levels"});
  add("1", "array_nested_100000", "[" + nested("[", "", "]", 100000) + "]\n", run, {"{cfg}: /0/0/0", "nested deeper"});
  add("1", "set_value_nested_5000", ok, "run {cfg} --quiet --json {json} --set 'workload.x=" + nested("[", "", "]", 5000) + "'",
      {"error: --set workload.x=[[[", "nested deeper than 64 levels"});
  add("1", "sweep_axis_nested", "", "sweep {dir}/deep_sweep.json --out {dir}/deep.sweep", {"{dir}/deep_sweep.json: /axes/vcpus/0/", "nested deeper"});
  add("1", "lab6_answer_nested", "", "lab check 6 {dir}/deep_answer.json", {"{dir}/deep_answer.json: /comment/", "nested deeper"});

  // --- 3: exceptions that escaped: huge indices, invalid UTF-8 ----------------------------
  add("3", "set_index_1e11", ok, run + " --set '/memslots/100000000000={}'",
      {"error: --set /memslots/100000000000={}: /memslots has 1 element(s): the index must be at most 1"});
  add("3", "set_index_1e19", ok, run + " --set '/memslots/10000000000000000000={}'", {"the index must be at most 1"});
  add("3", "set_index_dotted", ok, run + " --set 'memslots.2.npages=1'", {"error: --set memslots.2.npages=1: no such key: /memslots/2"});
  add("3", "set_index_word", ok, run + " --set '/memslots/x=1'", {"error: --set /memslots/x=1: /memslots has 1 element(s): the index must be at most 1 (or -, to append), got \"x\""});
  add("3", "set_latin1_comment", ok, run + " --set \"comment=caf$(printf '\\351')\"", {"is not valid UTF-8 (byte 11)"});
  add("3", "set_latin1_trace_path", ok, run + " --set \"workload={\\\"kind\\\":\\\"trace\\\",\\\"path\\\":\\\"$(printf 'x\\377')\\\"}\"",
      {"is not valid UTF-8"});
  add("3", "json_path_overlong_utf8", ok, "run {cfg} --quiet --json \"{dir}/$(printf '\\300\\257')\"", {"is not valid UTF-8"});
  add("3", "config_invalid_utf8_string", "{\"comment\": \"\xff\", \"memslots\": []}\n", run, {"{cfg}:1:", "malformed JSON"});

  // --- 4: special files and sizes as input --------------------------------------------------
  add("4", "config_dev_zero", "", "run /dev/zero --quiet --json {json}", {"error: /dev/zero: config file is not a regular file"});
  add("4", "config_fifo_without_writer", "", "run {dir}/fifo --quiet --json {json}", {"{dir}/fifo: config file is not a regular file"});
  add("4", "config_over_16_mib", "", "run {dir}/big.json --quiet --json {json}", {"{dir}/big.json: config file is larger than 16 MiB"});
  add("4", "machine_file_fifo", with("/machine", "pipe"), run, {"{dir}/machines/pipe.json: machine file is not a regular file"});
  add("4", "lab_answers_directory", "", "lab check 1 {dir}/adir", {"error: {dir}/adir: answers file is a directory"});
  add("4", "lab_answers_dev_zero", "", "lab check 1 /dev/zero", {"error: /dev/zero: answers file is not a regular file"});
  add("4", "lab_answers_fifo", "", "lab check 2 {dir}/fifo", {"{dir}/fifo: answers file is not a regular file"});
  add("4", "lab_answers_stdin_zero", "", "lab check 1 - </dev/zero", {"standard input: the answers is larger than 16 MiB"});
  add("4", "sweep_spec_dev_zero", "", "sweep /dev/zero --out {dir}/z.sweep", {"/dev/zero: the sweep spec is not a regular file"});

  // --- 2: memory that grows with input is estimated, and refused before it is allocated ---
  add("2", "trace_events_limit_1e8", ok, run + " --trace-events {dir}/t.json --trace-events-limit 100000000",
      {"error: run --trace-events-limit: 100000000 events would need about", "events fit)"});
  add("2", "trace_events_limit_max", ok, run + " --trace-events {dir}/t.json --trace-events-limit 18446744073709551615",
      {"error: run --trace-events-limit:"});
  add("2", "read_ahead_ops_2_32",
      with("/workload", json::object({{"kind", "trace"}, {"format", "native"}, {"path", "{dir}/ok_trace.txt"}, {"read_ahead_ops", 4294967296}})), run,
      {"{cfg}: /workload: this run would need about"});
  {
    json doc = base_config();
    doc["geometry"] = "armv8-4level";
    doc["memslots"][0]["npages"] = std::uint64_t{1} << 36;
    doc["memory_limit_mib"] = 256;
    add("2", "slot_2_36_pages_refused_small", doc.dump() + "\n", run, {"{cfg}: /memslots: this run would need about"});
    c.back().limit_mib = 256;
    doc["memslots"][0]["npages"] = std::uint64_t{1} << 33;
    doc["memory_limit_mib"] = 4096;
    add("2", "slot_2_33_pages", doc.dump() + "\n", run, {"{cfg}: /memslots: this run would need about"});
    // Each phase keeps a lane per vCPU: 20,000 phases of 64 vCPUs are about 220 MiB.
    json wide = base_config();
    wide["vcpus"] = 64;
    wide["memory_limit_mib"] = 256;
    wide["workload"] = {{"kind", "phases"}, {"phases", json::array()}};
    for (int i = 0; i < 20000; ++i) wide["workload"]["phases"].push_back({{"kind", "uniform"}, {"ops", 1}});
    add("2", "phases_20000_wide_64_vcpus", wide.dump() + "\n", run, {"{cfg}: /workload: this run would need about"});
    c.back().limit_mib = 256;
  }

  // --- 8: errors are one line, of readable length --------------------------------------------
  add("8", "key_with_newline", with("/dirty_log", json::object({{"walk\ner", "v4"}})), run,
      {"{cfg}: /dirty_log/walk\\ner: unknown key"});
  add("8", "key_with_escape_sequence", with("/dirty_log", json::object({{"\x1b[31mred", 1}})), run,
      {"{cfg}: /dirty_log/\\x1b[31mred: unknown key"});
  add("8", "key_100k", with("/dirty_log", json::object({{std::string(100000, 'k'), 1}})), run,
      {"{cfg}: /dirty_log/kkkk", "bytes cut", "unknown key"});
  add("8", "walker_with_newline", ok, run + " --set 'dirty_log.walker=\"v4\\nx\"'", {"unknown walker \"v4\\nx\""});
  add("8", "set_value_100k", ok, run + " --set dirty_log.walker=" + std::string(100000, 'w'), {"bytes cut"});
  add("8", "trace_line_1mib", with("/workload", json::object({{"kind", "trace"}, {"format", "native"}, {"path", "{dir}/long_line_trace.txt"}})), run,
      {"{dir}/long_line_trace.txt:1:"});
  add("8", "lab_answer_10_mib_line", "", "lab check 1 {dir}/long_answer.txt", {"{dir}/long_answer.txt:1:", "bytes cut"});
  add("8", "lab_answer_escape_sequence", "", "lab check 1 {dir}/escape_answer.txt",
      {"{dir}/escape_answer.txt: a binary file, not text (byte 0x1B at offset 0)"});

  // --- 10: strictness decided and documented ---------------------------------------------------
  {
    std::string dup = ok;
    dup.replace(dup.find("\"seed\": 1"), 9, "\"seed\": 1, \"seed\": 2");
    add("10", "duplicate_top_level_key", dup, run, {"{cfg}: /seed: duplicate key"});
    std::string dup2 = ok;
    dup2.replace(dup2.find("\"npages\": 4096"), 14, "\"npages\": 4096, \"npages\": 8");
    add("10", "duplicate_nested_key", dup2, run, {"{cfg}: /memslots/0/npages: duplicate key"});
  }
  add("10", "set_value_duplicate_key", ok, run + " --set 'workload={\"kind\": \"uniform\", \"kind\": \"zipf\"}'",
      {"error: --set workload=", "/kind: duplicate key"});
  add("10", "json_empty_name", ok, "run {cfg} --quiet --json ''", {"error: run --json: an empty file name"});
  add("10", "csv_empty_name", ok, "compare {cfg} --quiet --csv ''", {"error: compare --csv: an empty file name"});
  add("10", "json_is_the_config", ok, "run {cfg} --quiet --json {cfg}", {"error: --json {cfg}: is the input {cfg}"});
  add("10", "json_is_the_trace", with("/workload", json::object({{"kind", "trace"}, {"format", "native"}, {"path", "{dir}/ok_trace.txt"}})),
      "run {cfg} --quiet --json {dir}/ok_trace.txt", {"--json {dir}/ok_trace.txt: is the input {dir}/ok_trace.txt"});
  add("10", "json_symlink_to_config", ok, "run {cfg} --quiet --json {dir}/link_to_cfg", {"is the input"});
  add("10", "comment_number", with("/comment", 5), run, {"{cfg}: /comment: must be a string"});
  add("10", "memslot_comment_object", with("/memslots/0/comment", json::object()), run,
      {"{cfg}: /memslots/0/comment: must be a string"});
  add("10", "stop_rule_comment_array", with("/migration/stop_rule/comment", json::array()), run,
      {"{cfg}: /migration/stop_rule/comment: must be a string"});
  return c;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

class HostileInputCli : public ::testing::TestWithParam<HostileCase> {
 public:
  static const std::string& dir() {
    static const std::string d = std::string(::testing::TempDir()) + "s2sim_hostile_" + std::to_string(::getpid());
    return d;
  }

  static void SetUpTestSuite() {
    fs::create_directories(dir() + "/adir");
    const auto put = [](const std::string& name, const std::string& text) {
      std::ofstream(dir() + "/" + name, std::ios::binary) << text;
    };
    fs::create_directories(dir() + "/machines");
    ASSERT_EQ(::mkfifo((dir() + "/fifo").c_str(), 0600), 0);
    ASSERT_EQ(::mkfifo((dir() + "/machines/pipe.json").c_str(), 0600), 0);
    put("machines/mine.json", "{\"name\": \"mine\"}\n");
    put("big.json", "{\"comment\": \"" + std::string((std::size_t{16} << 20) + 1, 'x') + "\"}\n");
    put("ok_trace.txt", "0 W 0x80000000\n");
    put("long_answer.txt", std::string(std::size_t{10} << 20, 'z') + "\n");
    put("bom_inside_answer.txt", "q1: block\n\xef\xbb\xbfq2: 5\n");
    put("escape_answer.txt", "\x1b[2J\x1b]0;title\x07q1: 5\n");
    put("long_line_trace.txt", "0 W 0x" + std::string(1 << 20, 'f') + "\n");
    put("deep_sweep.json", "{\"base\": {\"memslots\": [{\"base_gfn\": 0, \"npages\": 64}]}, \"axes\": {\"vcpus\": [" +
                               nested("[", "", "]", 10000) + "]}}\n");
    put("deep_answer.json", "{\"comment\": " + nested("{\"c\": ", "1", "}", 10000) + "}\n");
    fs::create_symlink(dir() + "/loop", dir() + "/loop");
    fs::create_symlink(dir() + "/no/such/dir/x.json", dir() + "/dangling");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir(), ec);
  }

  std::string expand(const std::string& s, const std::string& cfg) const {
    return replace_all(replace_all(replace_all(s, "{cfg}", cfg), "{dir}", dir()), "{src}", S2SIM_SOURCE_DIR);
  }
};

TEST_P(HostileInputCli, ExitsTwoWithOneReadableErrorLineAndWritesNothing) {
  const HostileCase& c = GetParam();
  const std::string cfg = dir() + "/" + c.name + ".json";
  const std::string config = replace_all(c.config, "{dir}", dir());
  if (!c.config.empty()) std::ofstream(cfg, std::ios::binary) << config;
  if (c.name == "json_symlink_to_config") {
    std::error_code ec;
    fs::remove(dir() + "/link_to_cfg", ec);
    fs::create_symlink(cfg, dir() + "/link_to_cfg");
  }
  const std::string json_out = dir() + "/" + c.name + ".result.json";
  const std::string args = replace_all(expand(c.args, cfg), "{json}", json_out);

  const auto r = run_s2sim_limited(args, c.limit_mib);
  EXPECT_EQ(r.status, 2) << "class " << c.klass << ": " << args.substr(0, 300) << "\nstderr: " << r.err.substr(0, 2000);
  EXPECT_EQ(error_lines(r.err), 1) << r.err.substr(0, 2000);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err.substr(0, 2000);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err.substr(0, 2000);
  EXPECT_LE(r.err.size(), s2sim::kMaxErrorBytes + 100) << "an error line of readable length";
  EXPECT_TRUE(std::none_of(r.err.begin(), r.err.end() - (r.err.empty() ? 0 : 1),
                           [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; }))
      << "no control character in: " << r.err.substr(0, 2000);
  const std::string line = r.err.substr(0, r.err.find('\n'));
  EXPECT_EQ(s2sim::one_line(line, std::string::npos), line) << "nothing left to escape (C1 controls, invisible marks)";
  EXPECT_TRUE(r.out.empty()) << "nothing on stdout: " << r.out.substr(0, 2000);
  EXPECT_FALSE(fs::exists(json_out)) << "the --json file must not be written";
  if (!c.config.empty()) {
    EXPECT_EQ(s2sim::test::read_file(cfg), config) << "the config must be left as it was";
  }
  for (const std::string& e : c.expect) {
    const std::string want = expand(e, cfg);
    EXPECT_NE(r.err.find(want), std::string::npos) << "want \"" << want.substr(0, 300) << "\" in: " << r.err.substr(0, 2000);
  }
  for (const auto& e : fs::directory_iterator(dir()))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  struct stat st {};
  ASSERT_EQ(::stat((dir() + "/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

INSTANTIATE_TEST_SUITE_P(Catalogue, HostileInputCli, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<HostileCase>& p) { return p.param.name; });

#ifndef S2SIM_TEST_ASAN
// The control for the limit itself: a run allowed far more memory than the test gives
// it (memory_limit_mib raised, a 2^32-page slot) runs out of address space and says so,
// rather than the limit being too loose for any catalogue case to notice a missed estimate.
TEST(HostileInputCliCatalogue, TheAddressSpaceLimitBites) {
  const auto r = run_s2sim_limited(
      "run --quiet --set memory_limit_mib=100000 --set geometry=armv8-4level --set memslots.0.npages=4294967296", 256);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "error: out of host memory (the run needed more than the memory estimate allowed for)\n");
}
#endif

// A byte-order mark at the start of a text input is skipped, as the JSON loader skips
// one at the start of a config: answers and a trace saved by such an editor are read.
TEST(HostileInputCliCatalogue, ALeadingByteOrderMarkIsSkipped) {
  const std::string dir = s2sim::test::temp_path("bom");
  fs::create_directories(dir);
  const std::string bom = "\xef\xbb\xbf";
  const auto solved = s2sim::test::run_s2sim("lab solve 1 --seed 3");
  ASSERT_EQ(solved.status, 0);
  std::ofstream(dir + "/answers.txt", std::ios::binary) << bom << solved.out;
  const auto graded = s2sim::test::run_s2sim("lab check 1 --seed 3 " + dir + "/answers.txt");
  EXPECT_EQ(graded.status, 0) << graded.err;
  EXPECT_NE(graded.out.find("score: 21/21"), std::string::npos) << graded.out;
  std::ofstream(dir + "/trace.txt", std::ios::binary) << bom << "0 W 0x80000000\n0 R 0x80001000\n";
  json cfg = base_config();
  cfg["workload"] = {{"kind", "trace"}, {"format", "native"}, {"path", dir + "/trace.txt"}};
  std::ofstream(dir + "/bom.json", std::ios::binary) << bom << cfg.dump();
  const auto run = s2sim::test::run_s2sim("run " + dir + "/bom.json --quiet --json " + dir + "/r.json");
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(json::parse(s2sim::test::read_file(dir + "/r.json"))["guest"]["writes"], 1);
  fs::remove_all(dir);
}

TEST(HostileInputCliCatalogue, CoversEveryClassWithDistinctCases) {
  const auto cases = catalogue();
  std::vector<std::string> names, classes;
  for (const auto& c : cases) {
    names.push_back(c.name);
    classes.push_back(c.klass);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  for (const char* k : {"1", "2", "3", "4", "5", "6", "8", "10", "new"})
    EXPECT_NE(std::find(classes.begin(), classes.end(), k), classes.end()) << "class " << k;
}

}  // namespace
