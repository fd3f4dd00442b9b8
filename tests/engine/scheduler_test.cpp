// The engine's scheduling rule — always run the agent with the earliest clock, ties
// to the lower id (vCPUs, then the migration thread, then the host) — observed
// through the trace events of tiny runs whose times are worked out by hand, and the
// --trace-events timeline itself: valid Chrome trace JSON, one named track per agent,
// the event kinds the engine promises, the event limit, determinism.
//
// Costs (Cortex-A15 machine, cycles): a first access to an unmapped page whose
// pgd line is cold costs 1 + 12 + (208 + 6) = 227 before the abort, the abort 5990,
// so the fault handler asks for mmu_lock 6217 cycles after the access starts; the
// handler takes spin_lock 40 + 432 of descriptor traffic + fault_handler_work 1500
// = 1972 cycles holding the lock (see engine_cycles_test.cpp for the 432), and the
// retried access 43. A waiter owns a lock lock_handover = 100 after its release.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "sim/cli/cmd_run.h"
#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/report/report.h"
#include "sim/report/trace_events.h"
#include "util/input_error.h"

using namespace s2sim::sim;
using nlohmann::json;

namespace {

std::string temp_path(const std::string& name) {
  static int counter = 0;
  return std::string(::testing::TempDir()) + "s2sim_sched_" + std::to_string(::getpid()) + "_" +
         std::to_string(counter++) + "_" + name;
}

std::string write_trace(const std::string& text) {
  const std::string path = temp_path("ops.trace");
  std::ofstream(path) << text;
  return path;
}

struct Traced {
  RunResult result;
  json doc;          // the parsed trace
  std::string text;  // the trace as written
};

Traced run_traced(const json& j, std::uint64_t limit = TraceEvents::kDefaultLimit) {
  const SimConfig cfg = parse_config(j, "scheduler_test.json", configs_dir());
  TraceEvents trace(cfg.machine.clock_hz, limit);
  Traced t;
  {
    Engine e(cfg, &trace);
    t.result = e.run();
  }
  t.text = trace.json();
  t.doc = json::parse(t.text);
  return t;
}

// A timeline event reduced to what the tests compare: track, name, exact cycles.
struct Span {
  int tid;
  std::string name;
  std::uint64_t begin, end;
  bool operator==(const Span&) const = default;
};

std::ostream& operator<<(std::ostream& o, const Span& s) {
  return o << "{tid " << s.tid << ", \"" << s.name << "\", " << s.begin << ".." << s.end << "}";
}

std::vector<Span> spans(const json& doc, const std::string& name) {
  std::vector<Span> out;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] != "X" || e["name"] != name) continue;
    const std::uint64_t b = e["args"]["begin_cycle"], d = e["args"]["dur_cycles"];
    out.push_back({e["tid"].get<int>(), name, b, b + d});
  }
  return out;
}

std::vector<Span> spans_on(const json& doc, const std::string& name, int tid) {
  std::vector<Span> out;
  for (const Span& s : spans(doc, name))
    if (s.tid == tid) out.push_back(s);
  return out;
}

// Two vCPUs, each writing one page of its own memslot: slot 0 at 1 GiB (pgd entry 1)
// and slot 1 at 9 GiB (pgd entry 9, another cache line), so that neither walk warms
// the other's descriptors. Migration off.
json two_vcpus(const std::string& trace) {
  json j = json::parse(R"({
    "seed": 1, "machine": "cortex-a15", "geometry": "armv7-lpae", "vcpus": 2,
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 512}, {"id": 1, "base_gfn": 2359296, "npages": 512}],
    "workload": {"kind": "trace", "format": "native"},
    "migration": {"enabled": false}, "verify": {"enabled": false}
  })");
  j["workload"]["path"] = write_trace(trace);
  return j;
}

}  // namespace

TEST(Scheduler, TieBetweenVcpusGoesToTheLowerId) {
  // Both vCPUs start their access at 1000 and reach mmu_lock at 1000 + 6217 = 7217.
  // vCPU 0 runs first: lock from 7217, +1972 -> released at 9189, retry -> 9232.
  // vCPU 1 finds it released after its clock: owns it at 9189 + 100 = 9289 (waited
  // 2072), +1932 of handler -> 11221, retry -> 11264.
  const Traced t = run_traced(two_vcpus("0 W 40000000 @1000\n1 W 240000000 @1000\n"));
  EXPECT_EQ(spans(t.doc, "translation fault"),
            (std::vector<Span>{{0, "translation fault", 1227, 9189}, {1, "translation fault", 1227, 11221}}));
  EXPECT_EQ(spans(t.doc, "mmu_lock wait"), (std::vector<Span>{{1, "mmu_lock wait", 7217, 9289}}));
  EXPECT_EQ(t.result.vcpu[0].cycles, 9232u);
  EXPECT_EQ(t.result.vcpu[1].cycles, 11264u);
  EXPECT_EQ(t.result.vcpu[0].mmu_lock_wait, 0u);
  EXPECT_EQ(t.result.vcpu[1].mmu_lock_wait, 2072u);
  EXPECT_EQ(t.result.mmu_lock_wait, 2072u);
}

TEST(Scheduler, EarliestAgentRunsFirst) {
  // vCPU 1 one cycle earlier (999): it reaches the lock at 7216 and gets it; vCPU 0,
  // at 7217, owns it at 9188 + 100 = 9288.
  const Traced t = run_traced(two_vcpus("0 W 40000000 @1000\n1 W 240000000 @999\n"));
  EXPECT_EQ(spans(t.doc, "translation fault"),
            (std::vector<Span>{{1, "translation fault", 1226, 9188}, {0, "translation fault", 1227, 11220}}));
  EXPECT_EQ(spans(t.doc, "mmu_lock wait"), (std::vector<Span>{{0, "mmu_lock wait", 7217, 9288}}));
  EXPECT_EQ(t.result.vcpu[0].cycles, 11263u);
  EXPECT_EQ(t.result.vcpu[1].cycles, 9231u);
}

namespace {

// One vCPU, the migration thread and the host agent all asking for mmu_lock at cycle
// 18000 (`vcpu_offset` = 0), or the vCPU one cycle later (1):
//   migration: start_ms 0.01 -> cycle 17000; ioctl_entry 1000 -> its enable-logging
//              walk (one 2 MiB chunk: the slot has 512 pages) takes mmu_lock at 18000;
//   host:      unmap_every_ms = 18000 / 1.7e6 ms -> first unmap at cycle 18000;
//   vCPU 0:    writes P @11783 + offset -> asks for mmu_lock at 18000 + offset.
json three_agents(unsigned vcpu_offset) {
  json j = json::parse(R"({
    "seed": 1, "machine": "cortex-a15", "geometry": "armv7-lpae", "vcpus": 1,
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 512}],
    "workload": {"kind": "trace", "format": "native"},
    "dirty_log": {"walker": "range"},
    "migration": {"enabled": true, "start_ms": 0.01, "link_gbps": 100,
                  "stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 1}},
    "verify": {"enabled": true}
  })");
  j["host"] = {{"unmap_every_ms", 18000.0 / 1.7e6}, {"unmap", "page"}};
  j["workload"]["path"] = write_trace("0 W 40000000 @" + std::to_string(11783 + vcpu_offset) + "\n");
  return j;
}

}  // namespace

TEST(Scheduler, ThreeWayTieRunsVcpuThenMigrationThenHost) {
  // 18000: vCPU 0 (id 0) takes the free lock: +1972 -> released at 19972 (its fault
  //        began at the abort, 11783 + 227 = 12010).
  // 18000: the migration thread (id 1) finds it released after its clock: owns it
  //        at 19972 + 100 = 20072.
  // 18000: the host (id 2) finds it held (the migration thread owns it from 20072)
  //        and queues. The migration's enable walk of the chunk, from 20072, reads
  //        pgd[1], pmd[0], pte[0] from L2 (3 x 21), protects P (store 4), reads
  //        pte[1..7] in L1 (7 x 4) and the other 63 lines of the pte table from DRAM
  //        (63 x (208 + 7 x 4)): 14963 -> releases at 35035 and hands the lock to
  //        the host at 35135. The flush that ends enabling: 35035 + 27 + 1000 = 36062.
  // vCPU 0 retries at 19972, before the migration thread got the lock, so its
  // write goes through a writable mapping: 19972 + 43 = 20015, no write-protect fault.
  const Traced t = run_traced(three_agents(0));
  EXPECT_EQ(spans(t.doc, "translation fault"), (std::vector<Span>{{0, "translation fault", 12010, 19972}}));
  EXPECT_TRUE(spans_on(t.doc, "mmu_lock wait", 0).empty());
  const auto mig_waits = spans_on(t.doc, "mmu_lock wait", 1);
  ASSERT_FALSE(mig_waits.empty());
  EXPECT_EQ(mig_waits[0], (Span{1, "mmu_lock wait", 18000, 20072}));
  const auto host_waits = spans_on(t.doc, "mmu_lock wait", 2);
  ASSERT_FALSE(host_waits.empty());
  EXPECT_EQ(host_waits[0], (Span{2, "mmu_lock wait", 18000, 35135}));
  EXPECT_EQ(spans(t.doc, "enable dirty logging"), (std::vector<Span>{{1, "enable dirty logging", 17000, 36062}}));
  EXPECT_EQ(t.result.enable_logging_cycles, 36062u - 18000u);
  EXPECT_EQ(t.result.vcpu[0].cycles, 20015u);
  EXPECT_EQ(t.result.vcpu[0].mmu_lock_wait, 0u);
  EXPECT_EQ(t.result.write_protect_faults, 0u);
  EXPECT_EQ(t.result.lost_writes, 0u);
}

TEST(Scheduler, TieBetweenMigrationAndHostGoesToTheMigrationThread) {
  // The vCPU now asks at 18001, so at 18000 only the migration thread and the host tie.
  // 18000: migration (id 1) takes the free lock: spin_lock 40; the chunk's walk reads
  //        pgd[1] (none: nothing mapped yet; in L2 since the vCPU's walk) 21 ->
  //        released at 18061; the flush (27 + 1000) then ends enabling at 19088.
  // 18000: host (id 2): released after its clock -> owns it at 18161; nothing is
  //        mapped: unmap_stage2_range reads pgd[1] (the folded pud; in L2) 21 and
  //        stops: released at 18182.
  // 18001: vCPU 0 finds it held (the host owns it from 18161) and queues; handed over
  //        at 18182 + 100 = 18282; handler 1932 -> 20214; retry -> 20257.
  const Traced t = run_traced(three_agents(1));
  EXPECT_TRUE(spans_on(t.doc, "mmu_lock wait", 1).empty());
  EXPECT_EQ(t.result.enable_logging_cycles, 19088u - 18000u);
  const auto host_waits = spans_on(t.doc, "mmu_lock wait", 2);
  ASSERT_FALSE(host_waits.empty());
  EXPECT_EQ(host_waits[0], (Span{2, "mmu_lock wait", 18000, 18161}));
  const auto unmaps = spans(t.doc, "host unmap");
  ASSERT_FALSE(unmaps.empty());
  EXPECT_EQ(unmaps[0], (Span{2, "host unmap", 18161, 18182}));
  EXPECT_EQ(spans_on(t.doc, "mmu_lock wait", 0), (std::vector<Span>{{0, "mmu_lock wait", 18001, 18282}}));
  EXPECT_EQ(spans(t.doc, "translation fault"), (std::vector<Span>{{0, "translation fault", 12011, 20214}}));
  EXPECT_EQ(t.result.vcpu[0].cycles, 20257u);
  EXPECT_EQ(t.result.vcpu[0].mmu_lock_wait, 281u);
  EXPECT_EQ(t.result.lost_writes, 0u);
}

// --- the timeline format ---------------------------------------------------------

namespace {

// A small busy migration: 2 vCPUs rewriting hot pages, host unmaps, three rounds.
json busy() {
  return json::parse(R"({
    "seed": 3, "machine": "cortex-a15", "geometry": "armv7-lpae", "vcpus": 2,
    "memslots": [{"id": 0, "base_gfn": 262160, "npages": 2048}],
    "workload": {"kind": "hotset", "ops": 6000, "hot_fraction": 0.05, "hot_probability": 0.9,
                 "write_ratio": 0.8, "think_cycles": 2000},
    "dirty_log": {"walker": "range"},
    "host": {"unmap_every_ms": 0.5},
    "migration": {"link_gbps": 0.5, "stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 3}}
  })");
}

}  // namespace

TEST(TraceEvents, SmallRunIsAChromeTraceWithOneTrackPerAgent) {
  const Traced t = run_traced(busy());
  const json& doc = t.doc;
  ASSERT_TRUE(doc.is_object());
  ASSERT_TRUE(doc["traceEvents"].is_array());
  EXPECT_FALSE(doc["otherData"]["truncated"].get<bool>());

  std::map<int, std::string> tracks;
  std::set<std::pair<std::string, std::string>> kinds;  // (ph, name)
  std::uint64_t timeline = 0;
  const double hz = doc["otherData"]["clock_hz"];
  EXPECT_EQ(hz, 1.7e9);
  for (const auto& e : doc["traceEvents"]) {
    ASSERT_TRUE(e.contains("name") && e.contains("ph") && e.contains("pid") && e.contains("tid")) << e.dump();
    EXPECT_EQ(e["pid"], TraceEvents::kPid);
    const std::string ph = e["ph"];
    if (ph == "M") {
      if (e["name"] == "thread_name") tracks[e["tid"].get<int>()] = e["args"]["name"];
      continue;
    }
    ++timeline;
    ASSERT_TRUE(e.contains("ts")) << e.dump();
    kinds.insert({ph, e["name"]});
    if (ph == "C") continue;
    // ts is the begin cycle in microseconds at the machine's clock, to the nanosecond.
    const double cycle = e["args"]["begin_cycle"].get<double>();
    EXPECT_NEAR(e["ts"].get<double>(), cycle / hz * 1e6, 0.0006) << e.dump();
    if (ph == "X") {
      ASSERT_TRUE(e.contains("dur")) << e.dump();
      EXPECT_GE(e["dur"].get<double>(), 0.0);
      EXPECT_NEAR(e["dur"].get<double>(), e["args"]["dur_cycles"].get<double>() / hz * 1e6, 0.0011);
    } else {
      EXPECT_EQ(ph, "i") << e.dump();
    }
  }
  EXPECT_EQ(timeline, doc["otherData"]["events"].get<std::uint64_t>());
  EXPECT_EQ(tracks, (std::map<int, std::string>{
                        {0, "vCPU 0"}, {1, "vCPU 1"}, {2, "migration thread"}, {3, "host (MMU notifier unmaps)"}}));

  for (const auto& k : std::vector<std::pair<std::string, std::string>>{
           {"X", "translation fault"},
           {"X", "write-protect fault"},
           {"X", "mmu_lock wait"},
           {"X", "get_dirty_log"},
           {"X", "get_dirty_log: enter + lock"},
           {"X", "get_dirty_log: words + write-protect"},
           {"X", "get_dirty_log: flush"},
           {"X", "get_dirty_log: copy_to_user"},
           {"X", "send pages"},
           {"X", "round 0"},
           {"X", "round 1"},
           {"X", "enable dirty logging"},
           {"X", "vm_stop"},
           {"X", "host unmap"},
           {"i", "TLBIALLIS"},
           {"C", "migration pages"}})
    EXPECT_TRUE(kinds.count(k)) << k.first << " " << k.second;

  // One round event per round, one send phase per round that sent pages, one words
  // phase per get_dirty_log call (consecutive word steps merged), each inside its call.
  const RunResult& r = t.result;
  std::size_t rounds = 0;
  for (const auto& k : kinds) rounds += k.first == "X" && k.second.rfind("round ", 0) == 0;
  EXPECT_EQ(rounds, r.rounds.size());
  std::size_t sending = 0;
  for (const auto& rd : r.rounds) sending += rd.pages_sent > 0;
  EXPECT_EQ(spans(doc, "send pages").size(), sending);
  const auto calls = spans(doc, "get_dirty_log");
  const auto words = spans(doc, "get_dirty_log: words + write-protect");
  ASSERT_EQ(calls.size(), r.get_dirty_log_calls);
  ASSERT_EQ(words.size(), calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].tid, 2);
    EXPECT_LE(calls[i].begin, words[i].begin);
    EXPECT_LE(words[i].end, calls[i].end);
  }
  // Every write-protect fault is on a vCPU track, every unmap on the host's.
  for (const Span& s : spans(doc, "write-protect fault")) EXPECT_LT(s.tid, 2);
  for (const Span& s : spans(doc, "host unmap")) EXPECT_EQ(s.tid, 3);
  std::uint64_t faults = 0;
  for (const auto& v : r.vcpu) faults += v.write_protect_faults;
  EXPECT_EQ(spans(doc, "write-protect fault").size(), faults);
}

TEST(TraceEvents, BoundedByTheLimit) {
  const Traced full = run_traced(busy());
  const std::uint64_t all = full.doc["otherData"]["events"];
  ASSERT_GT(all, 200u);

  const Traced cut = run_traced(busy(), 100);
  EXPECT_TRUE(cut.doc["otherData"]["truncated"].get<bool>());
  std::uint64_t timeline = 0, markers = 0;
  for (const auto& e : cut.doc["traceEvents"]) {
    if (e["ph"] == "M") continue;
    ++timeline;
    if (e["name"] == TraceEvents::kLimitEventName) {
      ++markers;
      EXPECT_EQ(e["ph"], "i");
      EXPECT_EQ(e["args"]["limit"], 100);
    }
  }
  EXPECT_EQ(timeline, 101u);  // the limit, plus the one event saying it was reached
  EXPECT_EQ(markers, 1u);
  EXPECT_EQ(cut.doc["traceEvents"].back()["name"], TraceEvents::kLimitEventName);
  // Recording, cut short or not, changes nothing in the run.
  EXPECT_EQ(result_json(cut.result, parse_config(busy(), "x", configs_dir())).dump(),
            result_json(full.result, parse_config(busy(), "x", configs_dir())).dump());

  // The kept events are the first 100 of the full trace (after the metadata).
  const auto& kept = cut.doc["traceEvents"];
  const auto& every = full.doc["traceEvents"];
  for (std::size_t i = 0; i + 1 < kept.size(); ++i) EXPECT_TRUE(kept[i] == every[i]) << i;

  // Exactly at the limit: nothing dropped, no marker.
  const Traced exact = run_traced(busy(), all);
  EXPECT_FALSE(exact.doc["otherData"]["truncated"].get<bool>());
  EXPECT_TRUE(exact.doc["traceEvents"] == every);
}

TEST(TraceEvents, SameRunSameBytes) {
  const std::string a = run_traced(busy()).text, b = run_traced(busy()).text;
  EXPECT_TRUE(a == b);  // (not EXPECT_EQ: a failure would print both traces)
}

TEST(TraceEvents, RecorderOnItsOwn) {
  TraceEvents t(1e9, 2);
  t.thread_name(0, "a \"quoted\" name", 0);
  t.complete(0, "x", 1000, 3500, {{"k", "v"}, {"n", 7u}});
  t.instant(0, "i", 4000);
  t.counter("c", 5000, {{"v", 3u}});  // past the limit: becomes the marker
  t.instant(0, "dropped", 6000);
  EXPECT_TRUE(t.truncated());
  EXPECT_EQ(t.events(), 3u);
  EXPECT_EQ(t.metadata_events(), 2u);
  const json doc = json::parse(t.json());
  const auto& ev = doc["traceEvents"];
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(ev[0]["args"]["name"], "a \"quoted\" name");
  EXPECT_EQ(ev[2]["name"], "x");
  EXPECT_EQ(ev[2]["ts"], 1.0);  // 1000 cycles at 1 GHz = 1 µs
  EXPECT_EQ(ev[2]["dur"], 2.5);
  EXPECT_EQ(ev[2]["args"]["k"], "v");
  EXPECT_EQ(ev[2]["args"]["n"], 7);
  EXPECT_EQ(ev[3]["ph"], "i");
  EXPECT_EQ(ev[4]["name"], TraceEvents::kLimitEventName);
  EXPECT_EQ(ev[4]["s"], "g");
  EXPECT_EQ(ev[4]["args"]["at_cycle"], 5000);
  EXPECT_THROW(TraceEvents(0.0), std::invalid_argument);
  EXPECT_THROW(TraceEvents(1e9, 0), std::invalid_argument);
}

// --- s2sim run --trace-events -------------------------------------------------------

namespace {

std::string busy_config_file() {
  const std::string path = temp_path("busy.json");
  std::ofstream(path) << busy().dump();
  return path;
}

}  // namespace

TEST(TraceEvents, RunWritesTheTraceFile) {
  const std::string cfg = busy_config_file();
  const std::string out = temp_path("trace.json");
  ::testing::internal::CaptureStdout();
  const int rc = cmd_run({cfg, "--quiet", "--trace-events", out, "--trace-events-limit", "500"});
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0);
  std::ifstream f(out);
  ASSERT_TRUE(f.good());
  const json doc = json::parse(f);
  EXPECT_TRUE(doc["otherData"]["truncated"].get<bool>());
  EXPECT_EQ(doc["otherData"]["event_limit"], 500);
  std::remove(out.c_str());
  std::remove(cfg.c_str());
}

TEST(TraceEvents, RunRefusesABadPathOrLimitBeforeRunning) {
  const std::string cfg = busy_config_file();
  const std::string missing_dir = temp_path("no_such_dir") + "/trace.json";
  EXPECT_THROW(cmd_run({cfg, "--trace-events", missing_dir}), s2sim::InputError);
  EXPECT_THROW(cmd_run({cfg, "--trace-events", std::string(::testing::TempDir())}), s2sim::InputError);
  const std::string out = temp_path("trace.json");
  EXPECT_THROW(cmd_run({cfg, "--trace-events", out, "--trace-events-limit", "0"}), s2sim::InputError);
  EXPECT_THROW(cmd_run({cfg, "--trace-events", out, "--trace-events-limit", "lots"}), s2sim::InputError);
  EXPECT_THROW(cmd_run({cfg, "--trace-events-limit", "10"}), s2sim::InputError);
  EXPECT_THROW(cmd_compare({cfg, "--trace-events", out}), s2sim::InputError);
  EXPECT_FALSE(std::filesystem::exists(out));
  std::remove(cfg.c_str());
}
