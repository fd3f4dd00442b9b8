#include "sim/report/perf_report.h"

#include <cmath>
#include <cstdio>

#include "sim/report/hw_dirty_report.h"

namespace s2sim::sim {

std::string format_timespec(std::uint64_t ns) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%llu.%.9llus", static_cast<unsigned long long>(ns / 1'000'000'000),
                static_cast<unsigned long long>(ns % 1'000'000'000));
  return buf;
}

namespace {

double seconds(std::uint64_t ns) { return static_cast<double>(ns) / 1e9; }

// "Get dirty log over 2 iterations took 0.000123456s. (Avg 0.000061728s/iteration)":
// the total, then timespec_div's truncating average.
std::string over_line(const char* what, unsigned iterations, std::uint64_t total_ns) {
  return std::string(what) + " over " + std::to_string(iterations) + " iterations took " + format_timespec(total_ns) +
         ". (Avg " + format_timespec(total_ns / iterations) + "/iteration)\n";
}

}  // namespace

void print_perf_lines(std::ostream& out, const PerfTestResult& r, const PerfTestCommand& cmd, double clock_hz) {
  const auto ns = [&](std::uint64_t cycles) { return cycles_to_ns(cycles, clock_hz); };
  out << "Populate memory time: " << format_timespec(ns(r.populate_cycles)) << "\n";
  out << "Enabling dirty logging time: " << format_timespec(ns(r.enable_logging_cycles)) << "\n\n";
  std::uint64_t get_total = 0, clear_total = 0;
  const bool ring = cmd.dirty_ring_entries != 0;
  for (const PerfIteration& it : r.iterations) {
    const std::string n = std::to_string(it.iteration);
    out << "Iteration " << n << " dirty memory time: " << format_timespec(ns(it.dirty_memory_cycles)) << "\n";
    if (ring) {
      // Our extension: the selftest has no ring mode, so these lines are s2sim's own.
      out << "Iteration " << n << " collect dirty ring time: " << format_timespec(ns(it.ring_collect_cycles)) << " ("
          << it.ring_collections << (it.ring_collections == 1 ? " collection, " : " collections, ")
          << it.soft_full_exits << " soft-full exits)\n";
      get_total += ns(it.ring_collect_cycles);
      continue;
    }
    out << "Iteration " << n << " get dirty log time: " << format_timespec(ns(it.get_dirty_log_cycles)) << "\n";
    get_total += ns(it.get_dirty_log_cycles);
    if (cmd.manual_protect) {
      out << "Iteration " << n << " clear dirty log time: " << format_timespec(ns(it.clear_dirty_log_cycles)) << "\n";
      clear_total += ns(it.clear_dirty_log_cycles);
    }
  }
  out << "Disabling dirty logging time: " << format_timespec(ns(r.disable_logging_cycles)) << "\n\n";
  const unsigned n = static_cast<unsigned>(r.iterations.size());
  if (n == 0) return;
  out << over_line(ring ? "Collect dirty ring" : "Get dirty log", n, get_total);
  if (cmd.manual_protect && !ring) out << over_line("Clear dirty log", n, clear_total);
}

nlohmann::json perf_json(const PerfTestResult& r, const PerfTestCommand& cmd, const SimConfig& cfg) {
  const double hz = cfg.machine.clock_hz;
  const auto s = [&](std::uint64_t cycles) { return seconds(cycles_to_ns(cycles, hz)); };
  nlohmann::json iterations = nlohmann::json::array();
  const bool ring = cmd.dirty_ring_entries != 0;  // GET and CLEAR are not called (null)
  for (const PerfIteration& it : r.iterations) {
    iterations.push_back({
        {"iteration", it.iteration},
        {"dirty_memory_s", s(it.dirty_memory_cycles)},
        {"get_dirty_log_s", ring ? nlohmann::json() : nlohmann::json(s(it.get_dirty_log_cycles))},
        {"clear_dirty_log_s",
         cmd.manual_protect && !ring ? nlohmann::json(s(it.clear_dirty_log_cycles)) : nlohmann::json()},
        {"dirty_pages", it.dirty_pages},
        {"faults", {{"translation", it.translation_faults}, {"write_protect", it.write_protect_faults},
                    {"split", it.split_faults}}},
        {"tlbi", {{"broadcast", it.tlbi_broadcast}, {"local", it.tlbi_local}}},
        {"mmu_lock_wait_s", s(it.mmu_lock_wait_cycles)},
    });
    if (ring)
      iterations.back()["dirty_ring"] = {{"collect_s", s(it.ring_collect_cycles)},
                                         {"collections", it.ring_collections},
                                         {"soft_full_exits", it.soft_full_exits}};
    if (cfg.dirty_log.hw_dirty != mmu::HwDirty::None)
      iterations.back()["hw_dirty"] = {{"hw_updates", it.hw_updates}, {"hdbss_full_traps", it.hdbss_full_traps}};
    if (cfg.dirty_log.hw_dirty == mmu::HwDirty::Hacdbs) iterations.back()["hw_dirty"]["hacdbs_cleaned"] = it.hacdbs_cleaned;
  }
  const nlohmann::json command = {
      {"vcpus", cmd.vcpus},
      {"bytes_per_vcpu", cmd.bytes_per_vcpu},
      {"iterations", cmd.iterations},
      {"backing", cmd.backing},
      {"write_percent", cmd.write_percent},
      {"manual_protect", cmd.manual_protect},
      {"stride", cmd.stride},
      {"eager_split_chunk", cmd.eager_split_chunk},
      {"dirty_ring_entries", cmd.dirty_ring_entries},
      {"machine", cmd.machine},
      {"kernel", cmd.kernel},
  };
  nlohmann::json cmd_json = command;
  if (cmd.hw_dirty != "none") cmd_json["hw_dirty"] = cmd.hw_dirty;
  nlohmann::json out = {{"schema", "s2sim.perf/1"},
                        {"perf_test", cmd_json},
                        {"config", to_json(cfg)},
                        {"populate_s", s(r.populate_cycles)},
                        {"enable_logging_s", s(r.enable_logging_cycles)},
                        {"disable_logging_s", s(r.disable_logging_cycles)},
                        {"iterations", iterations}};
  if (cfg.dirty_log.hw_dirty != mmu::HwDirty::None)
    out["hw_dirty"] = hw_dirty_json(r.hw_dirty, cfg.dirty_log.hw_dirty, cfg.machine.clock_hz);
  return out;
}

}  // namespace s2sim::sim
