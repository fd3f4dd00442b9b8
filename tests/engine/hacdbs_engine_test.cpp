// HACDBS in the engine (dirty_log.hw_dirty "hacdbs"; mmu/hacdbs.h, sim/engine/hw_dirty_hacdbs.cpp):
// the pages get_dirty_log harvests are cleaned by the hardware from lists of 512
// entries, the vCPUs' next writes dirty them again without a fault and are logged
// through HDBSS, and migrations with running vCPUs lose no write.
#include <gtest/gtest.h>

#include <string>

#include "sim/config/config.h"
#include "tests/engine/hw_dirty_test_runs.h"
#include "util/input_error.h"

using namespace s2sim::sim;

using namespace s2sim::sim::hw_dirty_test;

TEST(HacdbsEngine, EachGetCleansWhatItHarvestsFromListsAndTheNextPassTakesNoFault) {
  // 2 vCPUs x 1,024 pages. Enabling logging write-protects; the first pass faults on
  // every page (each fault arms DBM), and from then on every pass is dirtied by the
  // hardware and every GET's harvest is cleaned by HACDBS: 2,048 entries, four full
  // lists of 512 a GET.
  const RunResult r = run_perf(perf_config(2, 1024 * 4096, 3, "hacdbs"), 3);
  ASSERT_EQ(r.perf.iterations.size(), 3u);
  EXPECT_EQ(r.perf.iterations[0].write_protect_faults, 2048u);
  EXPECT_EQ(r.perf.iterations[0].hacdbs_cleaned, 2048u);
  for (std::size_t i = 1; i < 3; ++i) {
    SCOPED_TRACE("iteration " + std::to_string(i + 1));
    EXPECT_EQ(r.perf.iterations[i].write_protect_faults, 0u);
    EXPECT_EQ(r.perf.iterations[i].hw_updates, 2048u) << "each write after the clean dirties in hardware";
    EXPECT_EQ(r.perf.iterations[i].hacdbs_cleaned, 2048u);
  }
  EXPECT_EQ(r.hw_dirty.hacdbs_rounds, 3u * 4u);
  EXPECT_EQ(r.hw_dirty.hacdbs_entries, 3u * 2048u);
  EXPECT_EQ(r.hw_dirty.hacdbs_errors, 0u);
  EXPECT_EQ(r.hw_dirty.hacdbs_fallback_pages, 0u);
  EXPECT_EQ(r.wp.ptes_write_protected, 0u) << "nothing is write-protected by software after enabling";
  // Re-logged: every write after a clean appended its page to an HDBSS buffer.
  EXPECT_EQ(r.hw_dirty.hdbss_appends, 2u * 2048u);
  EXPECT_EQ(r.hw_dirty.hdbss_drained, r.hw_dirty.hdbss_appends);
  EXPECT_GT(r.hw_dirty.hacdbs_cycles, 0u);
  EXPECT_EQ(r.invariant_violations, 0u);
}

TEST(HacdbsEngine, MigrationsLoseNoWriteWhileTheHardwareCleansBesideRunningVcpus) {
  for (const char* walker : {"naive", "range"})
    for (unsigned vcpus : {1u, 4u})
      for (std::uint64_t seed : {1u, 2u, 3u}) {
        SCOPED_TRACE(std::string(walker) + " vcpus " + std::to_string(vcpus) + " seed " + std::to_string(seed));
        const RunResult r = run_migration("hacdbs", walker, vcpus, seed, seed == 3 ? "zipf" : "uniform");
        EXPECT_EQ(r.lost_writes, 0u);
        EXPECT_EQ(r.invariant_violations, 0u);
        EXPECT_EQ(r.abandoned_accesses, 0u);
        EXPECT_TRUE(r.verify_ok());
        EXPECT_GT(r.hw_dirty.hacdbs_cleaned, 0u) << "the hardware cleaned";
        // A write after a HACDBS clean finds the leaf writable-clean: no fault, an HDBSS
        // entry, the page reported again by the next GET.
        EXPECT_GT(r.hw_dirty.hdbss_appends, 0u);
        EXPECT_GT(r.hw_dirty.hw_updates, 0u);
        EXPECT_GT(r.checked_pages, 0u);
      }
}

TEST(HacdbsEngine, RefusedLikeHdbss) {
  const auto message = [](nlohmann::json j) -> std::string {
    try {
      (void)parse_config(j, "test.json", configs_dir());
    } catch (const s2sim::InputError& e) {
      return e.message();
    }
    return "accepted";
  };
  nlohmann::json j = migration_config("hacdbs", "range", 1, 1);
  j["geometry"] = "armv7-lpae";
  j["machine"] = "cortex-a15";
  EXPECT_EQ(message(j), "test.json: /dirty_log/hw_dirty: needs an ARMv8 geometry (geometry.arch 8): ARMv7 has no DBM");
  j = migration_config("hacdbs", "range", 1, 1);
  j["dirty_log"]["api"] = "clear";
  EXPECT_EQ(message(j), "test.json: /dirty_log/hw_dirty: is modelled with plain get_dirty_log only (dirty_log.api \"get\")");
  j = migration_config("hacdbs", "range", 1, 1);
  j["dirty_log"]["hw_dirty"] = "hacdb";
  EXPECT_NE(message(j).find("hacdbs"), std::string::npos) << message(j);
}
