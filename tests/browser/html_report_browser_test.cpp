// The HTML report in a real browser: headless Chromium (Debian's chromium package,
// installed by scripts/setup-deps.sh). CTest label "browser".
//
// s2sim writes a run's page and a compare's page for a small test config whose
// comment holds markup and quotes; then, for each page:
//   - the file is self-contained: no script, stylesheet link, image, frame or URL;
//   - Chromium loads it and logs no console message (--enable-logging=stderr);
//   - a copy with a small check script appended (the test's, not the page's) is
//     loaded with --dump-dom: the script measures every <svg class="chart"> as laid
//     out (its size, its marks, how many of them have a non-empty box) and writes
//     that into the DOM, where the counts must match what the result JSON says (two
//     bars a round, six segments a vCPU, one bar a walker in each metric chart), and
//     the comment must read back as exactly the text it was (escaped once);
//   - a screenshot, kept under <build>/browser/ for people to look at, is decoded and
//     must not be blank: mostly non-white pixels in places, many colours, and the
//     charts' bar colours.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "browser/png_image.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kChromium = "/usr/bin/chromium";
const std::string kFlags =
    "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
    "--disable-sync --no-first-run";
constexpr unsigned kWidth = 900, kHeight = 2400;
// Everything escaping must get right: markup, an ampersand, both quotes, a script end.
const std::string kComment = "Check <b>escaping</b> & \"quotes\" 'too' </script><script>alert(1)</script>";

const char* const kCheckScript = R"(<script>
(function () {
  var out = {charts: {}, comment: null};
  document.querySelectorAll('svg.chart').forEach(function (svg) {
    var box = svg.getBoundingClientRect(), marks = svg.querySelectorAll('.mark'), drawn = 0;
    marks.forEach(function (m) { var b = m.getBBox(); if (b.width > 0 || b.height > 0) drawn++; });
    out.charts[svg.getAttribute('data-chart')] = {marks: marks.length, drawn: drawn, width: box.width, height: box.height};
  });
  var c = document.querySelector('.comment');
  if (c) out.comment = c.textContent;
  var pre = document.createElement('pre');
  pre.id = 's2sim-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
)";

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int shell(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::access(kChromium.c_str(), X_OK), 0) << kChromium << " is missing: scripts/setup-deps.sh installs it";
    work_ = fs::temp_directory_path() / ("s2sim-browser-" + std::to_string(::getpid()));
    fs::create_directories(work_);
    fs::create_directories(S2SIM_BROWSER_OUT);
  }
  void TearDown() override { fs::remove_all(work_); }

  // Runs s2sim from the source tree with `args`; expects exit 0.
  void s2sim(const std::string& args) {
    const std::string cmd = "cd " + quote(S2SIM_SOURCE_DIR) + " && " + quote(S2SIM_BINARY) + " " + args +
                            " --quiet --set " + quote("comment=" + json(kComment).dump()) + " </dev/null";
    ASSERT_EQ(shell(cmd), 0) << cmd;
  }

  // Headless Chromium with a fresh profile; returns its stdout, leaves stderr in `err`.
  std::string chromium(const std::string& args, std::string& err) {
    const fs::path profile = work_ / ("profile-" + std::to_string(runs_++));
    const fs::path out = work_ / "chromium.out", errf = work_ / "chromium.err";
    const std::string cmd = quote(kChromium) + " " + kFlags + " --user-data-dir=" + quote(profile.string()) + " " +
                            args + " >" + quote(out.string()) + " 2>" + quote(errf.string()) + " </dev/null";
    EXPECT_EQ(shell(cmd), 0) << cmd << "\n" << slurp(errf);
    err = slurp(errf);
    fs::remove_all(profile);
    return slurp(out);
  }

  static std::vector<std::string> console_lines(const std::string& err) {
    std::vector<std::string> lines;
    std::istringstream in(err);
    for (std::string l; std::getline(in, l);)
      if (l.find(":CONSOLE") != std::string::npos) lines.push_back(l);
    return lines;
  }

  void check_page(const std::string& name, const fs::path& page, const std::map<std::string, int>& expected,
                  bool orange_expected);

  fs::path work_;
  int runs_ = 0;
};

void expect_self_contained(const std::string& text) {
  for (const char* pattern : {"<script", "<link", "<img", "<iframe", "<object", "<embed", "src=", "href=", "url(",
                              "@import"}) {
    EXPECT_EQ(text.find(pattern), std::string::npos) << "the page contains " << pattern;
  }
  // The only URL allowed is the SVG namespace name (an identifier, never fetched).
  const std::regex url(R"(https?://[^\s"'<>]*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), url); it != std::sregex_iterator(); ++it)
    EXPECT_EQ(it->str(), "http://www.w3.org/2000/svg") << "the page names a URL";
}

// `orange`: whether the screenshot's part of the page has orange bars (a run page's
// first charts do; a compare page begins with its blue metric bars).
void expect_not_blank(const fs::path& png, bool orange_expected) {
  const s2sim::test::RgbImage img = s2sim::test::read_png(png.string());
  EXPECT_EQ(img.width, kWidth);
  EXPECT_EQ(img.height, kHeight);
  std::size_t non_white = 0, blue = 0, orange = 0;
  std::set<std::uint32_t> colours;
  auto near = [](const std::uint8_t* p, int r, int g, int b) {
    return std::abs(p[0] - r) <= 3 && std::abs(p[1] - g) <= 3 && std::abs(p[2] - b) <= 3;
  };
  for (unsigned y = 0; y < img.height; ++y)
    for (unsigned x = 0; x < img.width; ++x) {
      const std::uint8_t* p = img.pixel(x, y);
      non_white += !(p[0] == 255 && p[1] == 255 && p[2] == 255);
      colours.insert((std::uint32_t{p[0]} >> 3) << 10 | (std::uint32_t{p[1]} >> 3) << 5 | (p[2] >> 3));
      blue += near(p, 0x3b, 0x6f, 0xb6);    // pages sent, guest work, metric bars
      orange += near(p, 0xd9, 0x82, 0x2b);  // dirty pages, faults
    }
  const std::size_t total = std::size_t{img.width} * img.height;
  EXPECT_GT(non_white, total / 20) << "under 5 % of the screenshot is not white";
  EXPECT_GT(colours.size(), 50u) << "too few colours: a blank or unstyled page";
  EXPECT_GT(blue, 2000u) << "too few pixels of the blue bars";
  if (orange_expected) {
    EXPECT_GT(orange, 500u) << "too few pixels of the orange bars";
  }
}

void BrowserTest::check_page(const std::string& name, const fs::path& page, const std::map<std::string, int>& expected,
                             bool orange_expected) {
  SCOPED_TRACE(name);
  const std::string text = slurp(page);
  ASSERT_FALSE(text.empty());
  expect_self_contained(text);

  // The page as it is: no console message, and a screenshot that is not blank.
  const fs::path shot = fs::path(S2SIM_BROWSER_OUT) / (name + ".png");
  fs::remove(shot);
  std::string err;
  chromium("--enable-logging=stderr --v=0 --hide-scrollbars --window-size=" + std::to_string(kWidth) + "," +
               std::to_string(kHeight) + " --screenshot=" + quote(shot.string()) + " " + quote("file://" + page.string()),
           err);
  EXPECT_TRUE(console_lines(err).empty()) << "console: " << ::testing::PrintToString(console_lines(err));
  ASSERT_TRUE(fs::exists(shot)) << "no screenshot written:\n" << err;
  expect_not_blank(shot, orange_expected);

  // A copy with the check script: what the browser laid out.
  const fs::path probe = work_ / (name + ".check.html");
  std::string probed = text;
  const std::size_t body_end = probed.rfind("</body>");
  ASSERT_NE(body_end, std::string::npos);
  probed.insert(body_end, kCheckScript);
  std::ofstream(probe, std::ios::binary) << probed;
  const std::string dom = chromium("--enable-logging=stderr --v=0 --dump-dom " + quote("file://" + probe.string()), err);
  EXPECT_TRUE(console_lines(err).empty()) << "console: " << ::testing::PrintToString(console_lines(err));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(dom, m, std::regex(R"(<pre id="s2sim-check">([^<]*)</pre>)")))
      << "the check script left no result in the DOM";
  // --dump-dom serializes text with &, < and > escaped.
  std::string found = m[1];
  for (const auto& [entity, c] : std::vector<std::pair<std::string, std::string>>{{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}})
    for (std::size_t p = found.find(entity); p != std::string::npos; p = found.find(entity, p + 1)) found.replace(p, entity.size(), c);
  const json seen = json::parse(found);

  std::set<std::string> charts, want;
  for (const auto& [id, v] : seen["charts"].items()) charts.insert(id);
  for (const auto& [id, n] : expected) want.insert(id);
  EXPECT_EQ(charts, want);
  for (const auto& [id, n] : expected) {
    if (!seen["charts"].contains(id)) continue;
    const json& c = seen["charts"][id];
    EXPECT_EQ(c["marks"].get<int>(), n) << id;
    EXPECT_GT(c["drawn"].get<int>(), 0) << id << ": no mark with a visible size";
    EXPECT_GT(c["width"].get<double>(), 300) << id;
    EXPECT_GT(c["height"].get<double>(), 50) << id;
  }
  EXPECT_EQ(seen["comment"], kComment);
}

// The charts of one run's section: two bars a round (dirty and sent; round and
// get_dirty_log time), one line per rate, six segments a vCPU.
void add_run_charts(std::map<std::string, int>& expected, const json& result, const std::string& prefix) {
  const int rounds = static_cast<int>(result["migration"]["rounds"].size());
  const int vcpus = static_cast<int>(result["cycles"]["vcpu"].size());
  expected[prefix + "rounds"] = 2 * rounds;
  expected[prefix + "round-time"] = 2 * rounds;
  expected[prefix + "rates"] = 2;
  expected[prefix + "vcpu-cycles"] = 6 * vcpus;
}

TEST_F(BrowserTest, RunPageRendersItsCharts) {
  const fs::path html = work_ / "run.html", result = work_ / "run.json";
  s2sim("run tests/data/configs/small.json --json " + quote(result.string()) + " --html " + quote(html.string()));
  std::map<std::string, int> expected;
  add_run_charts(expected, json::parse(slurp(result)), "");
  ASSERT_GE(expected["rounds"], 6) << "the test config should migrate in several rounds";
  check_page("run", html, expected, true);
}

TEST_F(BrowserTest, ComparePageRendersEveryWalker) {
  const fs::path html = work_ / "compare.html", result = work_ / "compare.json";
  const std::vector<std::string> walkers{"v4", "range", "naive"};
  s2sim("compare tests/data/configs/small.json --walkers v4,range,naive --json " + quote(result.string()) + " --html " +
        quote(html.string()));
  const json runs = json::parse(slurp(result))["runs"];
  ASSERT_EQ(runs.size(), walkers.size());
  std::map<std::string, int> expected;
  for (std::size_t i = 0; i < runs.size(); ++i) add_run_charts(expected, runs[i], "p" + std::to_string(i) + "-");
  // One bar a walker in each charted headline metric.
  for (const char* metric : {"total_ms", "pages_sent_total", "downtime_ms", "dirty_log_ms", "upper_level_loads",
                             "wp_faults", "mmu_lock_wait_ms"})
    expected[std::string("metric-") + metric] = static_cast<int>(walkers.size());
  check_page("compare", html, expected, false);
}

TEST_F(BrowserTest, SweepPageRendersEveryPoint) {
  // The small test sweep (two walkers x one and two vCPUs x two seeds), its spec
  // carrying the comment the page must show escaped.
  const fs::path spec = work_ / "sweep.json", out = work_ / "sweep", html = work_ / "sweep.html";
  json doc = json::parse(slurp(fs::path(S2SIM_SOURCE_DIR) / "tests/data/sweeps/small.json"));
  doc["base"] = (fs::path(S2SIM_SOURCE_DIR) / "tests/data/configs/small.json").string();
  doc["comment"] = kComment;
  std::ofstream(spec, std::ios::binary) << doc.dump(2);
  const std::string cmd = "cd " + quote(S2SIM_SOURCE_DIR) + " && " + quote(S2SIM_BINARY) + " sweep " +
                          quote(spec.string()) + " --out " + quote(out.string()) + " --jobs 2 --html " +
                          quote(html.string()) + " --quiet </dev/null";
  ASSERT_EQ(shell(cmd), 0) << cmd;
  const int points = 8;
  std::map<std::string, int> expected;
  for (const char* metric : {"total_ms", "pages_sent_total", "downtime_ms", "dirty_log_ms", "upper_level_loads",
                             "wp_faults", "mmu_lock_wait_ms"})
    expected[std::string("metric-") + metric] = points;
  check_page("sweep", html, expected, false);
}

}  // namespace
