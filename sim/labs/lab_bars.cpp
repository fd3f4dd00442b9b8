#include "sim/labs/lab_bars.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/labs/lab_svg.h"

namespace s2sim::sim::lab {

namespace {

constexpr double kWidth = 960, kLeft = 90, kPlotWidth = 620, kPlotHeight = 200;
constexpr double kChartTop = 48, kNoteHeight = 15, kChartGap = 36;

double chart_max(const BarChart& c) {
  double m = 0;
  for (const BarSeries& s : c.series)
    for (const double v : s.values) m = std::max(m, v);
  for (const BarLine& l : c.lines) m = std::max(m, l.value);
  return m;
}

double chart_height(const BarChart& c) {
  return kChartTop + kPlotHeight + 40 + kNoteHeight * static_cast<double>(c.notes.size());
}

}  // namespace

double axis_ceiling(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

std::string bar_value_text(double v, int decimals) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

Figure draw_bars(const std::string& name, const std::string& title, const std::vector<BarChart>& charts,
                 bool same_scale) {
  double height = 50;
  double shared = 0;
  for (const BarChart& c : charts) {
    height += chart_height(c) + kChartGap;
    shared = std::max(shared, chart_max(c));
  }
  Svg svg(kWidth, height, title);
  svg.comment(title);
  svg.text(kWidth / 2, 24, title, {.size = 15, .anchor = Svg::Anchor::Middle, .bold = true});
  double top = 50;
  for (const BarChart& c : charts) {
    const double axis = axis_ceiling(same_scale ? shared : chart_max(c));
    const double y0 = top + kChartTop, base = y0 + kPlotHeight;
    auto y_of = [&](double v) { return base - kPlotHeight * std::min(v, axis) / axis; };
    svg.text(kLeft, top + 14, c.title, {.size = 13, .bold = true});
    // The value axis: 0, halfway, the end.
    for (const double f : {0.0, 0.5, 1.0}) {
      const double v = axis * f, y = y_of(v);
      svg.line(kLeft, y, kLeft + kPlotWidth, y, {.stroke = f == 0 ? "#333333" : "#e5e7eb"});
      svg.text(kLeft - 6, y + 4, bar_value_text(v, axis < 10 ? 1 : 0), {.size = 10, .anchor = Svg::Anchor::End});
    }
    svg.line(kLeft, y0, kLeft, base, {});
    svg.text(kLeft - 6, y0 - 10, c.unit, {.size = 10, .anchor = Svg::Anchor::End, .fill = "#4b5563"});
    // The groups.
    const double slot = kPlotWidth / static_cast<double>(std::max<std::size_t>(1, c.categories.size()));
    const double bar = slot * 0.8 / static_cast<double>(std::max<std::size_t>(1, c.series.size()));
    for (std::size_t k = 0; k < c.categories.size(); ++k) {
      const double gx = kLeft + slot * static_cast<double>(k) + slot * 0.1;
      for (std::size_t s = 0; s < c.series.size(); ++s) {
        const BarSeries& ser = c.series[s];
        if (k >= ser.values.size()) continue;
        const double v = ser.values[k], x = gx + bar * static_cast<double>(s), y = y_of(v);
        svg.rect(x, y, bar - 1, base - y, {.fill = ser.fill, .stroke = "#4b5563", .stroke_width = 0.5});
        svg.text(x + bar / 2, y - 3, bar_value_text(v, ser.decimals),
                 {.size = std::min(10.0, std::max(7.0, bar / 3.2)), .anchor = Svg::Anchor::Middle});
      }
      svg.text(gx + slot * 0.4, base + 14, c.categories[k], {.size = 10, .anchor = Svg::Anchor::Middle});
    }
    // The limits.
    for (const BarLine& l : c.lines) {
      const double y = y_of(l.value);
      svg.line(kLeft, y, kLeft + kPlotWidth, y, {.stroke = kAlertStroke, .stroke_width = 1.5, .dashed = true});
      svg.text(kLeft + kPlotWidth + 6, y + 4, l.label, {.size = 10, .fill = kAlertStroke});
    }
    // The legend, under the chart's title.
    double lx = kLeft;
    for (const BarSeries& ser : c.series) {
      svg.rect(lx, top + 21, 12, 12, {.fill = ser.fill, .stroke = "#4b5563", .stroke_width = 0.5});
      svg.text(lx + 17, top + 31, ser.name, {.size = 10});
      lx += 30 + 5.6 * static_cast<double>(ser.name.size());
    }
    double ny = base + 34;
    for (const std::string& n : c.notes) {
      svg.text(kLeft, ny, n, {.size = 11});
      ny += kNoteHeight;
    }
    top += chart_height(c) + kChartGap;
  }
  return {name, svg.str()};
}

}  // namespace s2sim::sim::lab
