// The invariant checker (verify.invariants): after every get_dirty_log each page must
// be dirty, or write-protected in the tables with no writable TLB entry left. Its two
// halves are each shown to catch a violation the other cannot see.
//
// The schedule: the after_wp teaching order on a 32,768-page slot (1,024 bitmap words
// of 32 bits) at gfn 0x40000, walker range, migration from cycle 0 at 100 Gbit/s
// (every page send 2,500 cycles). P = the slot's last page (word 1023), Q = its first
// (word 0). The first get_dirty_log (round 1) starts at 81,922,500 like the race in
// engine_cycles_test.cpp: entry, locks and zeroing until 81,927,676, the word pass
// until 81,931,869 (P's word protected), the flush until 81,932,869, the unlock, then
// the late snapshot pass, 34 cycles a word, reaching P's word at 81,967,651.
//   vCPU 0: writes P at 100,000 (dirty), and at 81,932,000, after the flush: a
//           write-protect fault, handled by ~81,940,000 -- P writable again, its bit
//           (still set) set -- well before the snapshot takes and clears the bit.
//           P is now writable with a clean bit, its TLB entry writable.
//   vCPU 1: reads Q at 200,000 (mapped read-only), writes Q at 81,945,000: a
//           write-protect fault whose break-before-make invalidation is TLBIALLIS on
//           ARMv7: vCPU 0's entry for P is gone. (Q's word was snapshotted long
//           before, so Q stays dirty for round 2.)
// After round 2's get_dirty_log P is writable in the tables, clean, and in no TLB:
// only the tables half can see it. Nothing is lost (round 1 sent P after its last
// write), which is why the invariant matters: the next write to P would be.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/config/config.h"
#include "sim/engine/engine.h"

namespace s2sim::sim {
namespace {

RunResult run_trace(const std::string& text, const nlohmann::json& dirty_log) {
  const std::string trace = std::string(::testing::TempDir()) + "s2sim_invariant_" + std::to_string(::getpid()) + ".trace";
  std::ofstream(trace) << text;
  nlohmann::json j = nlohmann::json::parse(R"({
    "seed": 1, "machine": "cortex-a15", "geometry": "armv7-lpae",
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 32768}],
    "vcpus": 2,
    "workload": {"kind": "trace", "format": "native"},
    "migration": {"enabled": true, "start_ms": 0, "link_gbps": 100,
                  "stop_rule": {"kind": "threshold", "dirty_pages": 0}},
    "verify": {"enabled": true, "invariants": true}
  })");
  j["workload"]["path"] = trace;
  j["dirty_log"] = dirty_log;
  const SimConfig cfg = parse_config(j, "invariant_checker_test.json", configs_dir());
  Engine e(cfg);
  RunResult r = e.run();
  std::remove(trace.c_str());
  return r;
}

constexpr const char* kP = "47fff000";  // gfn 0x47fff, the slot's last page
constexpr const char* kQ = "40000000";  // gfn 0x40000, its first

bool mentions(const RunResult& r, const std::string& text) {
  for (const std::string& v : r.first_invariant_violations)
    if (v.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(InvariantChecker, SeesAPageWritableInTheTablesThatNoTlbHolds) {
  const std::string trace = std::string("0 W ") + kP + " @100000\n1 R " + kQ + " @200000\n0 W " + kP +
                            " @81932000\n1 W " + kQ + " @81945000\n";
  const RunResult r = run_trace(trace, {{"walker", "range"}, {"snapshot", "after_wp"}});
  EXPECT_EQ(r.write_protect_faults, 2u);
  EXPECT_EQ(r.lost_writes, 0u);
  EXPECT_GT(r.invariant_violations, 0u);
  EXPECT_TRUE(mentions(r, "gfn " + std::to_string(0x47fff) + ": writable in the tables but not dirty"))
      << (r.first_invariant_violations.empty() ? "no violation" : r.first_invariant_violations.front());
  EXPECT_FALSE(mentions(r, "TLB entry")) << r.first_invariant_violations.front();
  EXPECT_FALSE(r.verify_ok());
}

TEST(InvariantChecker, SeesAStaleWritableTlbEntryOfAProtectedPage) {
  // flush_tlbs false: round 1 protects P in the tables but vCPU 0 keeps its writable
  // entry (nothing else flushes: vCPU 1 is idle). Only the TLB half can see it.
  const std::string trace = std::string("0 W ") + kP + " @100000\n0 W " + kP + " @81932000\n";
  const RunResult r = run_trace(trace, {{"walker", "range"}, {"flush_tlbs", false}});
  EXPECT_EQ(r.write_protect_faults, 0u);
  EXPECT_GT(r.invariant_violations, 0u);
  EXPECT_TRUE(mentions(r, "gfn " + std::to_string(0x47fff) + ": writable TLB entry on vCPU 0 but not dirty"))
      << (r.first_invariant_violations.empty() ? "no violation" : r.first_invariant_violations.front());
  EXPECT_FALSE(mentions(r, "writable in the tables"));
}

}  // namespace s2sim::sim
