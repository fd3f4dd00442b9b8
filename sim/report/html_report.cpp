#include "sim/report/html_report.h"

#include "sim/report/headline.h"
#include "sim/report/html_run.h"
#include "sim/report/html_svg.h"
#include "sim/report/html_text.h"
#include "util/version.h"

namespace s2sim::sim {

namespace {

using nlohmann::json;
using html::escape;

// Inline style only: the page must render the same with no network at all.
const char* const kStyle = R"(
body { font: 15px/1.45 system-ui, "DejaVu Sans", sans-serif; color: #222; background: #fff;
       max-width: 960px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 6px; border-bottom: 1px solid #ddd; }
h3 { font-size: 16px; margin: 22px 0 4px; }
.meta, .note, footer { color: #555; font-size: 13px; } .comment { font-style: italic; }
.verdict { font-weight: bold; padding: 6px 10px; border-radius: 4px; }
.verdict.ok { background: #e3f2e1; color: #1e5c1a; } .verdict.failed { background: #fbe3e1; color: #8a1c12; }
.verdict.off { background: #eee; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0; }
.card { border: 1px solid #ddd; border-radius: 4px; padding: 6px 10px; min-width: 110px; }
.card b { display: block; font-size: 17px; } .card span { color: #555; font-size: 12px; }
.legend { font-size: 13px; margin: 2px 0; } .legend span { margin-right: 14px; white-space: nowrap; }
.legend i { display: inline-block; width: 11px; height: 11px; margin-right: 4px; vertical-align: -1px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg .tick { font-size: 11px; fill: #555; } svg .unit { font-size: 12px; fill: #333; }
svg .label { font-size: 12px; fill: #222; } svg .inbar { font-size: 11px; fill: #fff; }
svg .missing { font-size: 12px; fill: #a33; font-style: italic; }
svg .grid { stroke: #e4e4e4; } svg .axis { stroke: #888; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 6px; } th { background: #f4f4f4; }
table.num td { text-align: right; } td.text { text-align: left; }
.scroll { overflow-x: auto; }
pre { background: #f7f7f7; padding: 8px; font-size: 12px; overflow-x: auto; }
details { margin: 10px 0; } summary { cursor: pointer; color: #345; }
)";

std::string page(const std::string& title, const std::string& kind, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" + escape(title) + "</title><style>" + kStyle + "</style></head>\n<body>\n<h1>" + escape(title) +
         "</h1>\n<p class=\"meta\">s2sim " + escape(version()) + " &middot; " + escape(kind) + "</p>\n" + body +
         "\n<footer><p>Every number on this page was measured by the simulation (s2sim.result/1).</p></footer>\n"
         "</body></html>\n";
}

std::string point_label(const std::vector<std::string>& axes, const ReportPoint& p) {
  if (axes.size() == 1) return p.axis_values.empty() ? "" : p.axis_values[0];
  std::string s;
  for (std::size_t i = 0; i < p.axis_values.size(); ++i) s += (i ? ", " : "") + p.axis_values[i];
  return s;
}

// Whether any point's result has the metric (host time is not in every result).
bool any_has(const HeadlineMetric& m, const std::vector<ReportPoint>& points) {
  for (const ReportPoint& p : points)
    if (!headline_value(m, p.result).is_null()) return true;
  return false;
}

std::string points_table(const std::vector<std::string>& axes, const std::vector<ReportPoint>& points) {
  std::string out = "<div class=\"scroll\"><table class=\"num\"><tr>";
  for (const std::string& a : axes) out += "<th>" + escape(a) + "</th>";
  for (const HeadlineMetric& m : headline_metrics()) {
    if (!any_has(m, points)) continue;
    out += "<th title=\"" + escape(m.description) + "\">" + escape(m.label) +
           (m.unit.empty() ? "" : " (" + escape(m.unit) + ")") + "</th>";
  }
  out += "</tr>";
  for (const ReportPoint& p : points) {
    out += "<tr>";
    for (std::size_t i = 0; i < axes.size(); ++i)
      out += "<td class=\"text\">" + escape(i < p.axis_values.size() ? p.axis_values[i] : "") + "</td>";
    if (p.result.is_null()) {
      out += "<td class=\"text\" colspan=\"99\">failed: " + escape(p.failure) + "</td></tr>";
      continue;
    }
    for (const HeadlineMetric& m : headline_metrics()) {
      if (!any_has(m, points)) continue;
      const json v = headline_value(m, p.result);
      if (v.is_number()) out += "<td>" + html::number(v.get<double>(), m.digits) + "</td>";
      else if (v.is_string()) out += "<td class=\"text\">" + escape(v.get<std::string>()) + "</td>";
      else out += "<td></td>";
    }
    out += "</tr>";
  }
  return out + "</table></div>";
}

std::string points_charts(const std::vector<std::string>& axes, const std::vector<ReportPoint>& points) {
  if (points.size() > kMaxChartedPoints)
    return "<p class=\"note\">" + std::to_string(points.size()) + " points: too many to chart (at most " +
           std::to_string(kMaxChartedPoints) + "); the table has them all.</p>";
  std::vector<std::string> rows;
  for (const ReportPoint& p : points) rows.push_back(point_label(axes, p));
  std::string out;
  for (const HeadlineMetric& m : headline_metrics()) {
    if (!m.chart) continue;
    std::vector<std::optional<double>> values;
    for (const ReportPoint& p : points) {
      const json v = headline_value(m, p.result);
      values.push_back(v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt);
    }
    out += "<h3>" + escape(m.label) + "</h3><p class=\"note\">" + escape(m.description) + "</p>";
    out += html::row_bars({"metric-" + m.key, m.label, m.unit.empty() ? m.label : m.unit}, rows, values, "#3b6fb6",
                          "failed");
  }
  return out;
}

std::string points_section(const std::vector<std::string>& axes, const std::vector<ReportPoint>& points) {
  return "<h2>Headline metrics</h2>" + points_table(axes, points) + points_charts(axes, points);
}

}  // namespace

std::string run_report_html(const std::string& title, const json& result) {
  return page(title, "run", html::run_section("", result));
}

std::string compare_report_html(const std::string& title, const std::vector<ReportPoint>& points) {
  const std::vector<std::string> axes{"walker"};
  std::string body = points_section(axes, points);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const ReportPoint& p = points[i];
    body += "<h2>walker " + escape(point_label(axes, p)) + "</h2>";
    body += p.result.is_null() ? "<p class=\"verdict failed\">failed: " + escape(p.failure) + "</p>"
                               : html::run_section("p" + std::to_string(i) + "-", p.result);
  }
  return page(title, "compare", body);
}

std::string sweep_report_html(const std::string& title, const std::string& comment, const std::vector<std::string>& axes,
                              const std::vector<ReportPoint>& points) {
  const std::string head = comment.empty() ? "" : "<p class=\"comment\">" + escape(comment) + "</p>\n";
  return page(title, "sweep of " + std::to_string(points.size()) + " points", head + points_section(axes, points));
}

}  // namespace s2sim::sim
