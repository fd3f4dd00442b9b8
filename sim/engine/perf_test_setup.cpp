#include "sim/engine/perf_test_setup.h"

#include <cmath>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "sim/config/config_file.h"
#include "sim/engine/perf_test_driver.h"
#include "util/input_error.h"

namespace s2sim::sim {

namespace {

constexpr std::uint64_t kGuestPage = 4096;
// Guest RAM starts at 1 GiB, as on QEMU's arm64 "virt" board. (The selftest puts its
// region at the top of the IPA space; only alignment matters to the model, and 1 GiB
// keeps every 2 MiB block aligned.)
constexpr std::uint64_t kSlotBaseGfn = (std::uint64_t{1} << 30) / kGuestPage;

// A shipped machine inline, so that --set reaches its costs
// (--set machine.costs.stage2_abort_host=...); an unknown name stays a name, for
// parse_config's error with the known ones.
nlohmann::json machine_doc(const std::string& name) {
  const std::string path = configs_dir() + "/machines/" + name + ".json";
  if (name.find('/') != std::string::npos || !std::filesystem::is_regular_file(path)) return name;
  return load_config_json(path);
}

}  // namespace

nlohmann::json perf_test_config_doc(const PerfTestCommand& c, std::uint64_t seed) {
  const std::uint64_t npages = c.vcpus * (c.bytes_per_vcpu / kGuestPage);
  return {
      {"comment", "s2sim perf-test: dirty_log_perf_test with " + std::to_string(c.vcpus) + " vCPUs x " +
                      std::to_string(c.bytes_per_vcpu) + " bytes, " + c.backing + ", " + std::to_string(c.iterations) +
                      " iterations, " + std::to_string(c.write_percent) + "% writes"},
      {"seed", seed},
      {"machine", machine_doc(c.machine)},
      // -m 2 on arm64: 40-bit IPA with 4 KiB pages, walks from level 1.
      {"geometry", "armv8-3level"},
      {"memslots", {{{"id", 0}, {"base_gfn", kSlotBaseGfn}, {"npages", npages},
                     {"hugepages", c.backing != "anonymous"}}}},
      {"vcpus", c.vcpus},
      {"workload", {{"kind", "memstress"}, {"bytes_per_vcpu", c.bytes_per_vcpu}, {"stride", c.stride},
                    {"write_percent", c.write_percent}, {"iterations", c.iterations}}},
      // The kernel profile decides BITS_PER_LONG, the flush placement, the fault path,
      // the mmu_lock kind and the flush instructions; the walker is upstream's
      // stage2_wp_range, and enabling drops mmu_lock between pmds
      // (stage2_apply_range_resched).
      {"kernel", c.kernel},
      {"dirty_log", c.hw_dirty == "none"
                        ? nlohmann::json{{"walker", "range"}, {"resched_lock", true}}
                        : nlohmann::json{{"walker", "range"}, {"resched_lock", true}, {"hw_dirty", c.hw_dirty}}},
      {"migration", {{"enabled", false}}},
      {"verify", {{"enabled", false}}},
  };
}

PerfTestResult run_perf_test(const SimConfig& cfg, const PerfTestCommand& c,
                             const std::function<void(const RunProgress&)>& progress) {
  PerfTestOptions opts;
  opts.iterations = c.iterations;
  opts.request = PerfTestRequest{c.kernel, c.manual_protect, c.dirty_ring_entries, c.eager_split_chunk};
  std::optional<Engine> engine;
  try {
    engine.emplace(cfg, nullptr, &opts);
  } catch (const std::invalid_argument& e) {
    // A request the kernel cannot serve (perf_test_unavailable), or a --set that
    // took the run away from what the driver drives (the workload, its
    // iterations, the migration thread).
    throw InputError("perf-test", e.what());
  }
  return engine->run(progress).perf;
}

std::uint64_t cycles_to_ns(std::uint64_t cycles, double clock_hz) {
  return static_cast<std::uint64_t>(std::llround(static_cast<long double>(cycles) * 1e9L / clock_hz));
}

}  // namespace s2sim::sim
