// The engine's scheduling rule — always run the agent with the earliest clock, ties
// to the lower id (vCPUs, then the migration thread, then the host) — observed
// through the trace events of tiny runs whose times are worked out by hand, and the
// --trace-events timeline itself: valid Chrome trace JSON, one named track per agent,
// the event kinds the engine promises, the event limit, determinism.
//
// Costs (Cortex-A15 machine, cycles): a first access to an unmapped page whose
// pgd line is cold costs 1 + 12 + (208 + 6) = 227 before the abort, the abort 5990,
// then user_mem_abort's work before the lock, fault_handler_work 1500 (gfn_to_pfn_prot
// and the memory-cache top-up run before spin_lock: Linux 3.17/4.0
// arch/arm/kvm/mmu.c, user_mem_abort), so the handler asks for mmu_lock 7717 cycles
// after the access starts; it holds the lock for spin_lock 40 + 432 of descriptor
// traffic = 472 cycles (see engine_cycles_test.cpp for the 432), and the retried
// access costs 43. A waiter owns a lock lock_handover = 100 after its release.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
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
  // Both vCPUs start their access at 1000 and reach mmu_lock at 1000 + 7717 = 8717.
  // vCPU 0 runs first: lock from 8717, +472 -> released at 9189, retry -> 9232.
  // vCPU 1 finds it released after its clock: owns it at 9189 + 100 = 9289 (waited
  // 572), +432 of table update -> 9721, retry -> 9764.
  // With fault_handler_work under the lock, as s2sim charged it before, the hold was
  // 1972 and vCPU 1 waited 2072: the kernel's order cuts the wait by the work.
  const Traced t = run_traced(two_vcpus("0 W 40000000 @1000\n1 W 240000000 @1000\n"));
  EXPECT_EQ(spans(t.doc, "translation fault"),
            (std::vector<Span>{{0, "translation fault", 1227, 9189}, {1, "translation fault", 1227, 9721}}));
  EXPECT_EQ(spans(t.doc, "mmu_lock wait"), (std::vector<Span>{{1, "mmu_lock wait", 8717, 9289}}));
  EXPECT_EQ(t.result.vcpu[0].cycles, 9232u);
  EXPECT_EQ(t.result.vcpu[1].cycles, 9764u);
  EXPECT_EQ(t.result.vcpu[0].mmu_lock_wait, 0u);
  EXPECT_EQ(t.result.vcpu[1].mmu_lock_wait, 572u);
  EXPECT_EQ(t.result.mmu_lock_wait, 572u);
}

TEST(Scheduler, EarliestAgentRunsFirst) {
  // vCPU 1 one cycle earlier (999): it reaches the lock at 8716 and gets it, releasing
  // it at 9188; vCPU 0, at 8717, owns it at 9188 + 100 = 9288, +432 -> 9720, retry ->
  // 9763.
  const Traced t = run_traced(two_vcpus("0 W 40000000 @1000\n1 W 240000000 @999\n"));
  EXPECT_EQ(spans(t.doc, "translation fault"),
            (std::vector<Span>{{1, "translation fault", 1226, 9188}, {0, "translation fault", 1227, 9720}}));
  EXPECT_EQ(spans(t.doc, "mmu_lock wait"), (std::vector<Span>{{0, "mmu_lock wait", 8717, 9288}}));
  EXPECT_EQ(t.result.vcpu[0].cycles, 9763u);
  EXPECT_EQ(t.result.vcpu[1].cycles, 9231u);
}

namespace {

// One vCPU, the migration thread and the host agent all asking for mmu_lock at cycle
// 18000 (`vcpu_offset` = 0), or the vCPU one cycle later (1):
//   migration: start_ms 0.01 -> cycle 17000; ioctl_entry 1000 -> its enable-logging
//              walk (one 2 MiB chunk: the slot has 512 pages) takes mmu_lock at 18000;
//   host:      unmap_every_ms = 18000 / 1.7e6 ms -> first unmap at cycle 18000;
//   vCPU 0:    writes P @10283 + offset -> asks for mmu_lock at 10283 + 7717 = 18000
//              + offset.
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
  j["workload"]["path"] = write_trace("0 W 40000000 @" + std::to_string(10283 + vcpu_offset) + "\n");
  return j;
}

}  // namespace

TEST(Scheduler, ThreeWayTieRunsVcpuThenMigrationThenHost) {
  // 18000: vCPU 0 (id 0) takes the free lock: +472 -> released at 18472 (its fault
  //        began at the abort, 10283 + 227 = 10510).
  // 18000: the migration thread (id 1) finds it released after its clock: owns it
  //        at 18472 + 100 = 18572.
  // 18000: the host (id 2) finds it held (the migration thread owns it from 18572)
  //        and queues. The migration's enable walk of the chunk, from 18572, reads
  //        pgd[1], pmd[0], pte[0] from L2 (3 x 21), protects P (store 4), reads
  //        pte[1..7] in L1 (7 x 4) and the other 63 lines of the pte table from DRAM
  //        (63 x (208 + 7 x 4)): 14963 -> releases at 33535 and hands the lock to
  //        the host at 33635. The flush that ends enabling: 33535 + 27 + 1000 = 34562.
  //        Enabling logging took 34562 - 17000 (its ioctl began at 17000): the report,
  //        the result JSON and the timeline give that one span.
  // vCPU 0 retries at 18472, before the migration thread got the lock, so its
  // write goes through a writable mapping: 18472 + 43 = 18515, no write-protect fault.
  const Traced t = run_traced(three_agents(0));
  EXPECT_EQ(spans(t.doc, "translation fault"), (std::vector<Span>{{0, "translation fault", 10510, 18472}}));
  EXPECT_TRUE(spans_on(t.doc, "mmu_lock wait", 0).empty());
  const auto mig_waits = spans_on(t.doc, "mmu_lock wait", 1);
  ASSERT_FALSE(mig_waits.empty());
  EXPECT_EQ(mig_waits[0], (Span{1, "mmu_lock wait", 18000, 18572}));
  const auto host_waits = spans_on(t.doc, "mmu_lock wait", 2);
  ASSERT_FALSE(host_waits.empty());
  EXPECT_EQ(host_waits[0], (Span{2, "mmu_lock wait", 18000, 33635}));
  EXPECT_EQ(spans(t.doc, "enable dirty logging"), (std::vector<Span>{{1, "enable dirty logging", 17000, 34562}}));
  EXPECT_EQ(t.result.enable_logging_cycles, 34562u - 17000u);
  EXPECT_EQ(t.result.vcpu[0].cycles, 18515u);
  EXPECT_EQ(t.result.vcpu[0].mmu_lock_wait, 0u);
  EXPECT_EQ(t.result.write_protect_faults, 0u);
  EXPECT_EQ(t.result.lost_writes, 0u);
}

TEST(Scheduler, TieBetweenMigrationAndHostGoesToTheMigrationThread) {
  // The vCPU now asks at 18001, so at 18000 only the migration thread and the host tie.
  // 18000: migration (id 1) takes the free lock: spin_lock 40; the chunk's walk reads
  //        pgd[1] (none: nothing mapped yet; in L2 since the vCPU's walk) 21 ->
  //        released at 18061; the flush (27 + 1000) then ends enabling at 19088,
  //        19088 - 17000 after its ioctl began.
  // 18000: host (id 2): released after its clock -> owns it at 18161; nothing is
  //        mapped: unmap_stage2_range reads pgd[1] (the folded pud; in L2) 21 and
  //        stops: released at 18182.
  // 18001: vCPU 0 finds it held (the host owns it from 18161) and queues; handed over
  //        at 18182 + 100 = 18282; table update 432 -> 18714; retry -> 18757.
  const Traced t = run_traced(three_agents(1));
  EXPECT_TRUE(spans_on(t.doc, "mmu_lock wait", 1).empty());
  EXPECT_EQ(t.result.enable_logging_cycles, 19088u - 17000u);
  const auto host_waits = spans_on(t.doc, "mmu_lock wait", 2);
  ASSERT_FALSE(host_waits.empty());
  EXPECT_EQ(host_waits[0], (Span{2, "mmu_lock wait", 18000, 18161}));
  const auto unmaps = spans(t.doc, "host unmap");
  ASSERT_FALSE(unmaps.empty());
  EXPECT_EQ(unmaps[0], (Span{2, "host unmap", 18161, 18182}));
  EXPECT_EQ(spans_on(t.doc, "mmu_lock wait", 0), (std::vector<Span>{{0, "mmu_lock wait", 18001, 18282}}));
  EXPECT_EQ(spans(t.doc, "translation fault"), (std::vector<Span>{{0, "translation fault", 10511, 18714}}));
  EXPECT_EQ(t.result.vcpu[0].cycles, 18757u);
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
  EXPECT_EQ(tracks, (std::map<int, std::string>{{0, "vCPU 0"},
                                                {1, "vCPU 1"},
                                                {2, "migration thread"},
                                                {3, "host (MMU notifier unmaps)"},
                                                {4, "migration rounds"}}));

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
  for (std::size_t i = 0; i < r.rounds.size(); ++i)  // on their own track
    EXPECT_EQ(spans_on(doc, "round " + std::to_string(i) + (r.rounds[i].stop_and_copy ? " (stop-and-copy)" : ""), 4).size(),
              1u) << i;
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

// Events the limit never drops: the migration thread's (track 2), the rounds' (track
// 4) and counters.
bool always_kept(const json& e) { return e["ph"] == "C" || e["tid"] == 2 || e["tid"] == 4; }

TEST(TraceEvents, BoundedByTheLimitKeepingTheMigrationsEvents) {
  const Traced full = run_traced(busy());
  const std::uint64_t all = full.doc["otherData"]["events"];
  ASSERT_GT(all, 200u);

  const Traced cut = run_traced(busy(), 100);
  EXPECT_TRUE(cut.doc["otherData"]["truncated"].get<bool>());
  std::uint64_t timeline = 0, markers = 0;
  std::size_t marker_at = 0;
  const auto& kept = cut.doc["traceEvents"];
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const json& e = kept[i];
    if (e["ph"] == "M") continue;
    ++timeline;
    if (e["name"] == TraceEvents::kLimitEventName) {
      ++markers;
      marker_at = i;
      EXPECT_EQ(e["ph"], "i");
      EXPECT_EQ(e["args"]["limit"], 100);
    } else if (markers) {
      EXPECT_TRUE(always_kept(e)) << "after the limit only the migration's events: " << e.dump();
    }
  }
  EXPECT_EQ(markers, 1u);
  EXPECT_GT(timeline, 101u);  // the limit, the marker, and the migration's events after it
  EXPECT_EQ(timeline + cut.doc["otherData"]["dropped"].get<std::uint64_t>(), all + 1);
  // Recording, cut short or not, changes nothing in the run.
  EXPECT_EQ(result_json(cut.result, parse_config(busy(), "x", configs_dir())).dump(),
            result_json(full.result, parse_config(busy(), "x", configs_dir())).dump());

  // Up to the marker the kept events are the first of the full trace; every round,
  // get_dirty_log and send event of the full trace is kept.
  const auto& every = full.doc["traceEvents"];
  for (std::size_t i = 0; i < marker_at; ++i) EXPECT_TRUE(kept[i] == every[i]) << i;
  std::size_t migration_events = 0;
  for (const json& e : every) {
    if (e["ph"] == "M" || !always_kept(e)) continue;
    ++migration_events;
    EXPECT_NE(std::find(kept.begin(), kept.end(), e), kept.end()) << e.dump();
  }
  EXPECT_GT(migration_events, 10u);

  // Exactly at the limit: nothing dropped, no marker.
  const Traced exact = run_traced(busy(), all);
  EXPECT_FALSE(exact.doc["otherData"]["truncated"].get<bool>());
  EXPECT_TRUE(exact.doc["traceEvents"] == every);
}

// Times are whole nanoseconds and a span's end is the end's nanosecond, so spans
// that nest in cycles nest in the file. At 3 GHz a parent [0, 4] and its child
// [2, 4] end on the same cycle; printing each µs value rounded on its own, the child
// began at 0.001 µs and lasted 0.001 µs, ending after its parent (0.001 µs).
TEST(TraceEvents, SpansNestExactlyInWholeNanoseconds) {
  TraceEvents t(3e9);
  t.complete(0, "parent", 0, 4);
  t.complete(0, "child", 2, 4);
  const json doc = json::parse(t.json());
  const auto& ev = doc["traceEvents"];
  ASSERT_EQ(ev.size(), 2u);
  auto ns = [](const json& v) { return std::llround(v.get<double>() * 1000); };
  EXPECT_EQ(ns(ev[0]["ts"]), 0);
  EXPECT_EQ(ns(ev[0]["dur"]), 1);  // 4 cycles = 1.33 ns -> 1
  EXPECT_EQ(ns(ev[1]["ts"]), 1);   // 2 cycles = 0.67 ns -> 1
  EXPECT_EQ(ns(ev[1]["dur"]), 0);
  EXPECT_LE(ns(ev[1]["ts"]) + ns(ev[1]["dur"]), ns(ev[0]["ts"]) + ns(ev[0]["dur"]));
}

// In a whole run, every two spans on a track nest or are disjoint, in the file's own
// nanoseconds (the rounds, which overlap the phases, have their own track).
TEST(TraceEvents, SpansOnATrackNestOrAreDisjoint) {
  const Traced t = run_traced(busy());
  std::map<int, std::vector<std::pair<long long, long long>>> by_track;
  for (const auto& e : t.doc["traceEvents"]) {
    if (e["ph"] != "X") continue;
    const long long b = std::llround(e["ts"].get<double>() * 1000), d = std::llround(e["dur"].get<double>() * 1000);
    by_track[e["tid"].get<int>()].push_back({b, b + d});
  }
  for (auto& [tid, v] : by_track) {
    std::sort(v.begin(), v.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first < y.first : x.second > y.second;  // parents first
    });
    std::vector<long long> open;  // ends of the spans containing the current one
    for (const auto& [b, e] : v) {
      while (!open.empty() && open.back() <= b) open.pop_back();
      if (!open.empty()) {
        EXPECT_LE(e, open.back()) << "track " << tid << ": [" << b << ", " << e << "] pokes out";
      }
      open.push_back(e);
    }
  }
}

TEST(TraceEvents, SameRunSameBytes) {
  const std::string a = run_traced(busy()).text, b = run_traced(busy()).text;
  EXPECT_TRUE(a == b);  // (not EXPECT_EQ: a failure would print both traces)
}

TEST(TraceEvents, RecorderOnItsOwn) {
  TraceEvents t(1e9, 2);
  t.thread_name(0, "a \"quoted\" name", 0);
  t.keep_track(7);
  t.complete(0, "x", 1000, 3500, {{"k", "v"}, {"n", 7u}});
  t.instant(0, "i", 4000);
  t.counter("c", 5000, {{"v", 3u}});  // past the limit, but counters are kept
  t.instant(0, "dropped", 6000);      // past the limit: becomes the marker
  t.instant(0, "dropped too", 6500);
  t.complete(7, "round", 0, 7000);  // a kept track: kept
  EXPECT_TRUE(t.truncated());
  EXPECT_EQ(t.events(), 5u);
  EXPECT_EQ(t.dropped(), 2u);
  EXPECT_EQ(t.limit_cycle(), 6000u);
  EXPECT_EQ(t.metadata_events(), 2u);
  const json doc = json::parse(t.json());
  const auto& ev = doc["traceEvents"];
  ASSERT_EQ(ev.size(), 7u);
  EXPECT_EQ(ev[0]["args"]["name"], "a \"quoted\" name");
  EXPECT_EQ(ev[2]["name"], "x");
  EXPECT_EQ(ev[2]["ts"], 1.0);  // 1000 cycles at 1 GHz = 1 µs
  EXPECT_EQ(ev[2]["dur"], 2.5);
  EXPECT_EQ(ev[2]["args"]["k"], "v");
  EXPECT_EQ(ev[2]["args"]["n"], 7);
  EXPECT_EQ(ev[3]["ph"], "i");
  EXPECT_EQ(ev[4]["ph"], "C");
  EXPECT_EQ(ev[5]["name"], TraceEvents::kLimitEventName);
  EXPECT_EQ(ev[5]["s"], "g");
  EXPECT_EQ(ev[5]["args"]["at_cycle"], 6000);
  EXPECT_EQ(ev[6]["name"], "round");
  EXPECT_EQ(doc["otherData"]["dropped"], 2);
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
  ::testing::internal::CaptureStderr();
  const int rc = cmd_run({cfg, "--heartbeat", "0", "--trace-events", out, "--trace-events-limit", "500"});
  const std::string report = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 0);
  std::ifstream f(out);
  ASSERT_TRUE(f.good());
  const json doc = json::parse(f);
  EXPECT_TRUE(doc["otherData"]["truncated"].get<bool>());
  EXPECT_EQ(doc["otherData"]["event_limit"], 500);
  // Hitting the limit is said on stderr and in the report, with what was dropped.
  const std::string said = "the event limit (500) was reached at ";
  EXPECT_NE(err.find("warning: --trace-events: " + said), std::string::npos) << err;
  EXPECT_NE(report.find("timeline:   " + said), std::string::npos) << report;
  EXPECT_NE(err.find(" " + doc["otherData"]["dropped"].dump() + " later vCPU and host events were dropped"),
            std::string::npos) << err;
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
