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

}  // namespace s2sim::workloads
