// `s2sim run` and `s2sim compare` from the outside: exit codes, the result JSON
// contract of the result JSON (s2sim.result/1) (keys present, totals adding up), determinism, replay of the
// resolved config, --set, every scenario under configs/scenarios with the exit code
// its comment documents, the teaching switches, and trace replays whose operation
// counts were worked out by hand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_runner.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using s2sim::test::CliResult;
using s2sim::test::read_file;
using s2sim::test::run_s2sim;
using s2sim::test::temp_path;

const std::string kSmall = "tests/data/configs/small.json";
const std::string kNativeTrace = "tests/data/configs/trace-native.json";
const std::string kLackeyTrace = "tests/data/configs/trace-lackey.json";
const std::string kScenarios = "configs/scenarios";

// One run with --json into a fresh temp file: the CLI result, the JSON text and the
// parsed document (null when the file was not written).
struct JsonRun {
  CliResult cli;
  std::string text;
  json doc;
};

JsonRun run_with_json(const std::string& args) {
  const std::string out = temp_path("result.json");
  JsonRun r;
  r.cli = run_s2sim(args + " --json '" + out + "'");
  if (fs::exists(out)) {
    r.text = read_file(out);
    r.doc = json::parse(r.text);
    std::remove(out.c_str());
  }
  return r;
}

bool has_line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return true;
  return false;
}

std::uint64_t u64(const json& j, const char* key) { return j.at(key).get<std::uint64_t>(); }

// Checks the keys the result JSON promises and the identities between them.
void check_contract(const json& r, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r.value("schema", ""), "s2sim.result/1");
  ASSERT_TRUE(r.contains("seed") && r["seed"].is_number_unsigned());
  ASSERT_TRUE(r.contains("config") && r["config"].is_object());
  EXPECT_EQ(r["seed"], r["config"]["seed"]);
  EXPECT_FALSE(r["config"].contains("file")) << "the config's file name is not part of the result";

  const auto require = [&](const char* section, std::initializer_list<const char*> keys) {
    ASSERT_TRUE(r.contains(section) && r[section].is_object()) << section;
    for (const char* k : keys) EXPECT_TRUE(r[section].contains(k)) << section << "." << k;
  };
  require("guest", {"ops", "writes", "reads", "distinct_pages_written"});
  require("tlb", {"hits", "misses", "flush_all", "flush_ipa"});
  require("faults", {"translation", "write_protect"});
  require("dirty_log", {"walker", "calls", "pages_reported", "ptes_write_protected", "descriptor_loads",
                        "descriptor_stores", "upper_level_loads", "cycles"});
  require("migration", {"rounds", "pages_sent_total", "downtime_pages", "converged"});
  require("verify", {"enabled", "checked_pages", "lost_writes", "ok", "hazards"});
  require("cycles", {"total", "migration", "mmu_lock_wait", "vcpu"});
  if (::testing::Test::HasFailure()) return;

  const json& g = r["guest"];
  EXPECT_EQ(u64(g, "ops"), u64(g, "reads") + u64(g, "writes"));
  EXPECT_LE(u64(g, "distinct_pages_written"), u64(g, "writes"));

  // Per-vCPU figures add up to the totals (the JSON lists ops per vCPU).
  const json& vcpus = r["cycles"]["vcpu"];
  ASSERT_TRUE(vcpus.is_array());
  EXPECT_EQ(vcpus.size(), r["config"]["vcpus"].get<std::size_t>());
  std::uint64_t ops = 0, lock_wait = 0, max_cycles = 0;
  for (const json& v : vcpus) {
    ops += u64(v, "ops");
    lock_wait += u64(v, "mmu_lock_wait");
    max_cycles = std::max(max_cycles, u64(v, "cycles"));
  }
  EXPECT_EQ(ops, u64(g, "ops"));
  EXPECT_LE(lock_wait, u64(r["cycles"], "mmu_lock_wait"));
  EXPECT_LE(max_cycles, u64(r["cycles"], "total"));
  EXPECT_LE(u64(r["cycles"], "migration"), u64(r["cycles"], "total"));

  const json& dl = r["dirty_log"];
  EXPECT_EQ(dl["walker"], r["config"]["dirty_log"]["walker"]);
  EXPECT_LE(u64(dl, "upper_level_loads"), u64(dl, "descriptor_loads"));

  const json& m = r["migration"];
  ASSERT_TRUE(m["rounds"].is_array());
  std::uint64_t sent = 0;
  for (std::size_t i = 0; i < m["rounds"].size(); ++i) {
    const json& rd = m["rounds"][i];
    for (const char* k : {"round", "dirty_pages", "pages_sent", "cycles"}) EXPECT_TRUE(rd.contains(k)) << "rounds[" << i << "]." << k;
    EXPECT_EQ(u64(rd, "round"), i);
    sent += u64(rd, "pages_sent");
  }
  EXPECT_EQ(u64(m, "pages_sent_total"), sent);
  if (!m["rounds"].empty()) {
    EXPECT_EQ(u64(m, "downtime_pages"), u64(m["rounds"].back(), "pages_sent"));
    EXPECT_EQ(m["rounds"].back().value("stop_and_copy", false), true);
    // Round 0 sends the whole migrated slot.
    std::uint64_t slot_pages = 0;
    for (const json& s : r["config"]["memslots"])
      if (s["id"] == r["config"]["migration"]["slot"]) slot_pages = u64(s, "npages");
    EXPECT_EQ(u64(m["rounds"][0], "pages_sent"), slot_pages);
  }

  const json& v = r["verify"];
  ASSERT_TRUE(v["hazards"].is_object());
  if (v["enabled"].get<bool>()) {
    EXPECT_EQ(v["ok"].get<bool>(), u64(v, "lost_writes") == 0);
  } else {
    EXPECT_TRUE(v["ok"].get<bool>());
  }
}

std::uint64_t total_hazards(const json& r) {
  std::uint64_t n = 0;
  for (const auto& [k, v] : r["verify"]["hazards"].items()) n += v.get<std::uint64_t>();
  return n;
}

// --- the default run ------------------------------------------------------------

TEST(RunCli, DefaultRunPassesAndIsIdenticalToConfigsDefaultJson) {
  const JsonRun builtin = run_with_json("run --heartbeat 0");
  ASSERT_EQ(builtin.cli.status, 0) << builtin.cli.err;
  ASSERT_TRUE(builtin.doc.is_object());
  EXPECT_TRUE(builtin.cli.err.empty()) << builtin.cli.err;
  EXPECT_TRUE(builtin.doc["verify"]["ok"].get<bool>());
  EXPECT_TRUE(builtin.doc["verify"]["enabled"].get<bool>());
  EXPECT_EQ(builtin.doc["verify"]["lost_writes"], 0);
  EXPECT_TRUE(has_line_starting(builtin.cli.out, "verify: OK")) << builtin.cli.out;
  EXPECT_NE(builtin.cli.out.find("<built-in default>"), std::string::npos);
  check_contract(builtin.doc, "built-in default");

  const JsonRun file = run_with_json("run configs/default.json --heartbeat 0");
  ASSERT_EQ(file.cli.status, 0) << file.cli.err;
  EXPECT_NE(file.cli.out.find("configs/default.json"), std::string::npos);
  // The config's file name appears only in the printed report, never in the JSON:
  // the two results must be the same bytes.
  EXPECT_EQ(builtin.text.find("<built-in default>"), std::string::npos);
  EXPECT_EQ(file.text.find("configs/default.json"), std::string::npos);
  EXPECT_EQ(builtin.text, file.text);
}

// --- the JSON contract, determinism, replay -------------------------------------------

TEST(RunCli, ResultJsonHasTheContractKeysAndTheyAddUp) {
  const JsonRun r = run_with_json("run " + kSmall + " --heartbeat 0");
  ASSERT_EQ(r.cli.status, 0) << r.cli.err;
  check_contract(r.doc, kSmall);
  // This config is built to go through several rounds with the guest still writing.
  EXPECT_GE(r.doc["migration"]["rounds"].size(), 3u);
  EXPECT_GT(r.doc["faults"]["write_protect"].get<std::uint64_t>(), 0u);
  EXPECT_GT(r.doc["dirty_log"]["pages_reported"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(r.doc["seed"], 7);
  // Without --heartbeat 0 and without a terminal the report still goes to stdout only.
  const CliResult loud = run_s2sim("run " + kSmall);
  EXPECT_EQ(loud.status, 0);
  EXPECT_TRUE(loud.err.empty()) << loud.err;
  EXPECT_TRUE(has_line_starting(loud.out, "verify: OK")) << loud.out;
}

TEST(RunCli, SameSeedGivesByteIdenticalJsonAndAnotherSeedDoesNot) {
  const JsonRun a = run_with_json("run " + kSmall + " --heartbeat 0");
  const JsonRun b = run_with_json("run " + kSmall + " --heartbeat 0");
  ASSERT_EQ(a.cli.status, 0) << a.cli.err;
  ASSERT_EQ(b.cli.status, 0) << b.cli.err;
  EXPECT_FALSE(a.text.empty());
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.cli.out, b.cli.out);

  // --seed N is the same as the config's seed N ...
  const JsonRun same = run_with_json("run " + kSmall + " --heartbeat 0 --seed 7");
  ASSERT_EQ(same.cli.status, 0) << same.cli.err;
  EXPECT_EQ(same.text, a.text);
  // ... and another seed changes the run.
  const JsonRun c = run_with_json("run " + kSmall + " --heartbeat 0 --seed 8");
  ASSERT_EQ(c.cli.status, 0) << c.cli.err;
  EXPECT_NE(c.text, a.text);
  EXPECT_EQ(c.doc["seed"], 8);
  EXPECT_EQ(c.doc["config"]["seed"], 8);
  EXPECT_NE(c.doc["guest"], a.doc["guest"]);
}

TEST(RunCli, ResolvedConfigInAResultReplaysToTheSameResult) {
  for (const std::string& cfg : {kSmall, kScenarios + "/database-zipf.json", kScenarios + "/hugepages-host-unmaps.json"}) {
    SCOPED_TRACE(cfg);
    const JsonRun first = run_with_json("run " + cfg + " --heartbeat 0");
    ASSERT_EQ(first.cli.status, 0) << first.cli.err;
    const std::string replay = temp_path("replay.json");
    std::ofstream(replay) << first.doc["config"].dump(2) << "\n";
    const JsonRun again = run_with_json("run '" + replay + "' --heartbeat 0");
    ASSERT_EQ(again.cli.status, 0) << again.cli.err;
    EXPECT_EQ(again.text, first.text);
    std::remove(replay.c_str());
  }
}

TEST(RunCli, SetTakesDottedPathsAndJsonPointers) {
  const JsonRun base = run_with_json("run " + kSmall + " --heartbeat 0");
  ASSERT_EQ(base.cli.status, 0) << base.cli.err;

  // A dotted path with a bare word (a string) ...
  const JsonRun dotted = run_with_json("run " + kSmall + " --heartbeat 0 --set dirty_log.walker=range");
  ASSERT_EQ(dotted.cli.status, 0) << dotted.cli.err;
  EXPECT_EQ(dotted.doc["config"]["dirty_log"]["walker"], "range");
  EXPECT_EQ(dotted.doc["dirty_log"]["walker"], "range");
  // ... is the same as the JSON string, and as the JSON pointer.
  const JsonRun quoted = run_with_json("run " + kSmall + " --heartbeat 0 --set 'dirty_log.walker=\"range\"'");
  const JsonRun pointer = run_with_json("run " + kSmall + " --heartbeat 0 --set /dirty_log/walker=range");
  const JsonRun equals = run_with_json("run " + kSmall + " --heartbeat 0 --set=dirty_log.walker=range");
  EXPECT_EQ(quoted.text, dotted.text);
  EXPECT_EQ(pointer.text, dotted.text);
  EXPECT_EQ(equals.text, dotted.text);

  // Numbers are JSON, array elements are reachable both ways.
  const JsonRun npages = run_with_json("run " + kSmall + " --heartbeat 0 --set /memslots/0/npages=2048 --set workload.ops=5000");
  ASSERT_EQ(npages.cli.status, 0) << npages.cli.err;
  EXPECT_EQ(npages.doc["config"]["memslots"][0]["npages"], 2048);
  EXPECT_EQ(npages.doc["config"]["workload"]["ops"], 5000);
  EXPECT_EQ(npages.doc["migration"]["rounds"][0]["pages_sent"], 2048);
  const JsonRun dotted_index = run_with_json("run " + kSmall + " --heartbeat 0 --set memslots.0.npages=2048 --set /workload/ops=5000");
  EXPECT_EQ(dotted_index.text, npages.text);

  // A new key inside an existing object; a new section as an object value (its
  // parent must exist, so host.unmap_every_ms alone would be refused: small.json has
  // no "host").
  const JsonRun added = run_with_json("run " + kSmall + " --heartbeat 0 --set migration.max_rounds=2");
  ASSERT_EQ(added.cli.status, 0) << added.cli.err;
  EXPECT_EQ(added.doc["config"]["migration"]["max_rounds"], 2);
  EXPECT_EQ(added.doc["migration"]["rounds"].size(), 3u);
  EXPECT_FALSE(added.doc["migration"]["converged"].get<bool>());
  const JsonRun host = run_with_json("run " + kSmall + " --heartbeat 0 --set 'host={\"unmap_every_ms\": 5}'");
  ASSERT_EQ(host.cli.status, 0) << host.cli.err;
  EXPECT_EQ(host.doc["config"]["host"]["unmap_every_ms"], 5.0);
  EXPECT_GT(host.doc["host"]["unmaps"].get<std::uint64_t>(), 0u);
  const JsonRun object = run_with_json("run " + kSmall +
                                       " --heartbeat 0 --set 'migration.stop_rule={\"kind\": \"threshold\", \"dirty_pages\": 0, \"rounds\": 1}'");
  ASSERT_EQ(object.cli.status, 0) << object.cli.err;
  EXPECT_EQ(object.doc["migration"]["rounds"].size(), 2u);

  // Setting a value to what the file already says changes nothing.
  const JsonRun noop = run_with_json("run " + kSmall + " --heartbeat 0 --set dirty_log.walker=v4 --set vcpus=2");
  EXPECT_EQ(noop.text, base.text);
  // Later overrides win over earlier ones.
  const JsonRun twice = run_with_json("run " + kSmall + " --heartbeat 0 --set dirty_log.walker=naive --set dirty_log.walker=range");
  EXPECT_EQ(twice.text, dotted.text);
}

// --- the report cannot mislead ---------------------------------------------------------

namespace {

std::string ms3(double ms) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

}  // namespace

TEST(RunCli, ReportSaysWhatSetChangedAndPrintsPhaseTimesInOneUnit) {
  const std::string comment = json::parse(read_file(std::string(S2SIM_SOURCE_DIR) + "/" + kSmall))["comment"];
  const JsonRun plain = run_with_json("run " + kSmall + " --heartbeat 0");
  ASSERT_EQ(plain.cli.status, 0) << plain.cli.err;
  EXPECT_NE(plain.cli.out.find("  " + comment + "\n"), std::string::npos);
  EXPECT_EQ(plain.cli.out.find("with --set"), std::string::npos);
  // The enable-logging time is the result JSON's, to the printed digit; every phase
  // time is in ms; "Iteration N dirty memory time" (a guest pass) is never printed.
  EXPECT_NE(plain.cli.out.find("Enabling dirty logging time: " +
                               ms3(plain.doc["dirty_log"]["enable_logging_ms"].get<double>()) + " ms\n"),
            std::string::npos)
      << plain.cli.out;
  EXPECT_EQ(plain.cli.out.find("dirty memory time"), std::string::npos);
  EXPECT_NE(plain.cli.out.find("Iteration 1 get dirty log time: " +
                               ms3(plain.doc["migration"]["rounds"][1]["get_dirty_log_ms"].get<double>()) + " ms\n"),
            std::string::npos)
      << plain.cli.out;
  // The stop-and-copy round holds two calls, and says so.
  const json& last = plain.doc["migration"]["rounds"].back();
  ASSERT_TRUE(last["stop_and_copy"].get<bool>());
  EXPECT_NE(plain.cli.out.find("Iteration " + last["round"].dump() + " get dirty log time: " +
                               ms3(last["get_dirty_log_ms"].get<double>()) +
                               " ms (stop-and-copy: the last pre-copy call and the final one)\n"),
            std::string::npos)
      << plain.cli.out;
  EXPECT_NE(plain.cli.out.find("Get dirty log over " + std::to_string(plain.doc["dirty_log"]["calls"].get<int>()) +
                               " iterations took "),
            std::string::npos);
  EXPECT_EQ(plain.cli.out.find(" s\n\n"), std::string::npos) << "no phase time in seconds";
  // Round 0 counts from the migration's start; what came before is the warm-up.
  EXPECT_NE(plain.cli.out.find("warm-up before the migration (" +
                               ms3(plain.doc["migration"]["warmup"]["ms"].get<double>()) + " ms): "),
            std::string::npos)
      << plain.cli.out;
  EXPECT_EQ(plain.doc["migration"]["rounds"][0]["start_cycle"], plain.doc["migration"]["warmup"]["cycles"]);

  // After --set the comment no longer describes the run: the report names the keys.
  const CliResult set = run_s2sim("run " + kSmall + " --heartbeat 0 --set vcpus=1 --set /migration/link_gbps=1");
  ASSERT_EQ(set.status, 0) << set.err;
  EXPECT_EQ(set.out.find(comment), std::string::npos);
  EXPECT_NE(set.out.find("  with --set vcpus, /migration/link_gbps (the config's comment is not shown"),
            std::string::npos)
      << set.out;
}

// A guest that runs out of work before the stop rule fires is not a converged
// migration: tests/engine/whole_run_cycles_test.cpp works this run out by hand (the
// vCPU finishes at cycle 15832, in round 0).
TEST(RunCli, AGuestThatFinishedIsNotAConvergedMigration) {
  const JsonRun r = run_with_json("run tests/data/configs/handworked-naive.json --heartbeat 0");
  ASSERT_EQ(r.cli.status, 0) << r.cli.err;
  EXPECT_EQ(r.doc["guest"]["finished_cycles"], 15832);
  EXPECT_EQ(r.doc["guest"]["finished_round"], 0);
  EXPECT_EQ(r.doc["migration"]["stop_reason"], "guest_finished");
  EXPECT_EQ(r.doc["migration"]["stop_detail"], "threshold: 0 dirty pages <= 0");
  EXPECT_FALSE(r.doc["migration"]["converged"].get<bool>());
  int warnings = 0;
  for (std::size_t at = r.cli.out.find("warning:"); at != std::string::npos; at = r.cli.out.find("warning:", at + 1))
    ++warnings;
  EXPECT_EQ(warnings, 1) << r.cli.out;
  EXPECT_NE(r.cli.out.find("warning:    the guest ran out of work at " +
                           ms3(r.doc["guest"]["finished_ms"].get<double>()) + " ms (round 0) before the stop rule"),
            std::string::npos)
      << r.cli.out;
  EXPECT_NE(r.cli.out.find("did NOT converge (guest_finished: threshold: 0 dirty pages <= 0)"), std::string::npos);

  // A guest still writing when the migration stops it has not finished.
  const JsonRun busy = run_with_json("run " + kSmall + " --heartbeat 0");
  EXPECT_TRUE(busy.doc["guest"]["finished_cycles"].is_null());
  EXPECT_NE(busy.doc["migration"]["stop_reason"], "guest_finished");
  EXPECT_EQ(busy.cli.out.find("warning:"), std::string::npos);
}

// --- compare ---------------------------------------------------------------------

TEST(RunCli, CompareRunsOneRowAndOneResultPerWalker) {
  const std::vector<std::string> walkers = {"naive", "v4", "v4-fixed", "range"};
  const JsonRun r = run_with_json("compare " + kSmall + " --heartbeat 0 --walkers naive,v4,v4-fixed,range");
  ASSERT_EQ(r.cli.status, 0) << r.cli.err;
  EXPECT_TRUE(r.cli.err.empty()) << r.cli.err;
  for (const auto& w : walkers) EXPECT_TRUE(has_line_starting(r.cli.out, w + " ")) << w << "\n" << r.cli.out;
  ASSERT_TRUE(r.doc.is_object());
  EXPECT_EQ(r.doc["schema"], "s2sim.compare/1");
  ASSERT_EQ(r.doc["runs"].size(), walkers.size());
  for (std::size_t i = 0; i < walkers.size(); ++i) {
    const json& run = r.doc["runs"][i];
    check_contract(run, "compare run " + walkers[i]);
    EXPECT_EQ(run["dirty_log"]["walker"], walkers[i]);
    EXPECT_EQ(run["config"]["dirty_log"]["walker"], walkers[i]);
    EXPECT_EQ(run["seed"], 7);
  }
  // Each run of compare is the run `run --set dirty_log.walker=W` makes.
  const JsonRun single = run_with_json("run " + kSmall + " --heartbeat 0 --set dirty_log.walker=v4-fixed");
  ASSERT_EQ(single.cli.status, 0);
  EXPECT_EQ(r.doc["runs"][2], single.doc);

  // Without --walkers: every walker; with a list: those, in that order.
  const JsonRun all = run_with_json("compare " + kSmall + " --heartbeat 0");
  ASSERT_EQ(all.cli.status, 0) << all.cli.err;
  EXPECT_EQ(all.doc["runs"].size(), walkers.size());
  const JsonRun two = run_with_json("compare " + kSmall + " --heartbeat 0 --walkers range,naive --seed 3");
  ASSERT_EQ(two.cli.status, 0) << two.cli.err;
  ASSERT_EQ(two.doc["runs"].size(), 2u);
  EXPECT_EQ(two.doc["runs"][0]["dirty_log"]["walker"], "range");
  EXPECT_EQ(two.doc["runs"][1]["dirty_log"]["walker"], "naive");
  EXPECT_EQ(two.doc["runs"][0]["seed"], 3);
}

// compare --apis: one run per dirty-log API, each the run `run --set dirty_log.api=A`
// makes, each recording what its API did, none losing a write.
TEST(RunCli, CompareApisPutsTheDirtyLogApisSideBySide) {
  const JsonRun r = run_with_json("compare dirty-log-apis --heartbeat 0 --apis get,clear,ring");
  ASSERT_EQ(r.cli.status, 0) << r.cli.err;
  for (const char* api : {"get ", "clear ", "ring "}) EXPECT_TRUE(has_line_starting(r.cli.out, api)) << r.cli.out;
  ASSERT_TRUE(r.doc.is_object());
  ASSERT_EQ(r.doc["runs"].size(), 3u);
  const json& get = r.doc["runs"][0];
  const json& clear = r.doc["runs"][1];
  const json& ring = r.doc["runs"][2];
  for (const json* run : {&get, &clear, &ring}) {
    check_contract(*run, "compare --apis run");
    EXPECT_EQ((*run)["verify"]["lost_writes"], 0);
    EXPECT_EQ((*run)["verify"]["invariant_violations"], 0);
  }
  // The default API writes no key of its own; the others name themselves and count.
  EXPECT_FALSE(get["config"]["dirty_log"].contains("api"));
  EXPECT_EQ(clear["config"]["dirty_log"]["api"], "clear");
  EXPECT_EQ(clear["dirty_log"]["api"], "clear");
  EXPECT_GT(clear["dirty_log"]["api_counts"]["clear_calls"], 0);
  EXPECT_GT(clear["dirty_log"]["api_counts"]["clear_pages_protected"], 0);
  EXPECT_EQ(clear["dirty_log"]["api_counts"]["ring_harvests"], 0);
  EXPECT_EQ(ring["dirty_log"]["api"], "ring");
  EXPECT_GT(ring["dirty_log"]["api_counts"]["ring_harvests"], 0);
  EXPECT_EQ(ring["dirty_log"]["api_counts"]["clear_calls"], 0);
  // Eager splitting (2 MiB chunks in the scenario) split blocks under every API.
  for (const json* run : {&get, &clear, &ring}) EXPECT_GT((*run)["dirty_log"]["api_counts"]["blocks_split"], 0);
  // The per-round counts add up to the run's.
  std::uint64_t clears = 0;
  for (const json& round : clear["migration"]["rounds"]) clears += round["api_counts"]["clear_calls"].get<std::uint64_t>();
  EXPECT_EQ(clears, clear["dirty_log"]["api_counts"]["clear_calls"].get<std::uint64_t>());
  const JsonRun single = run_with_json("run dirty-log-apis --heartbeat 0 --set dirty_log.api=ring");
  ASSERT_EQ(single.cli.status, 0);
  EXPECT_EQ(ring, single.doc);

  const CliResult bad = run_s2sim("compare dirty-log-apis --apis get,bitmap");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("error: compare --apis: unknown dirty-log API \"bitmap\""), std::string::npos) << bad.err;
  const CliResult both = run_s2sim("compare dirty-log-apis --apis get --walkers range");
  EXPECT_EQ(both.status, 2);
}

// --- the scenarios -------------------------------------------------------------------

// Every scenario says in its comment whether it fails on purpose ("FAILS ON PURPOSE
// (exits 1") or not ("Exits 0."), and runs with exactly that exit code.
TEST(RunCli, EveryScenarioRunsWithItsDocumentedExitCode) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(std::string(S2SIM_SOURCE_DIR) + "/" + kScenarios))
    if (e.path().extension() == ".json") files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  for (const char* required : {"idle-guest.json", "database-zipf.json", "streaming-writer.json", "misaligned-memslot.json",
                               "hugepages-host-unmaps.json", "multi-vcpu-contention.json", "v4-hazards.json",
                               "teaching-no-flush.json", "teaching-snapshot-after-wp.json"})
    EXPECT_NE(std::find(files.begin(), files.end(), required), files.end()) << required;

  for (const auto& f : files) {
    const std::string path = kScenarios + "/" + f;
    SCOPED_TRACE(path);
    const json cfg = json::parse(read_file(std::string(S2SIM_SOURCE_DIR) + "/" + path));
    const std::string comment = cfg.value("comment", "");
    ASSERT_FALSE(comment.empty()) << "every scenario says what it shows";
    const bool fails = comment.rfind("FAILS ON PURPOSE (exits 1", 0) == 0;
    if (fails) {
      // A scenario meant to fail says so in its name too.
      EXPECT_TRUE(f.rfind("teaching-", 0) == 0 || f.find("hazards") != std::string::npos) << f;
    } else {
      EXPECT_NE(comment.find("Exits 0."), std::string::npos) << "the comment documents the exit code";
    }

    const JsonRun r = run_with_json("run " + path + " --heartbeat 0");
    EXPECT_EQ(r.cli.status, fails ? 1 : 0) << r.cli.err << r.cli.out;
    ASSERT_TRUE(r.doc.is_object()) << "a run that completes writes its result, lost writes or not";
    // Keeping 2 MiB blocks whole while logging is no kernel's behaviour (Linux 4.0,
    // user_mem_abort, forces ptes and stage2_dissolve_pmd() breaks a block on a write
    // while logging): a scenario that uses it says it is a what-if.
    if (r.doc["config"]["dirty_log"]["block_policy"] == "keep") {
      EXPECT_NE(comment.find("what-if"), std::string::npos);
      EXPECT_NE(comment.find("not kernel behaviour"), std::string::npos);
    }
    check_contract(r.doc, path);
    EXPECT_GE(r.doc["migration"]["rounds"].size(), 2u) << "pre-copy does at least one round after round 0";
    if (fails) {
      EXPECT_GT(r.doc["verify"]["lost_writes"].get<std::uint64_t>(), 0u);
      EXPECT_TRUE(has_line_starting(r.cli.out, "verify: FAILED")) << r.cli.out;
    } else {
      EXPECT_EQ(r.doc["verify"]["lost_writes"], 0);
      EXPECT_TRUE(has_line_starting(r.cli.out, "verify: OK")) << r.cli.out;
    }
  }
}

// The teaching switches lose writes (exit 1, "verify: FAILED"); the same config in the
// kernel's order loses none.
TEST(RunCli, TeachingNoFlushLosesWritesAndTheKernelOrderDoesNot) {
  const std::string cfg = kScenarios + "/teaching-no-flush.json";
  const JsonRun broken = run_with_json("run " + cfg + " --heartbeat 0");
  EXPECT_EQ(broken.cli.status, 1) << broken.cli.err;
  ASSERT_TRUE(broken.doc.is_object());
  EXPECT_FALSE(broken.doc["config"]["dirty_log"]["flush_tlbs"].get<bool>());
  EXPECT_GT(broken.doc["verify"]["lost_writes"].get<std::uint64_t>(), 0u);
  EXPECT_FALSE(broken.doc["verify"]["ok"].get<bool>());
  EXPECT_FALSE(broken.doc["verify"]["first_lost"].empty());
  EXPECT_TRUE(has_line_starting(broken.cli.out, "verify: FAILED")) << broken.cli.out;
  EXPECT_TRUE(broken.cli.err.empty()) << "lost writes are a result, not an error: " << broken.cli.err;

  const JsonRun kernel = run_with_json("run " + cfg + " --heartbeat 0 --set dirty_log.flush_tlbs=true");
  EXPECT_EQ(kernel.cli.status, 0) << kernel.cli.err;
  ASSERT_TRUE(kernel.doc.is_object());
  EXPECT_EQ(kernel.doc["verify"]["lost_writes"], 0);
  EXPECT_TRUE(has_line_starting(kernel.cli.out, "verify: OK")) << kernel.cli.out;
}

TEST(RunCli, TeachingSnapshotAfterWpLosesWritesAndTheKernelOrderDoesNot) {
  const std::string cfg = kScenarios + "/teaching-snapshot-after-wp.json";
  const JsonRun broken = run_with_json("run " + cfg + " --heartbeat 0");
  EXPECT_EQ(broken.cli.status, 1) << broken.cli.err;
  ASSERT_TRUE(broken.doc.is_object());
  EXPECT_EQ(broken.doc["config"]["dirty_log"]["snapshot"], "after_wp");
  EXPECT_GT(broken.doc["verify"]["lost_writes"].get<std::uint64_t>(), 0u);
  EXPECT_TRUE(has_line_starting(broken.cli.out, "verify: FAILED")) << broken.cli.out;

  const JsonRun kernel = run_with_json("run " + cfg + " --heartbeat 0 --set dirty_log.snapshot=kernel");
  EXPECT_EQ(kernel.cli.status, 0) << kernel.cli.err;
  ASSERT_TRUE(kernel.doc.is_object());
  EXPECT_EQ(kernel.doc["verify"]["lost_writes"], 0);
  EXPECT_TRUE(has_line_starting(kernel.cli.out, "verify: OK")) << kernel.cli.out;

  // Both teaching scenarios share one workload: only the switch differs.
  const json other = json::parse(read_file(std::string(S2SIM_SOURCE_DIR) + "/" + kScenarios + "/teaching-no-flush.json"));
  EXPECT_EQ(broken.doc["config"]["workload"], other["workload"]);
}

TEST(RunCli, V4HazardsScenarioReportsHazardsThatTheFixedWalkerAvoids) {
  const std::string cfg = kScenarios + "/v4-hazards.json";
  const JsonRun v4 = run_with_json("run " + cfg + " --heartbeat 0");
  ASSERT_TRUE(v4.doc.is_object()) << v4.cli.err;
  EXPECT_EQ(v4.cli.status, 1);
  EXPECT_GT(total_hazards(v4.doc), 0u);
  EXPECT_GT(v4.doc["verify"]["hazards"]["block_as_table"].get<std::uint64_t>(), 0u);
  EXPECT_GT(v4.doc["verify"]["lost_writes"].get<std::uint64_t>(), 0u);

  const JsonRun fixed = run_with_json("run " + cfg + " --heartbeat 0 --set dirty_log.walker=v4-fixed");
  EXPECT_EQ(fixed.cli.status, 0) << fixed.cli.err;
  ASSERT_TRUE(fixed.doc.is_object());
  EXPECT_EQ(total_hazards(fixed.doc), 0u);
  EXPECT_EQ(fixed.doc["verify"]["lost_writes"], 0);
}

// --- traces: counts worked out by hand ----------------------------------------------------

// tiny_trace.txt: vCPU 0 does W R W W, vCPU 1 does W W R W; the writes touch gfns
// 0x80000 (twice), 0x80001 (twice), 0x80002 and 0x80004; the reads 0x80000 (already
// mapped by the write before it) and 0x80003. Everything ends before logging starts,
// so 5 first touches are 5 translation faults and nothing is ever write-protected.
TEST(RunCli, NativeTraceRunsExactlyTheTracesOperations) {
  const JsonRun r = run_with_json("run " + kNativeTrace + " --heartbeat 0");
  ASSERT_EQ(r.cli.status, 0) << r.cli.err;
  check_contract(r.doc, kNativeTrace);
  const json& g = r.doc["guest"];
  EXPECT_EQ(g["ops"], 8);
  EXPECT_EQ(g["writes"], 6);
  EXPECT_EQ(g["reads"], 2);
  EXPECT_EQ(g["distinct_pages_written"], 4);
  ASSERT_EQ(r.doc["cycles"]["vcpu"].size(), 2u);
  EXPECT_EQ(r.doc["cycles"]["vcpu"][0]["ops"], 4);
  EXPECT_EQ(r.doc["cycles"]["vcpu"][1]["ops"], 4);
  EXPECT_EQ(r.doc["faults"]["translation"], 5);
  EXPECT_EQ(r.doc["faults"]["write_protect"], 0);
  // Round 0 sends the slot, the first get_dirty_log finds nothing, stop-and-copy sends nothing.
  EXPECT_EQ(r.doc["migration"]["rounds"].size(), 2u);
  EXPECT_EQ(r.doc["migration"]["pages_sent_total"], 4096);
  EXPECT_EQ(r.doc["migration"]["downtime_pages"], 0);
  EXPECT_EQ(r.doc["verify"]["lost_writes"], 0);
  // The @not_before time holds vCPU 0's last write back to cycle 100,000.
  EXPECT_GE(r.doc["cycles"]["vcpu"][0]["cycles"].get<std::uint64_t>(), 100000u);
}

// lackey_small.txt: records (instruction fetches skipped, the two malformed lines and
// the ==PID== lines skipped):
//   S 7ff000ff8,8  1 write       L 00601040,8  1 read        M 00601040,8  1 write
//   L 7ff000ff0,8  1 read        S 00601ffc,8  2 writes (straddles 0x602000)
//   L 01e00010,4   1 read        S 01e00010,4  1 write       M 01e01008,8  1 write
//   L 00401ffe,4   2 reads (straddles 0x402000)              S 005ffffc,8  2 writes
// = 13 operations, 8 writes, 5 reads; pages written: 0x7ff000, 0x601, 0x602, 0x1e00,
// 0x1e01, 0x5ff, 0x600 = 7. Translation faults on the 9 distinct pages first touched;
// no write-protect fault: the slot is not logging yet, so the reads that map 0x601 and
// 0x1e00 first map them read/write (user_mem_abort, 3.10-4.0: the host page is
// writable) and the M and S after them go straight through.
// The 9 instruction fetches all lie in page 0x401.
TEST(RunCli, LackeyTraceRunsExactlyTheTracesOperations) {
  const JsonRun r = run_with_json("run " + kLackeyTrace + " --heartbeat 0");
  ASSERT_EQ(r.cli.status, 0) << r.cli.err;
  check_contract(r.doc, kLackeyTrace);
  const json& g = r.doc["guest"];
  EXPECT_EQ(g["ops"], 13);
  EXPECT_EQ(g["writes"], 8);
  EXPECT_EQ(g["reads"], 5);
  EXPECT_EQ(g["distinct_pages_written"], 7);
  EXPECT_EQ(r.doc["faults"]["translation"], 9);
  EXPECT_EQ(r.doc["faults"]["write_protect"], 0);
  EXPECT_EQ(r.doc["verify"]["lost_writes"], 0);

  // Instruction fetches as reads: 9 more reads, all in page 0x401, which the first
  // fetch now touches first instead of the load from 0x401ffe: still 9 first touches.
  const JsonRun fetches = run_with_json("run " + kLackeyTrace + " --heartbeat 0 --set workload.include_instructions=true");
  ASSERT_EQ(fetches.cli.status, 0) << fetches.cli.err;
  EXPECT_EQ(fetches.doc["guest"]["ops"], 22);
  EXPECT_EQ(fetches.doc["guest"]["reads"], 14);
  EXPECT_EQ(fetches.doc["guest"]["writes"], 8);
  EXPECT_EQ(fetches.doc["faults"]["translation"], 9);

  // Round robin over 2 vCPUs: operations 0, 2, ..., 12 on vCPU 0, the other 6 on vCPU 1.
  const JsonRun spread = run_with_json("run " + kLackeyTrace + " --heartbeat 0 --set vcpus=2 --set workload.spread=round_robin");
  ASSERT_EQ(spread.cli.status, 0) << spread.cli.err;
  EXPECT_EQ(spread.doc["guest"]["ops"], 13);
  ASSERT_EQ(spread.doc["cycles"]["vcpu"].size(), 2u);
  EXPECT_EQ(spread.doc["cycles"]["vcpu"][0]["ops"], 7);
  EXPECT_EQ(spread.doc["cycles"]["vcpu"][1]["ops"], 6);
}

}  // namespace
