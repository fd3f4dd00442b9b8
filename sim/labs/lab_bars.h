// Bar charts for the labs whose problems are runs (6: the rounds of a migration; 7:
// what perf-test measured): grouped bars, one group a category (a round, a run), one
// bar a series, each bar labelled with its value; dashed reference lines for the
// limits a problem sets. Several charts stack in one figure, top to bottom.
#pragma once

#include <string>
#include <vector>

#include "sim/labs/lab.h"

namespace s2sim::sim::lab {

struct BarSeries {
  std::string name;  // the legend's text
  std::string fill;  // "#93c5fd"
  std::vector<double> values;  // one a category; a missing value (fewer values) draws no bar
  int decimals = 0;            // of each bar's label
};

struct BarLine {
  double value = 0;
  std::string label;  // "page limit 1234", drawn at the line's right end
};

struct BarChart {
  std::string title;
  std::string unit;                     // the value axis: "pages", "microseconds"
  std::vector<std::string> categories;  // under each group
  std::vector<BarSeries> series;
  std::vector<BarLine> lines;
  std::vector<std::string> notes;  // lines of text under the chart
};

// `same_scale`: every chart's value axis runs to the largest value of them all, so
// that bars compare across charts.
Figure draw_bars(const std::string& name, const std::string& title, const std::vector<BarChart>& charts,
                 bool same_scale = false);

// The end of an axis showing values up to `v`: the smallest 1, 2 or 5 x 10^k at or above it.
double axis_ceiling(double v);

// A value as a bar label prints it: `decimals` after the point.
std::string bar_value_text(double v, int decimals);

}  // namespace s2sim::sim::lab
