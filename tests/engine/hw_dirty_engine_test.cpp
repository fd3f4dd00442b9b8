// Hardware dirty state in the engine (sim/engine/hw_dirty.h): writes to writable-clean
// pages take no fault, GET's sync finds them (DBM scan, HDBSS drain), a full HDBSS
// buffer traps, and migrations with running vCPUs lose no write under either mode.
#include <gtest/gtest.h>

#include <string>

#include "sim/config/config.h"
#include "tests/engine/hw_dirty_test_runs.h"
#include "util/input_error.h"

using namespace s2sim::sim;

using namespace s2sim::sim::hw_dirty_test;

TEST(HwDirtyEngine, DbmWritesAfterTheFirstScanTakeNoFault) {
  const RunResult r = run_perf(perf_config(2, 64 * 4096, 3, "dbm"), 3);
  EXPECT_EQ(r.invariant_violations, 0u);
  ASSERT_EQ(r.perf.iterations.size(), 3u);
  // Iteration 1: enabling write-protected every page without DBM, so each first write
  // faults (and the relaxing store sets DBM); the scan then cleans all 128.
  EXPECT_EQ(r.perf.iterations[0].write_protect_faults, 128u);
  EXPECT_EQ(r.perf.iterations[0].hw_updates, 0u);
  for (unsigned i = 1; i < 3; ++i) {
    SCOPED_TRACE(i);
    const PerfIteration& it = r.perf.iterations[i];
    EXPECT_EQ(it.write_protect_faults, 0u);
    EXPECT_EQ(it.translation_faults, 0u);
    EXPECT_EQ(it.hw_updates, 128u);
    EXPECT_EQ(it.dirty_pages, 128u);
  }
  EXPECT_EQ(r.hw_dirty.syncs, 3u);
  EXPECT_EQ(r.hw_dirty.ptes_cleaned, 3u * 128u);
  EXPECT_EQ(r.hw_dirty.ptes_scanned, 3u * 128u) << "each of the slot's ptes, each scan";
  EXPECT_EQ(r.wp.ptes_write_protected, 0u) << "with DBM get_dirty_log protects nothing: the scan cleans";
  EXPECT_GT(r.dl_phases.hw_sync, 0u);
}

TEST(HwDirtyEngine, HdbssAppendsEachFirstWriteAndTrapsWhenFull) {
  // 2 vCPUs x 1024 pages: each vCPU's 512-entry buffer fills once per pass.
  const RunResult r = run_perf(perf_config(2, 1024 * 4096, 3, "hdbss"), 3);
  EXPECT_EQ(r.invariant_violations, 0u);
  ASSERT_EQ(r.perf.iterations.size(), 3u);
  EXPECT_EQ(r.perf.iterations[0].write_protect_faults, 2048u);  // DBM set by these faults
  for (unsigned i = 1; i < 3; ++i) {
    SCOPED_TRACE(i);
    const PerfIteration& it = r.perf.iterations[i];
    EXPECT_EQ(it.write_protect_faults, 0u);
    EXPECT_EQ(it.hw_updates, 2048u);
    EXPECT_EQ(it.hdbss_full_traps, 2u);
    EXPECT_EQ(it.dirty_pages, 2048u);
  }
  EXPECT_EQ(r.hw_dirty.hdbss_appends, 2u * 2048u);
  EXPECT_EQ(r.hw_dirty.hdbss_drained, r.hw_dirty.hdbss_appends);
  EXPECT_EQ(r.wp.ptes_write_protected, 3u * 2048u) << "HDBSS cleans by write-protecting, DBM kept";
}

TEST(HwDirtyEngine, MigrationsLoseNoWriteUnderEitherMode) {
  for (const char* mode : {"dbm", "hdbss"})
    for (const char* walker : {"naive", "range"})
      for (unsigned vcpus : {1u, 4u})
        for (std::uint64_t seed : {1u, 2u, 3u}) {
          SCOPED_TRACE(std::string(mode) + " " + walker + " vcpus " + std::to_string(vcpus) + " seed " +
                       std::to_string(seed));
          const RunResult r = run_migration(mode, walker, vcpus, seed, seed == 3 ? "zipf" : "uniform");
          EXPECT_EQ(r.lost_writes, 0u);
          EXPECT_EQ(r.invariant_violations, 0u);
          EXPECT_EQ(r.abandoned_accesses, 0u);
          EXPECT_TRUE(r.verify_ok());
          EXPECT_GT(r.hw_dirty.hw_updates, 0u) << "the hardware path ran";
          EXPECT_GT(r.checked_pages, 0u);
        }
}

TEST(HwDirtyEngine, RefusedWithTheDirtyRingWithClearAndOnArmv7) {
  nlohmann::json j = perf_config(1, 64 * 4096, 2, "dbm");
  j["geometry"] = "armv7-lpae";
  EXPECT_THROW(parse_config(j, "test.json", configs_dir()), std::exception);
  // The migration thread's APIs of today: refused at /dirty_log/hw_dirty.
  for (const char* api : {"clear", "ring"}) {
    nlohmann::json k = perf_config(1, 64 * 4096, 2, "hdbss");
    k["kernel"] = "linux-6.6-arm64";
    k["dirty_log"]["api"] = api;
    try {
      (void)parse_config(k, "test.json", configs_dir());
      ADD_FAILURE() << api << " was accepted";
    } catch (const s2sim::InputError& e) {
      EXPECT_EQ(e.message(),
                "test.json: /dirty_log/hw_dirty: is modelled with plain get_dirty_log only (dirty_log.api \"get\")");
    }
  }
  PerfTestOptions ring;
  ring.request.manual_protect = false;
  ring.request.dirty_ring_entries = 4096;
  const SimConfig cfg = parse_config(perf_config(1, 64 * 4096, 2, "dbm"), "test.json", configs_dir());
  EXPECT_THROW(Engine(cfg, nullptr, &ring), std::invalid_argument);
}

TEST(HwDirtyEngine, TheKeysAreWrittenOnlyWhenSet) {
  const SimConfig none = parse_config(perf_config(1, 64 * 4096, 2, "none"), "test.json", configs_dir());
  EXPECT_FALSE(to_json(none)["dirty_log"].contains("hw_dirty"));
  EXPECT_FALSE(to_json(none)["dirty_log"].contains("hdbss_bytes"));
  nlohmann::json j = perf_config(1, 64 * 4096, 2, "hdbss");
  j["dirty_log"]["hdbss_bytes"] = 8192;
  const SimConfig hd = parse_config(j, "test.json", configs_dir());
  EXPECT_EQ(to_json(hd)["dirty_log"]["hw_dirty"], "hdbss");
  EXPECT_EQ(to_json(hd)["dirty_log"]["hdbss_bytes"], 8192);
  // And a written config replays to the same one.
  EXPECT_EQ(to_json(parse_config(to_json(hd), "test.json", configs_dir())), to_json(hd));
  j["dirty_log"]["hdbss_bytes"] = 12288;
  EXPECT_THROW(parse_config(j, "test.json", configs_dir()), std::exception);
}
