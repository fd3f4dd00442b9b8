// Lab 6's figures, drawn from the problem's own runs:
//   lab6-rounds.svg  the starting config's rounds: the pages each round sent and the
//                    pages sent so far, against the page limit; the last round is the
//                    stop-and-copy, sent with the guest paused (the downtime). Solved:
//                    the grid's best run under it, on the same scale.
//   lab6-budget.svg  the budget as a box on the pages x downtime plane and the starting
//                    config outside it. Solved: every grid run in the plane, numbered,
//                    the best one marked: the trade-off the lab is about.
// Nothing in the figures `show` writes names or measures the best run.
#include <algorithm>
#include <cmath>

#include "sim/labs/lab6_tune_the_migration/tune_lab.h"
#include "sim/labs/lab_bars.h"
#include "sim/labs/lab_svg.h"

namespace s2sim::sim::lab::tune {

namespace {

constexpr const char* kSentFill = "#93c5fd";
constexpr const char* kSoFarFill = "#d1d5db";
constexpr const char* kBudgetFill = "#dcfce7";
constexpr const char* kBestFill = "#16a34a";

std::string pages_text(std::uint64_t n) { return std::to_string(n) + " pages"; }

BarChart rounds_chart(const std::string& title, const Outcome& o, const Limits& l) {
  BarChart c;
  c.title = title;
  c.unit = "pages";
  BarSeries sent{"pages sent in the round", kSentFill, {}, 0};
  BarSeries so_far{"pages sent so far", kSoFarFill, {}, 0};
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < o.sent.size(); ++i) {
    total += o.sent[i];
    sent.values.push_back(static_cast<double>(o.sent[i]));
    so_far.values.push_back(static_cast<double>(total));
    c.categories.push_back(i + 1 == o.sent.size() ? "final" : std::to_string(i));
  }
  c.series = {sent, so_far};
  c.lines.push_back({static_cast<double>(l.pages), "page limit " + std::to_string(l.pages)});
  const std::uint64_t final_pages = o.sent.empty() ? 0 : o.sent.back();
  c.notes = {o.choice.text() + ": " + std::to_string(o.rounds) + " rounds, " + o.stop_reason +
                 (o.converged ? "" : " (not converged)"),
             "downtime " + ms3(o.downtime_ms) + " ms (limit " + ms3(l.downtime_ms) + " ms): the final round sent " +
                 pages_text(final_pages) + " with the guest paused",
             "pages sent " + std::to_string(o.pages) + " (limit " + std::to_string(l.pages) + ")"};
  return c;
}

// The pages x downtime plane: the budget's box, the limits, and the runs given.
struct Point {
  const Outcome* o;
  std::string label;  // drawn beside the point
  bool best = false, start = false;
};

// The pages axis spans the values with a step's margin (the runs differ by a few per
// cent of the slot); the downtime axis is logarithmic, from a power of ten below the
// shortest to one above the longest (stopping late and early differ by decades).
struct PagesAxis {
  double lo = 0, hi = 1, step = 1;
  PagesAxis(double min, double max) {
    step = axis_ceiling(std::max(max - min, 1.0)) / 5;
    lo = std::max(0.0, (std::floor(min / step) - 1) * step);
    hi = (std::ceil(max / step) + 1) * step;
  }
};

struct MsAxis {
  int lo = -3, hi = 0;  // powers of ten
  MsAxis(double min, double max) {
    lo = static_cast<int>(std::floor(std::log10(std::max(min, 1e-4))));
    hi = std::max(lo + 1, static_cast<int>(std::ceil(std::log10(std::max(max, 1e-4)))));
  }
  double frac(double ms) const {
    return (std::log10(std::max(ms, std::pow(10.0, lo))) - lo) / static_cast<double>(hi - lo);
  }
};

Figure budget_figure(const std::string& title, const Limits& l, const std::vector<Point>& points,
                     const std::vector<std::string>& legend) {
  constexpr double left = 90, top = 60, w = 620, h = 340, width = 900;
  double min_pages = static_cast<double>(l.pages), max_pages = min_pages, min_ms = l.downtime_ms, max_ms = min_ms;
  for (const Point& p : points) {
    min_pages = std::min(min_pages, static_cast<double>(p.o->pages));
    max_pages = std::max(max_pages, static_cast<double>(p.o->pages));
    min_ms = std::min(min_ms, p.o->downtime_ms);
    max_ms = std::max(max_ms, p.o->downtime_ms);
  }
  const PagesAxis xa(min_pages, max_pages);
  const MsAxis ya(min_ms, max_ms);
  auto x_of = [&](double pages) { return left + w * (pages - xa.lo) / (xa.hi - xa.lo); };
  auto y_of = [&](double ms) { return top + h - h * ya.frac(ms); };
  const double legend_top = top + h + 64;
  Svg svg(width, legend_top + 15.0 * static_cast<double>(legend.size()) + 20, title);
  svg.comment(title);
  svg.text(width / 2, 24, title, {.size = 15, .anchor = Svg::Anchor::Middle, .bold = true});
  // The budget: both limits met.
  svg.rect(left, y_of(l.downtime_ms), x_of(static_cast<double>(l.pages)) - left, top + h - y_of(l.downtime_ms),
           {.fill = kBudgetFill, .stroke = "none"});
  svg.text(left + 6, y_of(l.downtime_ms) + 14, "within the budget", {.size = 10, .fill = "#166534"});
  svg.line(left, top + h, left + w, top + h, {});
  svg.line(left, top, left, top + h, {});
  for (double v = xa.lo; v <= xa.hi + xa.step / 2; v += xa.step)
    svg.text(x_of(v), top + h + 16, bar_value_text(v, 0), {.size = 10, .anchor = Svg::Anchor::Middle});
  for (int e = ya.lo; e <= ya.hi; ++e) {
    const double y = y_of(std::pow(10.0, e));
    svg.line(left, y, left + w, y, {.stroke = "#e5e7eb"});
    svg.text(left - 6, y + 4, bar_value_text(std::pow(10.0, e), std::max(0, -e)), {.size = 10, .anchor = Svg::Anchor::End});
  }
  svg.text(left + w / 2, top + h + 34, "pages sent in all", {.size = 11, .anchor = Svg::Anchor::Middle});
  svg.text(left - 6, top - 10, "downtime (ms, log scale)", {.size = 11, .anchor = Svg::Anchor::Start});
  const double lx = x_of(static_cast<double>(l.pages)), ly = y_of(l.downtime_ms);
  svg.line(lx, top, lx, top + h, {.stroke = kAlertStroke, .stroke_width = 1.5, .dashed = true});
  svg.text(lx + 4, top + 10, "page limit " + std::to_string(l.pages), {.size = 10, .fill = kAlertStroke});
  svg.line(left, ly, left + w, ly, {.stroke = kAlertStroke, .stroke_width = 1.5, .dashed = true});
  svg.text(left + w - 4, ly - 4, "downtime limit " + ms3(l.downtime_ms) + " ms",
           {.size = 10, .anchor = Svg::Anchor::End, .fill = kAlertStroke});
  for (const Point& p : points) {
    const double x = x_of(static_cast<double>(p.o->pages)), y = y_of(p.o->downtime_ms);
    const std::string fill = p.best ? kBestFill : p.start ? kAlertStroke : "#2563eb";
    // Hollow: a round limit stopped the run, not its rule (check fails it wherever it lands).
    svg.rect(x - 4, y - 4, 8, 8, {.fill = p.o->converged ? fill : "#ffffff", .stroke = fill, .stroke_width = 1.5});
    svg.text(x + 7, y - 5, p.label, {.size = 10, .bold = p.best, .fill = fill});
  }
  svg.text(left + w, top + h + 34, "hollow: not converged (a round limit stopped it)",
           {.size = 10, .anchor = Svg::Anchor::End, .fill = "#4b5563"});
  double y = legend_top;
  for (const std::string& line : legend) {
    svg.text(left, y, line, {.size = 10.5, .mono = true});
    y += 15;
  }
  return {"lab6-budget.svg", svg.str()};
}

std::string point_text(const Outcome& o) { return ms3(o.downtime_ms) + " ms, " + pages_text(o.pages); }

}  // namespace

void add_figures(Problem& p, const Limits& l, const Outcome& start, const std::vector<Outcome>& runs) {
  const Outcome& best = runs.at(l.best);
  const std::string rounds_title = "the rounds of the pre-copy, against the budget";
  const BarChart start_chart = rounds_chart("the starting config", start, l);
  p.figures.push_back(draw_bars("lab6-rounds.svg", rounds_title, {start_chart}));
  const std::string budget_title = "the budget: pages sent in all x downtime";
  p.figures.push_back(budget_figure(budget_title, l, {{&start, "start", false, true}},
                                    {"start: " + start.choice.rule(), "  " + point_text(start)}));

  p.solved_figures.push_back(draw_bars("lab6-rounds.svg", rounds_title + ": the starting config and the best",
                                       {start_chart, rounds_chart("the grid search's best", best, l)}, true));
  std::vector<Point> points;
  std::vector<std::string> legend = {"the grid search (walker " + std::string(kGridWalker) + "):"};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const bool is_best = i == l.best, ok = passes(runs[i], l), is_start = runs[i].choice.text() == start.choice.text();
    points.push_back({&runs[i], std::to_string(i + 1) + (is_best ? " best" : is_start ? " start" : ""), is_best,
                      is_start});
    legend.push_back(std::to_string(i + 1) + " " + runs[i].choice.rule() + ": " + point_text(runs[i]) +
                     (is_best ? " <- best" : ok ? " passes" : "") + (is_start ? " (the start)" : "") +
                     (runs[i].converged ? "" : " (not converged)"));
  }
  p.solved_figures.push_back(budget_figure(budget_title + ", every grid run", l, points, legend));
}

}  // namespace s2sim::sim::lab::tune
