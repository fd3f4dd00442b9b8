// The two views of a run: the human report (stdout) and the result JSON
// (schema s2sim.result/1, the contract other tools read).
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "sim/engine/run_result.h"
#include "sim/report/output_file.h"

namespace s2sim::sim {

nlohmann::json result_json(const RunResult& r, const SimConfig& cfg);
void print_report(std::ostream& out, const RunResult& r, const SimConfig& cfg);
}  // namespace s2sim::sim
