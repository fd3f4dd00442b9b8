// Inline SVG charts for the HTML report: drawn here as text, so the page needs no
// script, font or file from anywhere. Each chart is one <svg class="chart"
// data-chart="ID">; every data mark (a bar, a segment, a line) has class "mark",
// so a test can count them, and a <title> with its exact value (the tooltip).
// Every string is escaped here; callers pass plain text.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace s2sim::sim::html {

struct Series {
  std::string name;
  std::string color;  // a CSS colour, e.g. "#3b6fb6"
  std::vector<double> values;
};

struct ChartFrame {
  std::string id;       // data-chart
  std::string title;    // above the chart
  std::string y_label;  // the value axis' unit, e.g. "pages"
  int width = 880;
  int height = 260;
};

// Vertical bars: one group per category, one bar per series in each. The value axis
// turns logarithmic (and says so) when the non-zero values span more than a factor
// of 100, so that a round 0 of half a million pages does not flatten the rest.
std::string grouped_bars(const ChartFrame& f, const std::vector<std::string>& categories,
                         const std::vector<Series>& series);

// Steps over x: each series' values[i] holds over [x_edges[i], x_edges[i + 1]) and
// is drawn as one path per series (x_edges has one more element than values); the x
// axis runs from 0.
std::string step_lines(const ChartFrame& f, const std::vector<double>& x_edges, const std::string& x_label,
                       const std::vector<Series>& series);

// Horizontal stacked bars: one row per label, segment s of row r is
// segments[s].values[r]; rows are drawn to the same full width (shares of the row's
// total), each segment labelled with its share.
std::string stacked_rows(const ChartFrame& f, const std::vector<std::string>& rows, const std::vector<Series>& segments);

// Horizontal bars, one per row (an empty value: no bar, the row says why).
std::string row_bars(const ChartFrame& f, const std::vector<std::string>& rows,
                     const std::vector<std::optional<double>>& values, const std::string& color,
                     const std::string& missing_text);

// A colour legend as HTML (not SVG): one swatch and name per series.
std::string legend(const std::vector<Series>& series);

}  // namespace s2sim::sim::html
