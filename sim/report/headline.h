// The headline metrics of one run, read from its result JSON (s2sim.result/1): what
// the compare and sweep pages put side by side, one column (and one bar chart) each.
// Reading the JSON rather than a RunResult lets a sweep report points that ran in
// other processes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace s2sim::sim {

struct HeadlineMetric {
  std::string key;    // the column's name, e.g. "downtime_ms"
  std::string label;  // its header, e.g. "downtime"
  std::string unit;   // e.g. "ms"; empty for counts
  std::string description;
  bool chart = false;  // drawn as a bar chart per point
  int digits = 0;      // decimals shown
};

// Every headline metric, in the order of the table.
const std::vector<HeadlineMetric>& headline_metrics();

// The metric's value in `result`: a number, a string (stop_reason), or null when the
// result does not have it (a host time the result does not carry, a failed point).
nlohmann::json headline_value(const HeadlineMetric& m, const nlohmann::json& result);

// The number at JSON pointer `ptr` (e.g. "/cycles/total"), if there is one.
std::optional<double> number_at(const nlohmann::json& doc, const char* ptr);

}  // namespace s2sim::sim
