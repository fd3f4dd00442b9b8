// perf-test's biggest published configuration, 152 vCPUs x 1 GiB of 4 KiB pages
// (Koller's eager-split tables), must fit the default memory limit: every page is
// written (memstress populates all of it), so the estimate is the dense one.
#include <gtest/gtest.h>

#include "sim/config/config.h"

using namespace s2sim::sim;

TEST(PerfTestMemoryEstimate, OneHundredFiftyTwoVcpusOfOneGibFitTheDefaultLimit) {
  // Parsed at the engine's vCPU limit, then widened to 152 as a 512-vCPU build runs it:
  // the estimate reads only the slots, the workload and the machine.
  const nlohmann::json doc = {
      {"machine", "cortex-a57"}, {"geometry", "armv8-3level"}, {"vcpus", kMaxVcpus},
      {"memslots", {{{"id", 0}, {"base_gfn", 0x40000}, {"npages", std::uint64_t{kMaxVcpus} << 18}}}},
      {"workload", {{"kind", "memstress"}, {"bytes_per_vcpu", std::uint64_t{1} << 30}}},
      {"migration", {{"enabled", false}}},
  };
  SimConfig cfg = parse_config(doc, "test.json", configs_dir());
  cfg.vcpus = 152;
  cfg.memslots[0].npages = std::uint64_t{152} << 18;
  const std::uint64_t bytes = estimate_memory_bytes(cfg);
  EXPECT_LE(bytes, cfg.memory_limit_mib << 20);
  // At least the dense per-page state of 40 M written pages (20 bytes each).
  EXPECT_GE(bytes, (std::uint64_t{152} << 18) * 20);
}
