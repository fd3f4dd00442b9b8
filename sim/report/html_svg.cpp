#include "sim/report/html_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/report/html_text.h"

namespace s2sim::sim::html {

namespace {

constexpr int kLeft = 70, kRight = 16, kTop = 14, kBottom = 44;  // plot margins (px)
constexpr int kRowHeight = 26, kRowGap = 8;                       // row charts

// The width of a row chart's label column: enough for the longest label at about 7 px
// a character (12 px text), within bounds.
double label_column(const std::vector<std::string>& rows) {
  std::size_t longest = 0;
  for (const std::string& r : rows) longest = std::max(longest, r.size());
  return std::clamp(static_cast<double>(longest) * 7.0 + 16, 80.0, 320.0);
}

std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A value axis: linear from 0 to a round maximum, or logarithmic between powers of
// ten when the non-zero values span more than a factor of 100.
struct Scale {
  bool log = false;
  double lo = 0, hi = 1;
  std::vector<double> ticks;

  // Where v falls on [0, 1].
  double at(double v) const {
    if (!log) return std::clamp(v / hi, 0.0, 1.0);
    if (v <= lo) return 0;
    return std::clamp((std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)), 0.0, 1.0);
  }
};

double nice_step(double range) {
  const double raw = range / 4;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10 * mag;
}

Scale linear_scale(double max) {
  Scale s;
  if (!(max > 0) || !std::isfinite(max)) max = 1;
  const double step = nice_step(max);
  s.hi = std::ceil(max / step - 1e-9) * step;
  for (double t = 0; t <= s.hi + step / 2; t += step) s.ticks.push_back(t);
  return s;
}

Scale value_scale(const std::vector<Series>& series) {
  double max = 0, min_pos = 0;
  for (const Series& ser : series)
    for (const double v : ser.values) {
      if (!(v > 0) || !std::isfinite(v)) continue;
      max = std::max(max, v);
      min_pos = min_pos == 0 ? v : std::min(min_pos, v);
    }
  if (max == 0 || max / min_pos <= 100) return linear_scale(max);
  Scale s;
  s.log = true;
  s.lo = std::pow(10.0, std::ceil(std::log10(min_pos)) - 1);  // a power of ten below every value
  s.hi = std::pow(10.0, std::ceil(std::log10(max)));
  for (double t = s.lo; t <= s.hi * 1.001; t *= 10) s.ticks.push_back(t);
  return s;
}

std::string open_svg(const ChartFrame& f, int height) {
  return "<svg class=\"chart\" data-chart=\"" + escape(f.id) + "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
         std::to_string(f.width) + " " + std::to_string(height) + "\" width=\"" + std::to_string(f.width) +
         "\" height=\"" + std::to_string(height) + "\" role=\"img\" aria-label=\"" + escape(f.title) + "\">";
}

std::string text(double x, double y, const std::string& s, const char* anchor, const char* cls = "tick") {
  return "<text class=\"" + std::string(cls) + "\" x=\"" + px(x) + "\" y=\"" + px(y) + "\" text-anchor=\"" + anchor +
         "\">" + escape(s) + "</text>";
}

// The value axis on the left of a vertical chart: grid lines, tick labels, the unit.
std::string value_axis(const ChartFrame& f, const Scale& s) {
  const double plot_h = f.height - kTop - kBottom;
  std::string out;
  for (const double t : s.ticks) {
    const double y = kTop + plot_h * (1 - s.at(t));
    out += "<line class=\"grid\" x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(f.width - kRight) +
           "\" y1=\"" + px(y) + "\" y2=\"" + px(y) + "\"/>";
    out += text(kLeft - 6, y + 4, short_number(t), "end");
  }
  const std::string unit = f.y_label + (s.log ? " (log scale)" : "");
  out += "<text class=\"unit\" transform=\"translate(14 " + px(kTop + plot_h / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         escape(unit) + "</text>";
  return out;
}

std::string tooltip(const std::string& s) { return "<title>" + escape(s) + "</title>"; }

std::string value_text(double v) { return std::fabs(v) >= 100 || v == std::floor(v) ? number(v, v == std::floor(v) ? 0 : 1) : number(v, 3); }

}  // namespace

std::string grouped_bars(const ChartFrame& f, const std::vector<std::string>& categories, const std::vector<Series>& series) {
  const Scale s = value_scale(series);
  const double plot_w = f.width - kLeft - kRight, plot_h = f.height - kTop - kBottom;
  const std::size_t n = std::max<std::size_t>(categories.size(), 1);
  const double group_w = plot_w / static_cast<double>(n);
  const double bar_w = group_w * 0.8 / static_cast<double>(std::max<std::size_t>(series.size(), 1));
  // Label at most about 25 categories, evenly.
  const std::size_t label_every = (categories.size() + 24) / 25;
  std::string out = open_svg(f, f.height) + value_axis(f, s);
  for (std::size_t c = 0; c < categories.size(); ++c) {
    const double gx = kLeft + group_w * static_cast<double>(c) + group_w * 0.1;
    for (std::size_t k = 0; k < series.size(); ++k) {
      const double v = c < series[k].values.size() ? series[k].values[c] : 0;
      const double h = plot_h * s.at(v);
      out += "<rect class=\"mark\" x=\"" + px(gx + bar_w * static_cast<double>(k)) + "\" y=\"" + px(kTop + plot_h - h) +
             "\" width=\"" + px(std::max(bar_w - 1, 1.0)) + "\" height=\"" + px(h) + "\" fill=\"" +
             escape(series[k].color) + "\">" + tooltip(series[k].name + ", " + categories[c] + ": " + value_text(v)) +
             "</rect>";
    }
    if (c % label_every == 0)
      out += text(kLeft + group_w * (static_cast<double>(c) + 0.5), kTop + plot_h + 16, categories[c], "middle");
  }
  out += "<line class=\"axis\" x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(f.width - kRight) +
         "\" y1=\"" + px(kTop + plot_h) + "\" y2=\"" + px(kTop + plot_h) + "\"/>";
  return out + "</svg>";
}

std::string step_lines(const ChartFrame& f, const std::vector<double>& x_edges, const std::string& x_label,
                       const std::vector<Series>& series) {
  double max = 0;
  for (const Series& ser : series)
    for (const double v : ser.values) max = std::max(max, v);
  const Scale s = linear_scale(max);
  const Scale xs = linear_scale(x_edges.empty() ? 1 : x_edges.back());
  const double plot_w = f.width - kLeft - kRight, plot_h = f.height - kTop - kBottom;
  auto X = [&](double x) { return kLeft + plot_w * xs.at(x); };
  auto Y = [&](double v) { return kTop + plot_h * (1 - s.at(v)); };
  std::string out = open_svg(f, f.height) + value_axis(f, s);
  for (const double t : xs.ticks) out += text(X(t), kTop + plot_h + 16, short_number(t), "middle");
  out += text(kLeft + plot_w / 2, f.height - 6, x_label, "middle", "unit");
  for (std::size_t k = 0; k < series.size(); ++k) {
    const Series& ser = series[k];
    std::string d;
    for (std::size_t i = 0; i < ser.values.size() && i + 1 < x_edges.size(); ++i) {
      const std::string y = px(Y(ser.values[i]));
      d += (i == 0 ? "M" + px(X(x_edges[i])) + " " + y : " V" + y) + " H" + px(X(x_edges[i + 1]));
    }
    if (d.empty()) d = "M" + px(X(0)) + " " + px(Y(0));
    // Later series dashed and thinner, so that one lying on another stays visible (on
    // ARMv7 every write-protect fault flushes: the two rates often coincide).
    out += "<path class=\"mark\" fill=\"none\" stroke-width=\"" + std::string(k == 0 ? "3" : "2") + "\"" +
           (k == 0 ? "" : " stroke-dasharray=\"7 5\"") + " stroke=\"" + escape(ser.color) + "\" d=\"" + d + "\">" +
           tooltip(ser.name) + "</path>";
  }
  out += "<line class=\"axis\" x1=\"" + std::to_string(kLeft) + "\" x2=\"" + std::to_string(f.width - kRight) +
         "\" y1=\"" + px(kTop + plot_h) + "\" y2=\"" + px(kTop + plot_h) + "\"/>";
  return out + "</svg>";
}

std::string stacked_rows(const ChartFrame& f, const std::vector<std::string>& rows, const std::vector<Series>& segments) {
  const int height = static_cast<int>(rows.size()) * (kRowHeight + kRowGap) + kRowGap + 24;
  const double label_w = label_column(rows);
  const double bar_w = f.width - label_w - kRight;
  std::string out = open_svg(f, height);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = kRowGap + static_cast<double>(r) * (kRowHeight + kRowGap);
    out += text(label_w - 8, y + kRowHeight / 2.0 + 4, rows[r], "end", "label");
    double total = 0;
    for (const Series& seg : segments) total += r < seg.values.size() ? seg.values[r] : 0;
    double x = label_w;
    for (const Series& seg : segments) {
      const double v = r < seg.values.size() ? seg.values[r] : 0;
      const double share = total > 0 ? v / total : 0;
      const double w = bar_w * share;
      out += "<rect class=\"mark\" x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" + px(w) + "\" height=\"" +
             std::to_string(kRowHeight) + "\" fill=\"" + escape(seg.color) + "\">" +
             tooltip(rows[r] + ", " + seg.name + ": " + group_digits(static_cast<std::uint64_t>(v)) + " cycles (" +
                     number(100 * share, 1) + " %)") +
             "</rect>";
      if (w >= 44) out += text(x + w / 2, y + kRowHeight / 2.0 + 4, number(100 * share, 1) + " %", "middle", "inbar");
      x += w;
    }
  }
  const double axis_y = height - 20;
  for (int p = 0; p <= 100; p += 25)
    out += text(label_w + bar_w * p / 100.0, axis_y + 14, std::to_string(p) + " %", "middle");
  return out + "</svg>";
}

std::string row_bars(const ChartFrame& f, const std::vector<std::string>& rows, const std::vector<std::optional<double>>& values,
                     const std::string& color, const std::string& missing_text) {
  double max = 0;
  for (const auto& v : values)
    if (v) max = std::max(max, *v);
  const Scale s = linear_scale(max);
  const int height = static_cast<int>(rows.size()) * (kRowHeight + kRowGap) + kRowGap + 40;
  const double label_w = label_column(rows);
  const double bar_w = f.width - label_w - kRight - 90;  // room for the value after the bar
  std::string out = open_svg(f, height);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = kRowGap + static_cast<double>(r) * (kRowHeight + kRowGap);
    out += text(label_w - 8, y + kRowHeight / 2.0 + 4, rows[r], "end", "label");
    const std::optional<double> v = r < values.size() ? values[r] : std::nullopt;
    if (!v) {
      out += text(label_w + 4, y + kRowHeight / 2.0 + 4, missing_text, "start", "missing");
      continue;
    }
    const double w = bar_w * s.at(*v);
    out += "<rect class=\"mark\" x=\"" + px(label_w) + "\" y=\"" + px(y) + "\" width=\"" + px(w) +
           "\" height=\"" + std::to_string(kRowHeight) + "\" fill=\"" + escape(color) + "\">" +
           tooltip(rows[r] + ": " + value_text(*v) + " " + f.y_label) + "</rect>";
    out += text(label_w + w + 6, y + kRowHeight / 2.0 + 4, value_text(*v), "start", "label");
  }
  const double axis_y = height - 36;
  for (const double t : s.ticks) out += text(label_w + bar_w * s.at(t), axis_y + 14, short_number(t), "middle");
  out += text(label_w + bar_w / 2, axis_y + 30, f.y_label, "middle", "unit");
  return out + "</svg>";
}

std::string legend(const std::vector<Series>& series) {
  std::string out = "<div class=\"legend\">";
  for (const Series& s : series)
    out += "<span><i style=\"background:" + escape(s.color) + "\"></i>" + escape(s.name) + "</span>";
  return out + "</div>";
}

}  // namespace s2sim::sim::html
