// The HTML report: one self-contained page (inline CSS and SVG; no script, font,
// image or link to anything outside it), written by `run --html`, `compare --html`
// and `sweep --html`. Every page is built from result JSON documents
// (s2sim.result/1), so a sweep can report points that ran in other processes or on
// other machines.
//
// A run's page: a summary; per-round dirty pages and pages sent, and round time with
// its get_dirty_log part; where each vCPU's cycles went (guest work, walks, faults,
// mmu_lock wait, idle, paused); write-protect faults and TLB flushes per millisecond
// over simulated time (round by round); the resolved config.
// A compare or sweep page: the headline metrics (sim/report/headline.h) of every
// point as a table and one bar chart per charted metric, then (compare) each run's
// own section.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace s2sim::sim {

// One point of a compare or a sweep.
struct ReportPoint {
  // One value per axis, as the table shows them (e.g. "range", "4", "10").
  std::vector<std::string> axis_values;
  // The point's result document (s2sim.result/1), or null when the point failed.
  nlohmann::json result;
  // Why it failed (e.g. "exit 2: error: ..."), shown when result is null.
  std::string failure;
};

// `s2sim run --html`: `title` heads the page (e.g. the config's file name).
std::string run_report_html(const std::string& title, const nlohmann::json& result);

// `s2sim compare --html`: one point per walker (axis "walker"), each with its own
// run section after the side-by-side metrics.
std::string compare_report_html(const std::string& title, const std::vector<ReportPoint>& points);

// `s2sim sweep --html`: `axes` names the columns of axis_values (the sweep's --set
// paths, and "seed" when the sweep has seeds); one row per point, in the given
// order. Bar charts are drawn for up to kMaxChartedPoints points (the table always
// has every point).
inline constexpr std::size_t kMaxChartedPoints = 200;
// `comment`, the spec's own, heads the page (escaped) when not empty.
std::string sweep_report_html(const std::string& title, const std::string& comment, const std::vector<std::string>& axes,
                              const std::vector<ReportPoint>& points);

}  // namespace s2sim::sim
