#include "sim/cli/cmd_run.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "mmu/dbm.h"
#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/config/config.h"
#include "sim/config/config_file.h"
#include "sim/config/scenarios.h"
#include "sim/engine/engine.h"
#include "sim/report/csv_row.h"
#include "sim/report/html_report.h"
#include "sim/report/report.h"
#include "sim/report/trace_events.h"
#include "sim/timing/clock.h"
#include "util/input_error.h"
#include "util/parse_number.h"
#include "workloads/byte_source.h"
#include "workloads/workload_factory.h"

namespace s2sim::sim {

namespace {

struct RunArgs {
  std::string config_path;  // resolved: a file, or empty for the built-in default
  std::string config_name;  // as given: a path or a scenario name (page titles)
  std::vector<std::string> sets;
  std::optional<std::uint64_t> seed;
  std::string json_path;
  std::string csv_path;     // --csv FILE: one flattened row per run
  bool host_time = false;   // --host-time: host_seconds in the result JSON (not reproducible, so opt-in)
  std::string html_path;
  std::string trace_path;  // run only: --trace-events FILE
  std::optional<std::uint64_t> trace_limit;  // run only: --trace-events-limit N
  bool quiet = false;
  double heartbeat_s = ProgressReporter::kDefaultHeartbeatSeconds;
  std::vector<std::string> walkers;  // compare only
  std::vector<std::string> apis;     // compare only: dirty_log.api per run instead of the walker
  std::vector<std::string> hw_modes; // compare only: dirty_log.hw_dirty per run instead of the walker
};

RunArgs parse_args(const std::vector<std::string>& args, const char* cmd, bool compare) {
  RunArgs r;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw InputError(cmd, a + " needs a value");
      return args[++i];
    };
    // An output option names a file; an empty name is a mistake, not "no file".
    auto output = [&]() -> const std::string& {
      const std::string& v = value();
      if (v.empty()) throw InputError(std::string(cmd) + " " + a, "an empty file name (use - for standard output)");
      return v;
    };
    if (a == "--set") r.sets.push_back(value());
    else if (a.rfind("--set=", 0) == 0) r.sets.push_back(a.substr(6));
    else if (a == "--seed") {
      const std::string& v = value();
      r.seed = parse_u64(v);
      if (!r.seed) throw InputError(std::string(cmd) + " --seed", "\"" + v + "\" is not a non-negative integer");
    } else if (a == "--json") r.json_path = output();
    else if (a == "--csv") r.csv_path = output();
    else if (a == "--host-time") r.host_time = true;
    else if (a == "--html") r.html_path = output();
    else if (a == "--heartbeat") {
      const std::string& v = value();
      char* end = nullptr;
      const double s = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(s >= 0) || s > 86400)
        throw InputError(std::string(cmd) + " --heartbeat", "\"" + v + "\" is not a number of seconds in [0, 86400]");
      r.heartbeat_s = s;
    }
    else if (!compare && a == "--trace-events") r.trace_path = output();
    else if (!compare && a == "--trace-events-limit") {
      const std::string& v = value();
      r.trace_limit = parse_u64(v);
      if (!r.trace_limit || *r.trace_limit == 0)
        throw InputError(std::string(cmd) + " --trace-events-limit", "\"" + v + "\" is not a positive integer");
    }
    else if (a == "--quiet" || a == "-q") r.quiet = true;
    else if (compare && a == "--walkers") {
      std::stringstream ss(value());
      for (std::string w; std::getline(ss, w, ',');) r.walkers.push_back(w);
    } else if (compare && a == "--apis") {
      std::stringstream ss(value());
      for (std::string w; std::getline(ss, w, ',');) r.apis.push_back(w);
    } else if (compare && a == "--hw-dirty") {
      std::stringstream ss(value());
      for (std::string w; std::getline(ss, w, ',');) r.hw_modes.push_back(w);
    } else if (!a.empty() && a[0] == '-') {
      throw InputError(cmd, "unknown option \"" + a + "\"");
    } else if (r.config_path.empty()) {
      r.config_path = a;
    } else {
      throw InputError(cmd, "more than one config given (\"" + r.config_path + "\", \"" + a + "\")");
    }
  }
  if (r.trace_limit && r.trace_path.empty())
    throw InputError(std::string(cmd) + " --trace-events-limit", "needs --trace-events FILE");
  r.config_name = r.config_path.empty() ? "<built-in default>" : r.config_path;
  r.config_path = resolve_config_arg(r.config_path);
  return r;
}

// Every output file asked for, by option.
std::vector<std::pair<std::string, std::string>> outputs(const RunArgs& a) {
  std::vector<std::pair<std::string, std::string>> o;
  const std::pair<const char*, const std::string*> all[] = {
      {"--json", &a.json_path}, {"--csv", &a.csv_path}, {"--html", &a.html_path}, {"--trace-events", &a.trace_path}};
  for (const auto& [option, path] : all)
    if (!path->empty()) o.emplace_back(option, *path);
  return o;
}

// Before anything runs: every output can be written, and none is an input (the
// config, its machine file or a trace) it would overwrite.
void check_run_outputs(const RunArgs& a, const SimConfig& cfg) {
  std::vector<std::string> inputs = files_read();  // the config and its machine file
  inputs.push_back(a.config_path);
  for (const workloads::TraceInput& t : workloads::trace_inputs(cfg.workload, "/workload", cfg.base_dir))
    inputs.push_back(t.path);
  check_outputs(outputs(a), inputs);
}

// The timeline is held in memory until it is written: each kept event's text, the
// string's growth and the copy written out, about 768 bytes an event at most. A
// --trace-events-limit whose events cannot fit memory_limit_mib beside the run is refused.
void check_timeline_memory(const RunArgs& a, const SimConfig& cfg) {
  constexpr std::uint64_t kBytesPerEvent = 768;
  const std::uint64_t limit_bytes = cfg.memory_limit_mib << 20, run_bytes = estimate_memory_bytes(cfg);
  if (!a.trace_path.empty() && a.trace_limit &&
      *a.trace_limit > (limit_bytes - std::min(limit_bytes, run_bytes)) / kBytesPerEvent)
    throw InputError("run --trace-events-limit",
                     std::to_string(*a.trace_limit) + " events would need about " +
                         std::to_string((*a.trace_limit / 1024 * kBytesPerEvent) >> 10) +
                         " MiB of host memory, beyond the run's memory_limit_mib of " +
                         std::to_string(cfg.memory_limit_mib) + " MiB (at most " +
                         std::to_string((limit_bytes - std::min(limit_bytes, run_bytes)) / kBytesPerEvent) +
                         " events fit)");
}

SimConfig load(const RunArgs& a) {
  nlohmann::json doc = load_config_json(a.config_path);
  for (const auto& s : a.sets) apply_override(doc, s);
  if (a.seed) doc["seed"] = *a.seed;
  const std::string file = a.config_path.empty() ? "<built-in default>" : a.config_path;
  std::string base = configs_dir();
  if (!a.config_path.empty()) {
    const auto parent = std::filesystem::path(a.config_path).parent_path();
    base = parent.empty() ? "." : parent.string();
  }
  SimConfig cfg = parse_config(doc, file, base);
  for (const auto& s : a.sets) cfg.overrides.push_back(s.substr(0, s.find('=')));
  return cfg;
}

RunResult simulate(const SimConfig& cfg, const RunArgs& a, const std::string& label, TraceEvents* trace = nullptr) {
  Engine engine(cfg, trace);
  ProgressReporter progress(label, a.quiet, a.heartbeat_s);
  return engine.run(progress.callback());
}

// compare runs the workload once per walker: a trace it reads must be a file.
void require_rereadable_traces(const SimConfig& cfg) {
  for (const workloads::TraceInput& t : workloads::trace_inputs(cfg.workload, "/workload", cfg.base_dir)) {
    if (workloads::is_one_shot_input(t.path))
      throw InputError(cfg.file + ": " + t.pointer, "compare reads the trace once per walker, but \"" + t.path +
                                                        "\" is a pipe (standard input or a FIFO) that can be read only "
                                                        "once: write the trace to a file");
  }
}

// What the timeline lost to its event limit, in one line.
std::string trace_limit_note(const TraceEvents& t) {
  std::ostringstream o;
  o << "the event limit (" << t.limit() << ") was reached at " << std::fixed << std::setprecision(3)
    << static_cast<double>(t.limit_cycle()) / t.clock_hz() * 1e3 << " ms: " << t.dropped()
    << " later vCPU and host events were dropped (the migration's round, get_dirty_log and send events are all "
       "kept); raise it with --trace-events-limit";
  return o.str();
}

int exit_status(const RunResult& r) { return r.verify_ok() ? kExitOk : kExitLostWrites; }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The result JSON of one run; with --host-time it also says how long the run took on
// the host, in seconds (rounded to the millisecond) -- the one member that differs
// between two runs of the same config and seed.
nlohmann::json result_with_host_time(const RunResult& r, const SimConfig& cfg, const RunArgs& a, double host_s) {
  nlohmann::json j = result_json(r, cfg);
  if (a.host_time) j["host_seconds"] = round_seconds(host_s);
  return j;
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  const auto start = std::chrono::steady_clock::now();
  const RunArgs a = parse_args(args, "run", false);
  const SimConfig cfg = load(a);
  check_run_outputs(a, cfg);
  check_timeline_memory(a, cfg);
  std::optional<TraceEvents> trace;
  if (!a.trace_path.empty()) trace.emplace(cfg.machine.clock_hz, a.trace_limit.value_or(TraceEvents::kDefaultLimit));
  const RunResult r = simulate(cfg, a, "", trace ? &*trace : nullptr);
  const double host_s = seconds_since(start);
  if (!a.quiet) print_report(std::cout, r, cfg);
  if (trace && trace->truncated()) {
    // Said on stderr always, and in the report when there is one.
    const std::string note = trace_limit_note(*trace);
    std::cerr << "warning: --trace-events: " << note << "\n";
    if (!a.quiet) std::cout << "timeline:   " << note << "\n";
  }
  const nlohmann::json result = result_with_host_time(r, cfg, a, host_s);
  std::vector<OutputFile> files;
  if (!a.json_path.empty()) files.push_back({a.json_path, result.dump(2) + "\n"});
  if (!a.csv_path.empty())
    files.push_back({a.csv_path, csv_header({}) + csv_line(csv_run_cells(&result, r.seed, exit_status(r), host_s))});
  if (!a.html_path.empty()) files.push_back({a.html_path, run_report_html("s2sim run: " + a.config_name, result)});
  if (trace) files.push_back({a.trace_path, trace->json()});
  write_outputs(files);
  return exit_status(r);
}

// compare --apis: the dirty-log APIs side by side, what each did and what it cost.
void print_api_table(const std::vector<RunResult>& results) {
  std::cout << "api    migration ms  downtime ms  gdl calls  clear calls  clear prot  ring harvests  soft-full  "
               "blocks split  wp faults  lock wait ms  lost\n";
  for (const auto& r : results) {
    const Clock clock(r.clock_hz);
    char line[240];
    std::snprintf(line, sizeof line, "%-6s %12.3f %12.3f %10llu %12llu %11llu %14llu %10llu %13llu %10llu %13.3f %5llu\n",
                  r.dirty_log_api.c_str(), clock.ms(r.migration_cycles), clock.ms(r.downtime_cycles),
                  static_cast<unsigned long long>(r.get_dirty_log_calls),
                  static_cast<unsigned long long>(r.api.clear_calls),
                  static_cast<unsigned long long>(r.api.clear_pages_protected),
                  static_cast<unsigned long long>(r.api.ring_harvests),
                  static_cast<unsigned long long>(r.api.soft_full_exits),
                  static_cast<unsigned long long>(r.api.blocks_split),
                  static_cast<unsigned long long>(r.write_protect_faults), clock.ms(r.mmu_lock_wait),
                  static_cast<unsigned long long>(r.lost_writes));
    std::cout << line;
  }
}

// compare --hw-dirty: the hardware dirty-state mechanisms side by side.
void print_hw_dirty_table(const std::vector<RunResult>& results, const std::vector<std::string>& modes) {
  std::cout << "hw_dirty  migration ms  downtime ms  pages sent  wp faults  hw updates  sync ms  hacdbs cleaned  "
               "hacdbs ms  lost\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const RunResult& r = results[i];
    const Clock clock(r.clock_hz);
    char line[240];
    std::snprintf(line, sizeof line, "%-8s %13.3f %12.3f %11llu %10llu %11llu %8.3f %15llu %10.3f %5llu\n",
                  modes[i].c_str(), clock.ms(r.migration_cycles), clock.ms(r.downtime_cycles),
                  static_cast<unsigned long long>(r.pages_sent_total),
                  static_cast<unsigned long long>(r.write_protect_faults),
                  static_cast<unsigned long long>(r.hw_dirty.hw_updates), clock.ms(r.hw_dirty.sync_cycles),
                  static_cast<unsigned long long>(r.hw_dirty.hacdbs_cleaned), clock.ms(r.hw_dirty.hacdbs_cycles),
                  static_cast<unsigned long long>(r.lost_writes));
    std::cout << line;
  }
}

int cmd_compare(const std::vector<std::string>& args) {
  RunArgs a = parse_args(args, "compare", true);
  if (!a.walkers.empty() + !a.apis.empty() + !a.hw_modes.empty() > 1)
    throw InputError("compare", "--walkers, --apis and --hw-dirty each pick what varies: give one of them");
  const bool by_api = !a.apis.empty(), by_hw = !a.hw_modes.empty();
  if (!by_api && !by_hw && a.walkers.empty()) a.walkers = mmu::wp_walker_names();
  for (const auto& w : a.walkers)
    if (!mmu::make_wp_walker(w)) throw InputError("compare --walkers", "unknown walker \"" + w + "\"");
  for (const auto& w : a.apis)
    if (w != "get" && w != "clear" && w != "ring")
      throw InputError("compare --apis", "unknown dirty-log API \"" + w + "\" (expected get, clear or ring)");
  for (const auto& w : a.hw_modes)
    if (!mmu::hw_dirty_from_string(w))
      throw InputError("compare --hw-dirty",
                       "unknown mode \"" + w + "\" (expected " + std::string(mmu::kHwDirtyNames) + ")");
  const std::vector<std::string>& variants = by_api ? a.apis : by_hw ? a.hw_modes : a.walkers;
  const std::string key = by_api ? "dirty_log.api" : by_hw ? "dirty_log.hw_dirty" : "dirty_log.walker";
  nlohmann::json runs = nlohmann::json::array();
  std::vector<RunResult> results;
  // The CSV: one row per walker (or API, or mechanism), that as the identifying column.
  std::string csv = csv_header({key});
  std::vector<ReportPoint> points;
  SimConfig base;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const std::string& w = variants[i];
    const auto start = std::chrono::steady_clock::now();
    RunArgs one = a;
    one.sets.push_back(key + "=\"" + w + "\"");
    const SimConfig cfg = load(one);
    if (i == 0) {
      require_rereadable_traces(cfg);
      check_run_outputs(a, cfg);
    }
    base = cfg;
    const std::string label = (by_api ? "api " : by_hw ? "hw_dirty " : "walker ") + w + " (" +
                              std::to_string(i + 1) + "/" + std::to_string(variants.size()) + ")";
    results.push_back(simulate(cfg, a, label));
    const double host_s = seconds_since(start);
    runs.push_back(result_with_host_time(results.back(), cfg, a, host_s));
    points.push_back({{w}, runs.back(), ""});
    std::vector<std::string> row = {w};
    for (std::string& c : csv_run_cells(&runs.back(), cfg.seed, exit_status(results.back()), host_s))
      row.push_back(std::move(c));
    csv += csv_line(row);
  }
  std::vector<OutputFile> files;
  if (!a.json_path.empty())
    files.push_back({a.json_path, nlohmann::json{{"schema", "s2sim.compare/1"}, {"runs", runs}}.dump(2) + "\n"});
  if (!a.csv_path.empty()) files.push_back({a.csv_path, csv});
  if (!a.html_path.empty()) files.push_back({a.html_path, compare_report_html("s2sim compare: " + a.config_name, points)});
  write_outputs(files);
  int status = kExitOk;
  for (const auto& r : results)
    if (!r.verify_ok()) status = kExitLostWrites;
  if (a.quiet) return status;
  std::cout << "s2sim compare: " << base.file << "  seed " << base.seed << "\n\n";
  if (by_api) {
    print_api_table(results);
    return status;
  }
  if (by_hw) {
    print_hw_dirty_table(results, a.hw_modes);
    return status;
  }
  std::cout << "walker      dirty-log cycles  upper loads  desc loads  stores  wp faults  clean prot  lost  hazards\n";
  for (const auto& r : results) {
    std::uint64_t hazards = 0;
    for (auto h : r.hazards) hazards += h;
    char line[200];
    std::snprintf(line, sizeof line, "%-10s %17llu %12llu %11llu %7llu %10llu %11llu %5llu %8llu\n", r.walker.c_str(),
                  static_cast<unsigned long long>(r.dl_cycles), static_cast<unsigned long long>(r.upper_level_loads()),
                  static_cast<unsigned long long>(r.descriptor_loads()),
                  static_cast<unsigned long long>(r.descriptor_stores()),
                  static_cast<unsigned long long>(r.write_protect_faults),
                  static_cast<unsigned long long>(r.wp.clean_pages_protected),
                  static_cast<unsigned long long>(r.lost_writes), static_cast<unsigned long long>(hazards));
    std::cout << line;
  }
  return status;
}

}  // namespace s2sim::sim
