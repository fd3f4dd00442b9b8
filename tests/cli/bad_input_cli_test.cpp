// Bad input to `s2sim run` / `s2sim compare`: a catalogue of broken configs, traces
// and command lines. Each must exit 2 with exactly one line on stderr, starting
// "error:" and naming the file and the JSON pointer (or file:line for JSON syntax
// and trace errors, or the option at fault), print nothing on stdout, and leave the
// --json path untouched.
//
// The configs are written into a temporary directory by the test itself: each case
// is a small valid base config with one thing broken, so the message must point at
// exactly that thing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using s2sim::test::error_lines;
using s2sim::test::run_s2sim;

// A valid config that runs in a few milliseconds (checked by BaseConfigIsValid).
json base_config() {
  return json::parse(R"({
    "seed": 1,
    "machine": "cortex-a15",
    "geometry": "armv7-lpae",
    "memslots": [{"id": 0, "base_gfn": 524288, "npages": 4096, "hugepages": false}],
    "vcpus": 2,
    "workload": {"kind": "uniform", "ops": 1000, "write_ratio": 0.5, "think_cycles": 100},
    "dirty_log": {"walker": "v4-fixed", "bits_per_long": 32, "flush_tlbs": true, "snapshot": "kernel"},
    "migration": {"enabled": true, "link_gbps": 1.0, "start_ms": 0,
                  "stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 2}},
    "verify": {"enabled": true}
  })");
}

// The base config with `value` (JSON text) put at each JSON pointer; the text
// "DELETE" removes the key instead.
std::string with(std::initializer_list<std::pair<const char*, const char*>> edits) {
  json doc = base_config();
  for (const auto& [pointer, value] : edits) {
    const json::json_pointer p(pointer);
    if (std::string(value) == "DELETE") {
      doc.at(p.parent_pointer()).erase(p.back());
    } else {
      doc[p] = json::parse(value);
    }
  }
  return doc.dump(2) + "\n";
}

// A workload placing a trace file of the test directory.
std::string trace_workload(const char* format, const std::string& file) {
  return std::string(R"({"kind": "trace", "format": ")") + format + R"(", "path": ")" + file + R"("})";
}

struct BadCase {
  std::string name;
  // Written to {dir}/<name>.json when not empty (or when `write_empty` is set).
  std::string config;
  bool write_empty = false;
  // The command line; {cfg} is that file, {dir} the test directory, {json} the --json path.
  std::string args = "run {cfg} --quiet --json {json}";
  // Substrings of the error line ({cfg}, {dir} and {src} substituted); one starting
  // "re:" is a regular expression searched for instead.
  std::vector<std::string> expect;
};

// How GoogleTest (and so CTest's test list) shows a case: its name, not its bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

std::vector<BadCase> catalogue() {
  std::vector<BadCase> c;
  const auto add = [&](std::string name, std::string config, std::vector<std::string> expect) {
    BadCase b;
    b.name = std::move(name);
    b.config = std::move(config);
    b.expect = std::move(expect);
    c.push_back(std::move(b));
  };
  const auto add_args = [&](std::string name, std::string config, std::string args, std::vector<std::string> expect) {
    BadCase b;
    b.name = std::move(name);
    b.config = std::move(config);
    b.args = std::move(args);
    b.expect = std::move(expect);
    c.push_back(std::move(b));
  };
  const std::string ok = with({});

  // --- the file itself -----------------------------------------------------------
  add("malformed_json", "{\"seed\": 1,, \"vcpus\": 2}\n", {"{cfg}:1:", "malformed JSON"});
  add("malformed_json_line_3", "{\n  \"seed\": 1,\n  \"vcpus\": two\n}\n", {"{cfg}:3:", "malformed JSON"});
  {
    // Cut the base config in the middle: the parser runs out at the end of the text.
    const std::string cut = ok.substr(0, ok.size() / 2);
    const auto lines = std::count(cut.begin(), cut.end(), '\n') + 1;
    add("truncated_json", cut, {"{cfg}:" + std::to_string(lines) + ":", "malformed JSON"});
  }
  add("trailing_garbage", ok + "}\n", {"{cfg}:", "malformed JSON"});
  {
    BadCase b;
    b.name = "empty_file";
    b.write_empty = true;
    b.expect = {"{cfg}: config file is empty"};
    c.push_back(b);
  }
  add("whitespace_only", "  \n\t\n", {"{cfg}: config file is empty"});
  {
    static const char garbage[] = "\x7f" "ELF\x02\x01\x01\x00\x00\xff\xfe\n\x01\x02garbage";
    add("binary_garbage", std::string(garbage, sizeof garbage - 1), {"{cfg}:1:", "malformed JSON"});
  }
  add_args("config_is_a_directory", "", "run {dir}/adir --quiet --json {json}", {"{dir}/adir: config file is a directory"});
  add_args("missing_config", "", "run {dir}/no_such_config.json --quiet --json {json}",
           {"{dir}/no_such_config.json: cannot read config file"});
  add("top_level_array", "[1, 2, 3]\n", {"{cfg}: /: must be an object"});
  add("top_level_string", "\"cortex-a15\"\n", {"{cfg}: /: must be an object"});

  // --- wrong types ------------------------------------------------------------------
  add("vcpus_string", with({{"/vcpus", "\"2\""}}), {"{cfg}: /vcpus: must be an integer, got a string"});
  add("npages_float", with({{"/memslots/0/npages", "4096.5"}}), {"{cfg}: /memslots/0/npages: must be an integer, got 4096.5"});
  add("seed_object", with({{"/seed", "{}"}}), {"{cfg}: /seed: must be an integer, got an object"});
  add("seed_negative", with({{"/seed", "-1"}}), {"{cfg}: /seed: must be between 0 and"});
  add("hugepages_string", with({{"/memslots/0/hugepages", "\"yes\""}}), {"{cfg}: /memslots/0/hugepages: must be true or false"});
  add("flush_tlbs_number", with({{"/dirty_log/flush_tlbs", "1"}}), {"{cfg}: /dirty_log/flush_tlbs: must be true or false"});
  add("memslots_object", with({{"/memslots", "{}"}}), {"{cfg}: /memslots: must be an array"});
  add("memslot_not_object", with({{"/memslots", "[5]"}}), {"{cfg}: /memslots/0: must be an object"});
  add("machine_number", with({{"/machine", "15"}}), {"{cfg}: /machine: must be a machine name or an object"});
  add("workload_string", with({{"/workload", "\"uniform\""}}), {"{cfg}: /workload: must be an object"});
  add("migration_array", with({{"/migration", "[]"}}), {"{cfg}: /migration: must be an object"});

  // --- unknown keys -----------------------------------------------------------------
  add("unknown_top_level_key", with({{"/vcpu", "2"}}), {"{cfg}: /vcpu: unknown key \"vcpu\"", "did you mean \"vcpus\"?"});
  add("unknown_nested_key", with({{"/migration/link_gpbs", "1"}}),
      {"{cfg}: /migration/link_gpbs: unknown key", "did you mean \"link_gbps\"?"});
  add("unknown_memslot_key", with({{"/memslots/0/hugepage", "true"}}),
      {"{cfg}: /memslots/0/hugepage: unknown key", "did you mean \"hugepages\"?"});
  add("unknown_stop_rule_key", with({{"/migration/stop_rule/round", "3"}}),
      {"{cfg}: /migration/stop_rule/round: unknown key", "did you mean \"rounds\"?"});
  add("unknown_workload_key", with({{"/workload/opz", "5"}}), {"{cfg}: /workload/opz: unknown key", "did you mean \"ops\"?"});
  add("unknown_verify_key", with({{"/verify/enabeld", "true"}}), {"{cfg}: /verify/enabeld: unknown key", "did you mean \"enabled\"?"});
  add("unknown_geometry_key", with({{"/geometry", R"({"ipa_bit": 40})"}}), {"{cfg}: /geometry/ipa_bit: unknown key"});

  // --- sizes and counts ------------------------------------------------------------
  add("npages_zero", with({{"/memslots/0/npages", "0"}}), {"{cfg}: /memslots/0/npages: must be between 1 and", "got 0"});
  add("npages_negative", with({{"/memslots/0/npages", "-5"}}), {"{cfg}: /memslots/0/npages: must be between 1 and", "got -5"});
  add("vcpus_zero", with({{"/vcpus", "0"}}), {"{cfg}: /vcpus: must be between 1 and 512, got 0"});
  add("vcpus_1000", with({{"/vcpus", "1000"}}), {"{cfg}: /vcpus: must be between 1 and 512, got 1000"});
  add("max_rounds_zero", with({{"/migration/max_rounds", "0"}}), {"{cfg}: /migration/max_rounds: must be between 1"});
  add("workload_pages_zero", with({{"/workload/pages", "0"}}), {"{cfg}: /workload/pages: must be between 1"});
  add("workload_ops_negative", with({{"/workload/ops", "-1"}}), {"{cfg}: /workload/ops: must be between 0", "got -1"});
  add("memslots_empty", with({{"/memslots", "[]"}}), {"{cfg}: /memslots: at least one memslot is needed"});
  add("memslots_missing", with({{"/memslots", "DELETE"}}), {"{cfg}: /memslots: required key is missing"});

  // --- memslots against the geometry and each other ------------------------------------
  // 2^28 pages of 4 KiB are the 40-bit IPA space of ARMv7 LPAE.
  add("slot_past_ipa_space", with({{"/memslots/0/base_gfn", "268435000"}}),
      {"{cfg}: /memslots/0: slot [gfn 268435000, +4096) lies beyond the 40-bit IPA space"});
  add("slot_at_ipa_limit", with({{"/memslots/0/base_gfn", "268435456"}}), {"{cfg}: /memslots/0:", "40-bit IPA space"});
  add("overlapping_slots",
      with({{"/memslots/1", R"({"id": 1, "base_gfn": 526336, "npages": 4096})"}}),
      {"{cfg}: /memslots/1: slot overlaps slot 0"});
  add("duplicate_slot_ids", with({{"/memslots/1", R"({"id": 0, "base_gfn": 600000, "npages": 16})"}}),
      {"{cfg}: /memslots/1: slot id 0 is already used"});
  add("slot_id_40", with({{"/memslots/0/id", "40"}}), {"{cfg}: /memslots/0/id: must be between 0 and 31, got 40"});
  // Every page of a 250 M-page slot may be written (ops x vCPUs covers it): ~5 GB.
  add("memory_estimate_above_limit", with({{"/memslots/0", R"({"id": 0, "base_gfn": 0, "npages": 250000000})"},
                                            {"/workload/ops", "300000000"}}),
      {"{cfg}: /memslots: this run would need about ", "re:about [0-9]+ MiB of host memory", "limit of 4096 MiB"});
  add("memory_limit_lowered", with({{"/memory_limit_mib", "16"}}), {"{cfg}: /memslots:", "re:about [0-9]+ MiB", "limit of 16 MiB"});

  // --- dirty log ------------------------------------------------------------------------
  add("bad_walker", with({{"/dirty_log/walker", "\"v4fixed\""}}),
      {"{cfg}: /dirty_log/walker: unknown walker \"v4fixed\"", "did you mean \"v4-fixed\"?"});
  add("bad_snapshot", with({{"/dirty_log/snapshot", "\"before_wp\""}}), {"{cfg}: /dirty_log/snapshot: unknown value \"before_wp\""});
  add("bits_per_long_48", with({{"/dirty_log/bits_per_long", "48"}}), {"{cfg}: /dirty_log/bits_per_long: must be 32"});
  add("bad_block_policy", with({{"/dirty_log/block_policy", "\"split\""}}), {"{cfg}: /dirty_log/block_policy: unknown value"});

  // --- geometry and machine -----------------------------------------------------------------
  add("bad_geometry_name", with({{"/geometry", "\"armv7-lpea\""}}),
      {"{cfg}: /geometry: unknown geometry \"armv7-lpea\"", "did you mean \"armv7-lpae\"?"});
  add("geometry_bad_start_level", with({{"/geometry", R"({"ipa_bits": 40, "start_level": 3})"}}),
      {"{cfg}: /geometry/start_level: must be between 0 and 1, got 3"});
  add("unknown_machine", with({{"/machine", "\"cortex-a16\""}}),
      {"{cfg}: /machine: unknown machine \"cortex-a16\"", "did you mean \"cortex-a15\"?"});
  add("machine_bad_cost", with({{"/machine", R"({"name": "slow", "costs": {"tlbi_all_is": {"cycles": -5}}})"}}),
      {"{cfg}: /machine/costs/tlbi_all_is/cycles: must be between 0"});
  add("machine_cost_string", with({{"/machine", R"({"name": "slow", "costs": {"spin_lock": "fast"}})"}}),
      {"{cfg}: /machine/costs/spin_lock:"});
  // A 1 GiB L2 of 8-byte lines is 2^27 lines of model state (about 2.5 GiB).
  add("machine_models_above_limit",
      with({{"/machine", R"({"name": "big", "caches": {"l2": {"size_kib": 1048576, "ways": 16, "line_bytes": 8}}})"},
            {"/memory_limit_mib", "1024"}}),
      {"{cfg}: /machine: this run would need about ", "limit of 1024 MiB"});
  // 512 vCPUs, each with a 4 MiB L1D of 64-byte lines (65,536 lines of model state):
  // about 650 MiB that grows with the vCPU count, so /vcpus is named.
  add("vcpu_models_above_limit",
      with({{"/vcpus", "512"},
            {"/machine", R"({"name": "wide", "caches": {"l1d": {"size_kib": 4096, "ways": 4}}})"},
            {"/memory_limit_mib", "256"}}),
      {"{cfg}: /vcpus: this run would need about ", "limit of 256 MiB"});

  // --- migration, host, verify ---------------------------------------------------------------
  add("link_gbps_zero", with({{"/migration/link_gbps", "0"}}), {"{cfg}: /migration/link_gbps: must be between", "got 0"});
  add("stop_rule_unknown_kind", with({{"/migration/stop_rule", R"({"kind": "qemuu"})"}}),
      {"{cfg}: /migration/stop_rule/kind: unknown value \"qemuu\"", "did you mean \"qemu\"?"});
  add("migration_slot_missing", with({{"/migration/slot", "3"}}), {"{cfg}: /migration/slot: no memslot has id 3"});
  add("host_unmap_unknown", with({{"/host", R"({"unmap_every_ms": 1, "unmap": "huge"})"}}), {"{cfg}: /host/unmap: unknown value"});

  // --- workloads -------------------------------------------------------------------------
  add("workload_kind_unknown", with({{"/workload/kind", "\"unifrom\""}}),
      {"{cfg}: /workload/kind: unknown workload kind \"unifrom\"", "did you mean \"uniform\"?"});
  add("workload_kind_missing", with({{"/workload/kind", "DELETE"}}), {"{cfg}: /workload/kind: required key is missing"});
  add("workload_region_before_slot", with({{"/workload/first_gfn", "0"}}),
      {"{cfg}: /workload/first_gfn: gfn 0x0 lies outside the memslot"});
  add("workload_region_past_slot", with({{"/workload/pages", "5000"}}),
      {"{cfg}: /workload/pages: the region of 5000 pages", "past the end of the memslot"});
  add("zipf_exponent_zero", with({{"/workload", R"({"kind": "zipf", "ops": 10, "exponent": 0})"}}),
      {"{cfg}: /workload/exponent: must be greater than 0"});
  add("phase_kind_unknown",
      with({{"/workload", R"({"kind": "phases", "phases": [{"kind": "uniform", "ops": 10}, {"kind": "zipff", "ops": 10}]})"}}),
      {"{cfg}: /workload/phases/1/kind: unknown workload kind \"zipff\"", "did you mean \"zipf\"?"});

  // --- traces: the file at fault, and its line -------------------------------------------------
  add("trace_missing", with({{"/workload", trace_workload("native", "no_such_trace.txt").c_str()}}),
      {"{dir}/no_such_trace.txt: cannot open trace: no such file"});
  add("trace_empty", with({{"/workload", trace_workload("native", "empty_trace.txt").c_str()}}),
      {"{dir}/empty_trace.txt: trace has no operations"});
  add("trace_only_comments", with({{"/workload", trace_workload("native", "comments_trace.txt").c_str()}}),
      {"{dir}/comments_trace.txt: trace has no operations"});
  add("trace_is_a_directory", with({{"/workload", trace_workload("native", "adir").c_str()}}), {"{dir}/adir:", "directory"});
  add("trace_bad_hex", with({{"/workload", trace_workload("native", "bad_hex_trace.txt").c_str()}}),
      {"{dir}/bad_hex_trace.txt:4: bad hexadecimal IPA \"0x8000g000\""});
  add("trace_bad_hex_first_line", with({{"/workload", trace_workload("native", "bad_hex_first_trace.txt").c_str()}}),
      {"{dir}/bad_hex_first_trace.txt:1: bad hexadecimal IPA"});
  add("trace_vcpu_out_of_range", with({{"/workload", trace_workload("native", "bad_vcpu_trace.txt").c_str()}}),
      {"{dir}/bad_vcpu_trace.txt:2: vCPU 5 does not exist (the config has 2 vCPUs)"});
  add("trace_bad_operation", with({{"/workload", trace_workload("native", "bad_op_trace.txt").c_str()}}),
      {"{dir}/bad_op_trace.txt:1: unknown operation \"X\""});
  add("trace_binary", with({{"/workload", trace_workload("native", "binary_trace.txt").c_str()}}),
      {"{dir}/binary_trace.txt:2: binary data"});
  add("trace_ipa_beyond_space", with({{"/workload", trace_workload("native", "far_trace.txt").c_str()}}),
      {"{dir}/far_trace.txt:1: IPA", "40-bit IPA space"});
  add("trace_format_unknown", with({{"/workload", R"({"kind": "trace", "format": "pin", "path": "x.txt"})"}}),
      {"{cfg}: /workload/format: unknown value \"pin\""});
  // lackey_small.txt touches 4 distinct 2 MiB regions; its 4th (0x400000, line 23)
  // does not fit a slot of 3 whole regions.
  add("lackey_needs_more_regions",
      with({{"/memslots/0/npages", "1536"}, {"/workload", trace_workload("lackey", "{src}/tests/data/lackey_small.txt").c_str()}}),
      {"{src}/tests/data/lackey_small.txt:23: the trace touches more distinct 2 MiB regions than the memslot holds",
       "it needs at least 8 MiB"});
  add("lackey_slot_below_2mib",
      with({{"/memslots/0/npages", "100"}, {"/workload", trace_workload("lackey", "{src}/tests/data/lackey_small.txt").c_str()}}),
      {"{cfg}: /workload: a lackey trace is placed in whole 2 MiB regions"});

  // --- the command line ------------------------------------------------------------------
  add_args("json_into_missing_directory", ok, "run {cfg} --quiet --json {dir}/no/such/dir/out.json",
           {"{dir}/no/such/dir/out.json: cannot write: directory", "does not exist"});
  add_args("json_is_a_directory", ok, "run {cfg} --quiet --json {dir}/adir", {"{dir}/adir: cannot write: it is a directory"});
  add_args("json_without_value", ok, "run {cfg} --quiet --json", {"error: run: --json needs a value"});
  add_args("set_without_equals", ok, "run {cfg} --quiet --set dirty_log.walker --json {json}",
           {"error: --set dirty_log.walker: expected PATH=VALUE"});
  add_args("set_empty_path_part", ok, "run {cfg} --quiet --set dirty_log..walker=v4 --json {json}",
           {"error: --set dirty_log..walker=v4: empty key"});
  add_args("set_missing_parent", ok, "run {cfg} --quiet --set nosuch.key=1 --json {json}",
           {"error: --set nosuch.key=1: no such key: /nosuch"});
  add_args("set_pointer_missing_parent", ok, "run {cfg} --quiet --set /dirty_log/nosuch/x=1 --json {json}",
           {"error: --set /dirty_log/nosuch/x=1: no such key: /dirty_log/nosuch"});
  add_args("set_makes_config_invalid", ok, "run {cfg} --quiet --set vcpus=0 --json {json}",
           {"{cfg}: /vcpus: must be between 1 and 512, got 0"});
  add_args("set_misspelt_key", ok, "run {cfg} --quiet --set dirty_log.walkr=range --json {json}",
           {"{cfg}: /dirty_log/walkr: unknown key", "did you mean \"walker\"?"});
  add_args("seed_not_a_number", ok, "run {cfg} --quiet --seed abc --json {json}",
           {"error: run --seed: \"abc\" is not a non-negative integer"});
  add_args("seed_negative_option", ok, "run {cfg} --quiet --seed -3 --json {json}", {"error: run --seed: \"-3\""});
  add_args("unknown_option", ok, "run {cfg} --quiet --frobnicate --json {json}", {"error: run: unknown option \"--frobnicate\""});
  add_args("two_configs", ok, "run {cfg} {cfg} --quiet --json {json}", {"error: run: more than one config given"});
  add_args("compare_unknown_walker", ok, "compare {cfg} --quiet --walkers v4,v5 --json {json}",
           {"error: compare --walkers: unknown walker \"v5\""});
  add_args("compare_bad_config", with({{"/dirty_log/bits_per_long", "48"}}), "compare {cfg} --quiet --walkers v4 --json {json}",
           {"{cfg}: /dirty_log/bits_per_long:"});
  add_args("compare_bad_trace", with({{"/workload", trace_workload("native", "bad_vcpu_trace.txt").c_str()}}),
           "compare {cfg} --quiet --json {json}", {"{dir}/bad_vcpu_trace.txt:2: vCPU 5 does not exist"});
  return c;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

class BadInputCli : public ::testing::TestWithParam<BadCase> {
 public:
  // One directory per test process, holding the configs, the traces and a directory.
  static const std::string& dir() {
    static const std::string d = std::string(::testing::TempDir()) + "s2sim_bad_" + std::to_string(::getpid());
    return d;
  }

  static void SetUpTestSuite() {
    fs::create_directories(dir() + "/adir");
    const auto put = [](const std::string& name, const std::string& text) {
      std::ofstream(dir() + "/" + name, std::ios::binary) << text;
    };
    put("empty_trace.txt", "");
    put("comments_trace.txt", "# nothing but comments\n\n   # and blanks\n");
    put("bad_hex_trace.txt", "0 W 0x80000000\n1 W 0x80001000\n# a comment line counts as a line\n0 W 0x8000g000\n");
    put("bad_hex_first_trace.txt", "0 W zz\n");
    put("bad_vcpu_trace.txt", "0 W 0x80000000\n5 W 0x80001000\n");
    put("bad_op_trace.txt", "0 X 0x80000000\n");
    static const char binary[] = "0 W 0x80000000\n\x01\x02\x03\xff\n";
    put("binary_trace.txt", std::string(binary, sizeof binary - 1));
    put("far_trace.txt", "0 W 0x10000000000\n");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir(), ec);
  }

  std::string expand(const std::string& s, const std::string& cfg) const {
    std::string out = replace_all(s, "{cfg}", cfg);
    out = replace_all(out, "{dir}", dir());
    return replace_all(out, "{src}", S2SIM_SOURCE_DIR);
  }
};

TEST_P(BadInputCli, ExitsTwoWithOneErrorLineNamingThePlaceAndWritesNothing) {
  const BadCase& c = GetParam();
  const std::string cfg = dir() + "/" + c.name + ".json";
  if (!c.config.empty() || c.write_empty) {
    std::ofstream(cfg, std::ios::binary) << replace_all(replace_all(c.config, "{dir}", dir()), "{src}", S2SIM_SOURCE_DIR);
  }
  const std::string json_out = dir() + "/" + c.name + ".result.json";
  std::remove(json_out.c_str());
  const std::string args = replace_all(expand(c.args, cfg), "{json}", json_out);

  const auto r = run_s2sim(args);
  EXPECT_EQ(r.status, 2) << args << "\nstdout: " << r.out << "\nstderr: " << r.err;
  EXPECT_EQ(error_lines(r.err), 1) << r.err;
  // Exactly one line on stderr, and it is the error.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_TRUE(r.out.empty()) << "nothing on stdout: " << r.out;
  EXPECT_FALSE(fs::exists(json_out)) << "the --json file must not be written";
  for (const std::string& e : c.expect) {
    const std::string want = expand(e, cfg);
    if (want.rfind("re:", 0) == 0) {
      EXPECT_TRUE(std::regex_search(r.err, std::regex(want.substr(3)))) << "want /" << want.substr(3) << "/ in: " << r.err;
    } else {
      EXPECT_NE(r.err.find(want), std::string::npos) << "want \"" << want << "\" in: " << r.err;
    }
  }
  // Nothing half-written next to the --json target either (the atomic writer's temp files).
  for (const auto& e : fs::directory_iterator(dir()))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

INSTANTIATE_TEST_SUITE_P(Catalogue, BadInputCli, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<BadCase>& p) { return p.param.name; });

// The catalogue is large enough to cover what the CLI promises, and every case is a
// different mistake.
TEST(BadInputCliCatalogue, HasAtLeastFortyDistinctCases) {
  const auto cases = catalogue();
  EXPECT_GE(cases.size(), 40u);
  std::vector<std::string> names;
  for (const auto& c : cases) names.push_back(c.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

// Each case breaks exactly one thing of a config that is otherwise fine.
TEST(BadInputCliCatalogue, BaseConfigIsValid) {
  const std::string cfg = std::string(::testing::TempDir()) + "s2sim_bad_base_" + std::to_string(::getpid()) + ".json";
  std::ofstream(cfg) << with({});
  const auto r = run_s2sim("run '" + cfg + "' --quiet");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  std::remove(cfg.c_str());
}

// The --json target that exists as a directory is left as it was.
TEST(BadInputCliCatalogue, JsonDirectoryIsLeftAlone) {
  const std::string d = std::string(::testing::TempDir()) + "s2sim_bad_jsondir_" + std::to_string(::getpid());
  fs::create_directories(d);
  const auto r = run_s2sim("run tests/data/configs/small.json --quiet --json '" + d + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(fs::is_directory(d));
  EXPECT_TRUE(fs::is_empty(d));
  fs::remove_all(d);
}

// A JSON syntax error is reported at the line and column of the offending character
// (columns count from 1, as editors do).
TEST(BadInputCliCatalogue, MalformedJsonNamesTheOffendingLineAndColumn) {
  const std::string cfg = std::string(::testing::TempDir()) + "s2sim_bad_column_" + std::to_string(::getpid()) + ".json";
  // The 'x' is on line 3, column 12.
  std::ofstream(cfg) << "{\n  \"seed\": 1,\n  \"vcpus\": x\n}\n";
  const auto r = run_s2sim("run '" + cfg + "' --quiet");
  EXPECT_EQ(r.status, 2);
  // nlohmann's parse_error::byte is 1-based: the column must not come out one too far right.
  EXPECT_NE(r.err.find(cfg + ":3:12: malformed JSON"), std::string::npos) << r.err;
  std::remove(cfg.c_str());
}

}  // namespace
