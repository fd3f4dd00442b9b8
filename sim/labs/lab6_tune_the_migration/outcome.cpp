// Lab 6's choices run on the lab's workload, and what a run comes to.
#include <cmath>
#include <cstdio>

#include "sim/labs/lab6_tune_the_migration/tune_lab.h"
#include "sim/labs/lab_sim.h"
#include "sim/labs/lab_text.h"

namespace s2sim::sim::lab::tune {

double round3(double ms) { return std::round(ms * 1000.0) / 1000.0; }
std::string ms3(double ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3f", ms);
  return b;
}

nlohmann::json plain(const ojson& d) { return nlohmann::json::parse(d.dump()); }

nlohmann::json with_choice(const nlohmann::json& lab_doc, const Choice& c) {
  nlohmann::json d = lab_doc;
  d["migration"]["stop_rule"] = plain(c.stop_rule);
  d["migration"]["max_rounds"] = c.max_rounds;
  d["dirty_log"]["walker"] = c.walker;
  return d;
}

Outcome outcome_of(const RunResult& r, const Choice& c) {
  Outcome o;
  o.choice = c;
  o.downtime_ms = round3(cycles_ms(r.downtime_cycles, r.clock_hz));
  o.pages = r.pages_sent_total;
  o.lost = r.lost_writes;
  o.rounds = r.rounds.size();
  o.converged = r.converged;
  o.stop_reason = r.stop_detail;  // the rule's words, which the hints quote
  for (const RoundStats& rd : r.rounds) {
    o.dirty.push_back(rd.dirty_pages);
    o.sent.push_back(rd.pages_sent);
  }
  return o;
}

Outcome run_choice(const nlohmann::json& lab_doc, const Choice& c, const std::string& name) {
  return outcome_of(run_lab_config(with_choice(lab_doc, c), name), c);
}

std::string dirty_text(const Outcome& o) {
  std::vector<std::string> v;
  const std::size_t n = o.dirty.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (n > 14 && i == 12) {
      v.push_back("... (" + std::to_string(n - 13) + " more rounds)");
      i = n - 1;
    }
    v.push_back(std::to_string(o.dirty[i]) + (i + 1 == n ? "*" : ""));
  }
  return join(v, ", ");
}

std::vector<Choice> grid() {
  std::vector<Choice> g;
  for (int k = 1; k <= 6; ++k)
    g.push_back({ojson{{"kind", "threshold"}, {"dirty_pages", 0}, {"rounds", k}}, kGridMaxRounds, kGridWalker});
  for (double ms : {2.0, 5.0, 10.0, 20.0, 50.0, 300.0})
    g.push_back({ojson{{"kind", "qemu"}, {"downtime_limit_ms", ms}}, kGridMaxRounds, kGridWalker});
  g.push_back({ojson{{"kind", "xen"}, {"max_iterations", 29}, {"min_pages", 50}, {"max_factor", 3.0}}, kGridMaxRounds,
               kGridWalker});
  return g;
}

bool passes(const Outcome& o, const Limits& l) {
  // A run that max_rounds stopped passes nothing: the stop rule did not meet the budget.
  return o.lost == 0 && o.converged && o.downtime_ms <= l.downtime_ms + 1e-9 && o.pages <= l.pages;
}

}  // namespace s2sim::sim::lab::tune
