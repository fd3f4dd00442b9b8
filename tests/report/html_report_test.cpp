// The HTML report as text (the browser test renders it): self-contained, every string
// escaped, one mark per datum in each chart, the headline metrics read from result
// JSON, and the sweep API with failed points and many points.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/report/headline.h"
#include "sim/report/html_report.h"
#include "sim/report/html_text.h"
#include "sim/report/report.h"

using namespace s2sim::sim;
using nlohmann::json;

namespace {

json run_result(const std::string& overrides_json = "{}") {
  json j = json::parse(R"({
    "comment": "plain", "seed": 5, "machine": "cortex-a15", "geometry": "armv7-lpae", "vcpus": 3,
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 4096}],
    "workload": {"kind": "hotset", "ops": 20000, "pages": 1024, "write_ratio": 0.7, "think_cycles": 5000},
    "migration": {"link_gbps": 0.5, "start_ms": 1, "stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 3}}
  })");
  j.merge_patch(json::parse(overrides_json));
  const SimConfig cfg = parse_config(j, "test.json", configs_dir());
  Engine e(cfg);
  return result_json(e.run(), cfg);
}

// data-chart -> the number of class="mark" elements inside that chart.
std::map<std::string, int> marks_by_chart(const std::string& page) {
  std::map<std::string, int> out;
  const std::regex svg(R"re(<svg class="chart" data-chart="([^"]*)"[^>]*>([\s\S]*?)</svg>)re");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), svg); it != std::sregex_iterator(); ++it) {
    const std::string body = (*it)[2];
    int n = 0;
    for (std::size_t p = body.find("class=\"mark\""); p != std::string::npos; p = body.find("class=\"mark\"", p + 1)) ++n;
    EXPECT_EQ(out.count((*it)[1]), 0u) << "two charts named " << (*it)[1];
    out[(*it)[1]] = n;
  }
  return out;
}

void expect_self_contained(const std::string& page) {
  for (const char* s : {"<script", "<link", "<img", "src=", "href=", "url(", "@import", "https:"})
    EXPECT_EQ(page.find(s), std::string::npos) << s;
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("</html>"), std::string::npos);
}

TEST(HtmlText, EscapesEverythingMarkupCanUse) {
  EXPECT_EQ(html::escape(R"(<a href="x">&'</a>)"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html::group_digits(0), "0");
  EXPECT_EQ(html::group_digits(1234567), "1,234,567");
  EXPECT_EQ(html::number(12345.678, 2), "12,345.68");
  EXPECT_EQ(html::number(-0.5, 1), "-0.5");
  EXPECT_EQ(html::short_number(1000), "1000");
  EXPECT_EQ(html::short_number(25000), "25k");
  EXPECT_EQ(html::short_number(3e6), "3M");
}

TEST(HtmlReport, RunPageHasOneMarkPerDatum) {
  const json r = run_result();
  const std::string page = run_report_html("s2sim run: test.json", r);
  expect_self_contained(page);
  const auto marks = marks_by_chart(page);
  const int rounds = static_cast<int>(r["migration"]["rounds"].size());
  ASSERT_GE(rounds, 3);
  EXPECT_EQ(marks, (std::map<std::string, int>{
                       {"rounds", 2 * rounds}, {"round-time", 2 * rounds}, {"rates", 2}, {"vcpu-cycles", 6 * 3}}));
  EXPECT_NE(page.find("verify: OK"), std::string::npos);
  // The rounds table and the resolved config are there too.
  EXPECT_NE(page.find("<summary>Rounds as a table</summary>"), std::string::npos);
  EXPECT_NE(page.find("&quot;walker&quot;"), std::string::npos) << "the config, escaped";
}

TEST(HtmlReport, EveryStringIsEscaped) {
  const std::string nasty = "<script>alert('x')</script> & \"q\"";
  const json r = run_result(json{{"comment", nasty}}.dump());
  const std::string page = run_report_html("title " + nasty, r);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("alert('x')"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"), std::string::npos);
}

TEST(HtmlReport, WithoutMigrationThereAreNoRoundCharts) {
  const std::string page = run_report_html("t", run_result(R"({"migration": {"enabled": false}})"));
  EXPECT_NE(page.find("Migration was off"), std::string::npos);
  EXPECT_EQ(marks_by_chart(page), (std::map<std::string, int>{{"vcpu-cycles", 6 * 3}}));
}

// A guest that ran out of work before the stop rule fired: the page says the
// migration did not converge, why, and when the guest stopped.
TEST(HtmlReport, AGuestThatFinishedIsNotAConvergedMigration) {
  const json r = run_result(R"({"workload": {"ops": 50}})");
  ASSERT_EQ(r["migration"]["stop_reason"], "guest_finished");
  ASSERT_TRUE(r["guest"]["finished_round"].is_null());  // before the migration started, at 1 ms
  const std::string page = run_report_html("t", r);
  EXPECT_NE(page.find("did not converge (guest_finished: threshold: "), std::string::npos);
  EXPECT_NE(page.find("warning: the guest ran out of work at " + html::number(r["guest"]["finished_ms"].get<double>(), 3) +
                      " ms (before the migration)"),
            std::string::npos);
  const json busy = run_result(R"({"workload": {"think_cycles": 500000}})");  // still writing at the stop
  ASSERT_NE(busy["migration"]["stop_reason"], "guest_finished");
  EXPECT_EQ(run_report_html("t", busy).find("ran out of work"), std::string::npos);
}

TEST(HtmlReport, HeadlineMetricsComeFromTheResult) {
  const json r = run_result();
  const double hz = r["cycles"]["clock_hz"].get<double>();
  std::map<std::string, json> v;
  for (const HeadlineMetric& m : headline_metrics()) v[m.key] = headline_value(m, r);
  EXPECT_DOUBLE_EQ(v["total_ms"].get<double>(), r["cycles"]["total"].get<double>() * 1000 / hz);
  EXPECT_EQ(v["rounds"].get<std::size_t>(), r["migration"]["rounds"].size());
  EXPECT_EQ(v["pages_sent_total"], r["migration"]["pages_sent_total"]);
  EXPECT_DOUBLE_EQ(v["downtime_ms"].get<double>(), r["migration"]["downtime_cycles"].get<double>() * 1000 / hz);
  EXPECT_EQ(v["stop_reason"], r["migration"]["stop_reason"]);
  EXPECT_EQ(v["wp_faults"], r["faults"]["write_protect"]);
  EXPECT_EQ(v["lost_writes"].get<double>(), 0);
  EXPECT_EQ(v["hazards"].get<double>(), 0);
  const double hits = r["tlb"]["hits"].get<double>(), misses = r["tlb"]["misses"].get<double>();
  EXPECT_DOUBLE_EQ(v["tlb_hit_rate"].get<double>(), 100 * hits / (hits + misses));
  EXPECT_TRUE(v["host_s"].is_null()) << "not in this result";
  // A failed point has none.
  for (const HeadlineMetric& m : headline_metrics()) EXPECT_TRUE(headline_value(m, nullptr).is_null()) << m.key;
}

TEST(HtmlReport, SweepPageTablesEveryPointAndChartsThoseThatRan) {
  const json a = run_result(), b = run_result(R"({"dirty_log": {"walker": "range"}})");
  const std::vector<std::string> axes{"dirty_log.walker", "<seed>"};
  const std::vector<ReportPoint> points{{{"v4", "1"}, a, ""},
                                        {{"range", "1"}, b, ""},
                                        {{"naive & <co>", "1"}, nullptr, "exit 2: error: x.json: /vcpus: <bad>"}};
  const std::string page = sweep_report_html("sweep <spec>", "a <b>sweep</b>", axes, points);
  expect_self_contained(page);
  EXPECT_NE(page.find("<th>&lt;seed&gt;</th>"), std::string::npos);
  EXPECT_NE(page.find("naive &amp; &lt;co&gt;"), std::string::npos);
  EXPECT_NE(page.find("failed: exit 2: error: x.json: /vcpus: &lt;bad&gt;"), std::string::npos);
  EXPECT_NE(page.find("<p class=\"comment\">a &lt;b&gt;sweep&lt;/b&gt;</p>"), std::string::npos);  // the spec's comment, escaped
  const auto marks = marks_by_chart(page);
  int charted = 0;
  for (const HeadlineMetric& m : headline_metrics()) {
    if (!m.chart) continue;
    ++charted;
    EXPECT_EQ(marks.at("metric-" + m.key), 2) << m.key << ": one bar per point that ran";
  }
  EXPECT_EQ(static_cast<int>(marks.size()), charted);
  EXPECT_EQ(page.find("host time"), std::string::npos) << "no column for a metric no result has";

  // Past kMaxChartedPoints the table stays and the charts go.
  std::vector<ReportPoint> many(kMaxChartedPoints + 1, ReportPoint{{"v4", "1"}, a, ""});
  const std::string big = sweep_report_html("big", "", axes, many);
  EXPECT_TRUE(marks_by_chart(big).empty());
  EXPECT_NE(big.find("too many to chart"), std::string::npos);
}

TEST(HtmlReport, ComparePageHasEachRunsSection) {
  const json a = run_result(), b = run_result(R"({"dirty_log": {"walker": "naive"}})");
  const std::string page = compare_report_html("c", {{{"v4"}, a, ""}, {{"naive"}, b, ""}});
  const auto marks = marks_by_chart(page);
  EXPECT_EQ(marks.at("p0-vcpu-cycles"), 18);
  EXPECT_EQ(marks.at("p1-rounds"), 2 * static_cast<int>(b["migration"]["rounds"].size()));
  EXPECT_EQ(marks.at("metric-upper_level_loads"), 2);
  EXPECT_NE(page.find("<h2>walker naive</h2>"), std::string::npos);
}

}  // namespace
