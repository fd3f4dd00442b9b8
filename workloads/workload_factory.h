// Workloads chosen by name. Every kind (each generator, "trace", "phases") registers
// a factory under its name; the config's "kind" picks one, so callers never switch
// over kinds and a new generator is one new file plus one line in the built-in list.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/json_reader.h"
#include "util/registry.h"
#include "workloads/guest_op.h"

namespace s2sim::workloads {

// Builds a workload from its spec. The reader is positioned at the spec object with
// "kind" already read; the factory reads its own keys, calls reject_unknown() once it
// has read them all, and then validates everything it can (region inside the memslot,
// trace file readable, ...) so that a run never fails half-way over a config error.
using WorkloadFactory = std::function<std::unique_ptr<OpSource>(JsonReader& spec, const WorkloadEnv& env)>;

// Kinds by name, in the shape walkers and stop rules share (util/registry.h):
// registering a kind twice throws std::logic_error.
using WorkloadRegistry = util::Registry<WorkloadFactory>;

// The process-wide registry, holding the built-in kinds from first use on. More
// kinds may be added at start-up (it is not synchronized).
WorkloadRegistry& workload_registry();

// Builds the workload described by `spec`, found at JSON pointer `pointer` (e.g.
// "/workload") of env.config_file. Every config error is an InputError naming
// "config_file: /pointer/key"; an unknown kind suggests the closest known one.
std::unique_ptr<OpSource> make_workload(const nlohmann::json& spec, const std::string& pointer, const WorkloadEnv& env);

// Names of all registered kinds, sorted.
std::vector<std::string> workload_kinds();

// A trace a workload spec reads (the spec itself, or one of its phases): its path as
// the trace reader opens it, and the JSON pointer of its "path" key.
struct TraceInput {
  std::string path;
  std::string pointer;
};
std::vector<TraceInput> trace_inputs(const nlohmann::json& spec, const std::string& pointer, const std::string& base_dir);

// Rewrites every trace path of `spec` (phases included) as an absolute path, so that
// the resolved config in a result replays from any directory it is saved to.
void make_trace_paths_absolute(nlohmann::json& spec, const std::string& base_dir);

// A trace path as the reader opens it: "-" (standard input) and absolute paths as
// they are, a relative one against base_dir (the directory of the config naming it).
std::string resolve_trace_path(const std::string& base_dir, const std::string& path);

}  // namespace s2sim::workloads
