// The two views of a run: the human report (stdout) and the result JSON
// (schema s2sim.result/1, the contract other tools read).
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "sim/engine/run_result.h"

namespace s2sim::sim {

nlohmann::json result_json(const RunResult& r, const SimConfig& cfg);
void print_report(std::ostream& out, const RunResult& r, const SimConfig& cfg);
// Throws InputError naming `path` when a file cannot be written there (its directory
// is missing, or it is a directory): checked before a run, so that nothing is spent
// simulating a result that cannot be saved.
void check_writable(const std::string& path);
// Writes `text` to `path` atomically: a temporary file in the same directory, then
// rename. Throws InputError naming the path if it cannot.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace s2sim::sim
