// A run's configuration: parsed strictly from JSON (every error names the file and
// the JSON pointer, an unknown key gets a "did you mean"), filled with defaults, and
// written back fully resolved into every result so that any run can be replayed from
// its result file. The keys themselves are declared in config_fields.h.
//
// This header is the config layer's front door: it also brings in reading files
// (config_file.h), --set overrides (config_override.h), the memory estimate
// (memory_estimate.h) and the workload's environment (workload_env.h).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sim/config/config_file.h"
#include "sim/config/config_override.h"
#include "sim/config/memory_estimate.h"
#include "sim/config/sim_config.h"
#include "sim/config/workload_env.h"

namespace s2sim::sim {

// Parses and validates a config document. `file` names it in messages; `base_dir`
// resolves machine names and trace paths. Throws InputError.
SimConfig parse_config(const nlohmann::json& doc, const std::string& file, const std::string& base_dir);

// The fully resolved config as JSON (every default filled in, the machine inline):
// parse_config(to_json(c)) gives c again.
nlohmann::json to_json(const SimConfig& cfg);

}  // namespace s2sim::sim
