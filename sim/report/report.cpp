#include "sim/report/report.h"

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "sim/engine/stop_rule.h"
#include "sim/report/hw_dirty_report.h"
#include "sim/timing/clock.h"
#include "util/input_error.h"
#include "util/version.h"
#include "workloads/workload_factory.h"

namespace s2sim::sim {

namespace {

// [L1, L2, DRAM], the order of the result JSON's "..._l1_l2_dram" arrays.
nlohmann::json by_cache_level(const CacheHits& h) { return nlohmann::json::array({h.l1, h.l2, h.dram}); }

// Milliseconds for the result JSON, rounded to the nanosecond: finer than any cost in
// the model, and short in the file (the shortest text that reads back as the double).
double json_ms(std::uint64_t cycles, double hz) { return std::round(Clock(hz).ms(cycles) * 1e6) / 1e6; }

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}

// True when the workload reads a trace (itself, or one of its phases).
bool reads_trace(const SimConfig& cfg) { return !workloads::trace_inputs(cfg.workload, "/workload", cfg.base_dir).empty(); }

// The dirty-log API's counts (DirtyApiStats), written only for runs that use one of
// today's APIs or eager splitting, so that plain get_dirty_log results keep their shape.
bool uses_api_of_today(const RunResult& r, const SimConfig& cfg) {
  return r.dirty_log_api != "get" || cfg.dirty_log.eager_split_chunk != 0;
}

nlohmann::json api_json(const DirtyApiStats& a, double hz) {
  return {{"clear_calls", a.clear_calls},
          {"clear_pages_protected", a.clear_pages_protected},
          {"clear_ms", json_ms(a.clear_cycles, hz)},
          {"ring_harvests", a.ring_harvests},
          {"ring_entries_harvested", a.ring_entries_harvested},
          {"ring_resets", a.ring_resets},
          {"ring_pages_protected", a.ring_pages_protected},
          {"ring_ms", json_ms(a.ring_cycles, hz)},
          {"soft_full_exits", a.soft_full_exits},
          {"blocks_split", a.blocks_split},
          {"split_chunks", a.split_chunks},
          {"split_topups", a.split_topups},
          {"split_ms", json_ms(a.split_cycles, hz)}};
}

}  // namespace

nlohmann::json result_json(const RunResult& r, const SimConfig& cfg) {
  using nlohmann::json;
  json j;
  const double hz = r.clock_hz;
  j["schema"] = "s2sim.result/1";
  j["s2sim"] = {{"version", version()}};
  j["seed"] = r.seed;
  j["config"] = to_json(cfg);
  j["guest"] = {{"ops", r.ops}, {"writes", r.writes}, {"reads", r.reads},
                {"distinct_pages_written", r.distinct_pages_written}, {"workload", r.workload},
                {"finished_cycles", r.guest_finished ? json(r.guest_finished_cycles) : json()},
                {"finished_ms", r.guest_finished ? json(json_ms(r.guest_finished_cycles, hz)) : json()},
                {"finished_round", r.guest_finished && r.guest_finished_round >= 0 ? json(r.guest_finished_round) : json()}};
  if (reads_trace(cfg))
    j["guest"]["trace"] = {{"lines_skipped", r.trace_lines_skipped}, {"regions_mapped", r.trace_regions_mapped}};
  j["tlb"] = {{"hits", r.tlb_hits}, {"misses", r.tlb_misses}, {"flush_all", r.flush_all},
              {"flush_ipa", r.flush_ipa}, {"entries_invalidated", r.tlb_entries_invalidated}};
  j["faults"] = {{"translation", r.translation_faults}, {"write_protect", r.write_protect_faults},
                 {"mmio", r.mmio_aborts}, {"abandoned", r.abandoned_accesses}};
  j["dirty_log"] = {{"walker", r.walker},
                    {"calls", r.get_dirty_log_calls},
                    {"pages_reported", r.pages_reported},
                    {"ptes_write_protected", r.wp.ptes_write_protected},
                    {"blocks_write_protected", r.wp.blocks_write_protected},
                    {"clean_pages_protected", r.wp.clean_pages_protected},
                    {"descriptor_loads", r.descriptor_loads()},
                    {"descriptor_stores", r.descriptor_stores()},
                    {"upper_level_loads", r.upper_level_loads()},
                    {"loads_by_level", r.dl_loads.by_level()},
                    {"loads_l1_l2_dram", by_cache_level(r.dl_loads_where)},
                    {"stores_l1_l2_dram", by_cache_level(r.dl_stores_where)},
                    {"cycles", r.dl_cycles},
                    {"ms", json_ms(r.dl_cycles, hz)},
                    {"enable_logging_cycles", r.enable_logging_cycles},
                    {"enable_logging_ms", json_ms(r.enable_logging_cycles, hz)}};
  const bool api = uses_api_of_today(r, cfg);
  if (api) {
    j["dirty_log"]["api"] = r.dirty_log_api;
    j["dirty_log"]["api_counts"] = api_json(r.api, hz);
  }
  json rounds = json::array();
  for (const auto& rd : r.rounds) {
    rounds.push_back({{"round", rd.round}, {"dirty_pages", rd.dirty_pages}, {"pages_sent", rd.pages_sent},
                      {"cycles", rd.cycles}, {"ms", json_ms(rd.cycles, hz)}, {"start_cycle", rd.start_cycle},
                      {"get_dirty_log_cycles", rd.get_dirty_log_cycles},
                      {"get_dirty_log_ms", json_ms(rd.get_dirty_log_cycles, hz)},
                      {"write_protect_faults", rd.guest_write_faults}, {"tlb_flushes", rd.tlb_flushes},
                      {"stop_and_copy", rd.stop_and_copy}});
    if (api) rounds.back()["api_counts"] = api_json(rd.api, hz);
  }
  j["migration"] = {{"enabled", r.migration_enabled}, {"rounds", rounds}, {"pages_sent_total", r.pages_sent_total},
                    {"downtime_pages", r.downtime_pages}, {"downtime_cycles", r.downtime_cycles},
                    {"downtime_ms", json_ms(r.downtime_cycles, hz)},
                    {"converged", r.converged}, {"stop_reason", r.stop_reason}, {"stop_detail", r.stop_detail},
                    {"warmup", {{"cycles", r.warmup.cycles}, {"ms", json_ms(r.warmup.cycles, hz)},
                                {"translation_faults", r.warmup.translation_faults},
                                {"write_protect_faults", r.warmup.write_protect_faults},
                                {"tlb_flushes", r.warmup.tlb_flushes}}}};
  json hazards = json::object();
  for (std::size_t k = 0; k < mmu::kHazardKinds; ++k) hazards[mmu::to_string(static_cast<mmu::HazardKind>(k))] = r.hazards[k];
  json lost = json::array();
  for (const auto& l : r.first_lost)
    lost.push_back({{"gfn", l.gfn}, {"source_version", l.source_version}, {"copied_version", l.copied_version},
                    {"last_write_cycle", l.last_write_cycle}, {"round", l.round}});
  j["verify"] = {{"enabled", r.verify_enabled}, {"checked_pages", r.checked_pages}, {"lost_writes", r.lost_writes},
                 {"ok", r.verify_ok()}, {"hazards", hazards}, {"first_lost", lost},
                 {"invariant_violations", r.invariant_violations}, {"abandoned_accesses", r.abandoned_accesses}};
  json vcpus = json::array();
  for (const auto& v : r.vcpu)
    vcpus.push_back({{"cycles", v.cycles}, {"ops", v.ops}, {"busy_cycles", v.busy_cycles},
                     {"idle_cycles", v.idle_cycles}, {"paused_cycles", v.paused_cycles},
                     {"mmu_lock_wait", v.mmu_lock_wait}, {"tlb_hits_micro", v.tlb.micro_hits},
                     {"tlb_hits_main", v.tlb.main_hits}, {"tlb_misses", v.tlb.misses}, {"walks", v.tlb.misses},
                     {"walk_cycles", v.walk_cycles}, {"walk_loads_by_level", v.walk_loads.by_level()},
                     {"walk_loads_l1_l2_dram", by_cache_level(v.walk_loads_where)}, {"fault_cycles", v.fault_cycles},
                     {"flushes_received", v.tlb.invalidations}});
  const GetDirtyLogPhases& ph = r.dl_phases;
  json migration_phases = {{"entry", ph.entry}, {"lock_wait", ph.lock_wait}, {"lock", ph.lock},
                           {"words", ph.words}, {"write_protect", ph.write_protect}, {"flush", ph.flush},
                           {"snapshot", ph.snapshot}, {"copy_out", ph.copy_out}, {"total", ph.total()}};
  if (cfg.dirty_log.hw_dirty != mmu::HwDirty::None) {
    migration_phases["hw_sync"] = ph.hw_sync;
    j["hw_dirty"] = hw_dirty_json(r.hw_dirty, cfg.dirty_log.hw_dirty, hz);
  }
  j["cycles"] = {{"total", r.total_cycles}, {"migration", r.migration_cycles}, {"mmu_lock_wait", r.mmu_lock_wait},
                 {"clock_hz", r.clock_hz}, {"vcpu", vcpus}, {"migration_phases", migration_phases}};
  // The same spans in milliseconds of simulated time (cycles / clock_hz).
  j["time_ms"] = {{"total", json_ms(r.total_cycles, hz)}, {"migration", json_ms(r.migration_cycles, hz)},
                  {"mmu_lock_wait", json_ms(r.mmu_lock_wait, hz)}};
  j["host"] = {{"unmaps", r.host_unmaps}};
  return j;
}

void print_report(std::ostream& out, const RunResult& r, const SimConfig& cfg) {
  const double hz = r.clock_hz;
  const Clock clock(hz);
  out << "s2sim run: " << cfg.file << "  seed " << r.seed << "  walker " << r.walker << "\n";
  // After --set the config's comment may describe another run: name what changed.
  if (!cfg.overrides.empty()) {
    out << "  with --set";
    for (std::size_t i = 0; i < cfg.overrides.size(); ++i) out << (i ? ", " : " ") << cfg.overrides[i];
    out << " (the config's comment is not shown: it describes the run without them)\n";
  } else if (!cfg.comment.empty()) {
    out << "  " << cfg.comment << "\n";
  }
  out << "  machine " << cfg.machine.name << " @ " << fixed(hz / 1e9, 2) << " GHz, geometry " << cfg.geometry.name
      << ", " << cfg.vcpus << " vCPU(s), workload " << r.workload << "\n\n";

  if (r.migration_enabled) {
    const WarmupStats& w = r.warmup;
    out << "warm-up before the migration (" << fixed(clock.ms(w.cycles), 3) << " ms): " << w.translation_faults
        << " translation faults, " << w.write_protect_faults << " write-protect faults, " << w.tlb_flushes
        << " flushes (not in round 0)\n";
    out << "round  dirty pages  pages sent      cycles     time ms  gdl ms  wp faults  flushes\n";
    for (const auto& rd : r.rounds) {
      char line[160];
      std::snprintf(line, sizeof line, "%5u%s %11llu %11llu %12llu %10.2f %7.3f %10llu %8llu\n", rd.round,
                    rd.stop_and_copy ? "*" : " ", static_cast<unsigned long long>(rd.dirty_pages),
                    static_cast<unsigned long long>(rd.pages_sent), static_cast<unsigned long long>(rd.cycles),
                    clock.ms(rd.cycles), clock.ms(rd.get_dirty_log_cycles),
                    static_cast<unsigned long long>(rd.guest_write_faults),
                    static_cast<unsigned long long>(rd.tlb_flushes));
      out << line;
    }
    // The starred round opens with the last pre-copy get_dirty_log while the vCPUs
    // still run (its faults and flushes count here); the stop rule then pauses them
    // (a vCPU inside a fault finishes it first) for the final call and the last send.
    out << "  (* stop-and-copy: the vCPUs run through the round's first get_dirty_log, then pause; gdl = "
           "get_dirty_log)\n\n";
    if (uses_api_of_today(r, cfg)) {
      out << "dirty_log.api " << r.dirty_log_api
          << "\nround  clear calls  clear protected  ring harvests  ring entries  soft-full exits  blocks split\n";
      for (const auto& rd : r.rounds) {
        char line[160];
        std::snprintf(line, sizeof line, "%5u%s %11llu %16llu %14llu %13llu %16llu %13llu\n", rd.round,
                      rd.stop_and_copy ? "*" : " ", static_cast<unsigned long long>(rd.api.clear_calls),
                      static_cast<unsigned long long>(rd.api.clear_pages_protected),
                      static_cast<unsigned long long>(rd.api.ring_harvests),
                      static_cast<unsigned long long>(rd.api.ring_entries_harvested),
                      static_cast<unsigned long long>(rd.api.soft_full_exits),
                      static_cast<unsigned long long>(rd.api.blocks_split));
        out << line;
      }
      out << "  (eager splitting at enable time counts in round 0)\n\n";
    }
    // Phase times named as KVM's dirty_log_perf_test names them, all in ms. Its
    // "Iteration N dirty memory time" (the guest's pass over its memory) has no
    // counterpart here: the guest does not run in passes, so it is not printed.
    out << "Enabling dirty logging time: " << fixed(clock.ms(r.enable_logging_cycles), 3) << " ms\n";
    std::uint64_t gdl = 0;
    const std::uint64_t calls = r.get_dirty_log_calls;
    for (const auto& rd : r.rounds) {
      if (rd.round == 0) continue;
      out << "Iteration " << rd.round << " get dirty log time: " << fixed(clock.ms(rd.get_dirty_log_cycles), 3)
          << " ms" << (rd.stop_and_copy ? " (stop-and-copy: the last pre-copy call and the final one)" : "") << "\n";
      gdl += rd.get_dirty_log_cycles;
    }
    out << "Get dirty log over " << calls << " iterations took " << fixed(clock.ms(gdl), 3) << " ms";
    if (calls) out << " (avg " << fixed(clock.ms(gdl) / static_cast<double>(calls), 3) << " ms/iteration)";
    out << "\n\n";
  }

  const double hit_rate = r.tlb_hits + r.tlb_misses ? 100.0 * static_cast<double>(r.tlb_hits) /
                                                          static_cast<double>(r.tlb_hits + r.tlb_misses)
                                                    : 0.0;
  out << "guest:      " << r.ops << " ops (" << r.writes << " writes, " << r.reads << " reads), "
      << r.distinct_pages_written << " distinct pages written\n";
  if (reads_trace(cfg)) {
    out << "trace:      " << r.trace_lines_skipped << " line(s) skipped (not operations)";
    if (r.trace_regions_mapped)
      out << ", " << r.trace_regions_mapped << " distinct 2 MiB region(s) of trace addresses mapped into the memslot";
    out << "\n";
  }
  out << "tlb:        hit rate " << fixed(hit_rate, 2) << " %, " << r.tlb_misses << " walks, " << r.flush_all
      << " flush-all, " << r.flush_ipa << " flush-ipa requests\n";
  out << "faults:     " << r.translation_faults << " translation, " << r.write_protect_faults << " write-protect";
  if (r.mmio_aborts) out << ", " << r.mmio_aborts << " mmio";
  if (r.abandoned_accesses) out << ", " << r.abandoned_accesses << " ABANDONED (no progress after repeated faults)";
  out << "\n";
  out << "mmu_lock:   " << r.mmu_lock_wait << " cycles waited in total\n";
  out << "dirty log:  " << r.get_dirty_log_calls << " calls, " << r.pages_reported << " pages reported, "
      << r.wp.ptes_write_protected << " ptes + " << r.wp.blocks_write_protected << " blocks protected";
  if (r.wp.clean_pages_protected) out << " (" << r.wp.clean_pages_protected << " clean)";
  out << ", " << r.dl_cycles << " cycles\n";
  out << "            descriptor loads " << r.descriptor_loads() << " (by level 0-3: " << r.dl_loads.level0() << " "
      << r.dl_loads.level1() << " " << r.dl_loads.level2() << " " << r.dl_loads.level3() << "; upper " << r.upper_level_loads()
      << "), stores " << r.descriptor_stores() << "\n";
  if (r.migration_enabled) {
    out << "migration:  " << r.pages_sent_total << " pages sent in " << r.rounds.size() << " rounds, downtime "
        << r.downtime_pages << " pages / " << fixed(clock.ms(r.downtime_cycles), 3) << " ms, "
        << (r.converged ? "converged (" : "did NOT converge (" + r.stop_reason + ": ") << r.stop_detail << ")\n";
    if (r.stop_reason == kStopGuestFinished)
      out << "warning:    the guest ran out of work at " << fixed(clock.ms(r.guest_finished_cycles), 3) << " ms ("
          << (r.guest_finished_round >= 0 ? "round " + std::to_string(r.guest_finished_round) : std::string("before the migration"))
          << ") before the stop rule fired: nothing dirtied memory after that, so this is not a converged migration\n";
  }
  std::uint64_t hz_total = 0;
  for (auto h : r.hazards) hz_total += h;
  out << "hazards:    " << hz_total;
  for (std::size_t k = 0; k < mmu::kHazardKinds; ++k)
    if (r.hazards[k]) out << "  " << mmu::to_string(static_cast<mmu::HazardKind>(k)) << "=" << r.hazards[k];
  out << "\n";
  out << "time:       " << fixed(clock.ms(r.total_cycles), 3) << " ms simulated (" << r.total_cycles << " cycles)\n\n";

  if (!r.verify_enabled) {
    out << "verify: off\n";
    return;
  }
  if (r.verify_ok()) {
    out << "verify: OK — " << r.checked_pages << " pages checked (" << r.distinct_pages_written
        << " distinct pages written), no write lost\n";
    return;
  }
  out << "verify: FAILED — " << r.lost_writes << " lost write(s) in " << r.checked_pages << " pages";
  if (r.invariant_violations) out << ", " << r.invariant_violations << " invariant violation(s)";
  if (r.abandoned_accesses) out << ", " << r.abandoned_accesses << " guest access(es) abandoned";
  out << "\n";
  for (const auto& l : r.first_lost)
    out << "  gfn 0x" << std::hex << l.gfn << std::dec << ": source version " << l.source_version << ", copied "
        << l.copied_version << ", last written at cycle ~" << l.last_write_cycle << " (round " << l.round << ")\n";
  for (const auto& s : r.first_invariant_violations) out << "  invariant: " << s << "\n";
}

}  // namespace s2sim::sim
