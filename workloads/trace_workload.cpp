// "trace": operations replayed from a file.
//
//   {"kind": "trace", "format": "native", "path": FILE}
//   {"kind": "trace", "format": "lackey", "path": FILE,
//    "include_instructions": false, "spread": "none" | "round_robin", "think_cycles": 0}
//
// A relative path is resolved against env.base_dir (the directory of the config
// that names it); "-" is standard input, and a FIFO is read as it is written. Plain,
// gzip and zstd files are told apart by their first bytes (byte_source.h). Both formats also take "read_ahead_ops" (default 2^20), the
// read-ahead bound of trace_demux.h. The file is opened and read up to its first
// operation here, so that a missing, unreadable or empty trace fails before the run.
#include <filesystem>
#include <memory>

#include "mmu/granule.h"
#include "workloads/builtin_workloads.h"
#include "workloads/lackey_trace.h"
#include "workloads/native_trace.h"
#include "workloads/workload_factory.h"

namespace s2sim::workloads {

std::string resolve_trace_path(const std::string& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (path == "-" || p.is_absolute() || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

void make_trace_paths_absolute(nlohmann::json& spec, const std::string& base_dir) {
  if (!spec.is_object()) return;
  if (spec.contains("kind") && spec["kind"] == "trace" && spec.contains("path") && spec["path"].is_string()) {
    const std::string path = resolve_trace_path(base_dir, spec["path"].get<std::string>());
    if (path != "-") spec["path"] = std::filesystem::absolute(path).lexically_normal().string();
  }
  if (spec.contains("phases") && spec["phases"].is_array())
    for (auto& phase : spec["phases"]) make_trace_paths_absolute(phase, base_dir);
}

std::vector<TraceInput> trace_inputs(const nlohmann::json& spec, const std::string& pointer, const std::string& base_dir) {
  std::vector<TraceInput> out;
  if (!spec.is_object()) return out;
  if (spec.contains("kind") && spec["kind"] == "trace" && spec.contains("path") && spec["path"].is_string())
    out.push_back({resolve_trace_path(base_dir, spec["path"].get<std::string>()), pointer + "/path"});
  if (spec.contains("phases") && spec["phases"].is_array()) {
    for (std::size_t i = 0; i < spec["phases"].size(); ++i)
      for (TraceInput& t : trace_inputs(spec["phases"][i], pointer + "/phases/" + std::to_string(i), base_dir))
        out.push_back(std::move(t));
  }
  return out;
}

void register_trace_workload(WorkloadRegistry& registry) {
  registry.add("trace", [](JsonReader& spec, const WorkloadEnv& env) -> std::unique_ptr<OpSource> {
    const std::string format = spec.get_enum("format", {"native", "lackey"});
    const std::string path = spec.get_string("path");
    const std::size_t read_ahead = spec.get_u64_or("read_ahead_ops", kDefaultReadAheadOps, 1, std::uint64_t{1} << 32);
    if (format == "native") {
      spec.reject_unknown();
      if (path.empty()) spec.fail("path", "must name a trace file");
      return open_native_trace(resolve_trace_path(env.base_dir, path), env, read_ahead);
    }
    LackeyOptions options;
    options.read_ahead_ops = read_ahead;
    options.include_instructions = spec.get_bool_or("include_instructions", false);
    options.spread = spec.get_enum_or("spread", "none", {"none", "round_robin"}) == "round_robin" ? LackeySpread::RoundRobin
                                                                                                : LackeySpread::None;
    options.think_cycles = spec.get_u64_or("think_cycles", 0, 0, kMaxThinkCycles);
    spec.reject_unknown();
    if (path.empty()) spec.fail("path", "must name a trace file");
    if (env.slot_npages < mmu::PMD_PAGES) {
      spec.fail_here("a lackey trace is placed in whole 2 MiB regions, but the memslot has only " +
                     std::to_string(env.slot_npages) + " pages");
    }
    return open_lackey_trace(resolve_trace_path(env.base_dir, path), env, options);
  });
}

}  // namespace s2sim::workloads
