// Running the cycle engine for the labs built on `s2sim run` (4 and 6): a config
// document in, the RunResult out -- exactly what `s2sim run FILE` computes for the
// same document, since the engine is deterministic per config and seed and machine
// names resolve against configs_dir() in both.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/config/config.h"
#include "sim/engine/run_result.h"

namespace s2sim::sim::lab {

// Parses `doc` (named `name` in messages) and runs it. Throws InputError for a bad
// config: a lab's own configs never are; a student's may be (lab 6).
RunResult run_lab_config(const nlohmann::json& doc, const std::string& name, SimConfig* parsed = nullptr);

// Cycles as milliseconds at `hz`, and the same printed with 3 decimals.
double cycles_ms(std::uint64_t cycles, double hz);
std::string ms_text(std::uint64_t cycles, double hz);

}  // namespace s2sim::sim::lab
