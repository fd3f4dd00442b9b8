// `s2sim lab check 6`: reads the student's config, runs its three choices on the
// lab's workload and grades downtime, pages sent and lost writes.
#include <cstdio>
#include <sstream>

#include "sim/config/config.h"
#include "sim/labs/lab6_tune_the_migration/tune_lab.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_sim.h"
#include "sim/labs/lab_text.h"
#include "util/input_error.h"

namespace s2sim::sim::lab {

using tune::Budget;
using tune::Choice;
using tune::dirty_text;
using tune::Limits;
using tune::ms3;
using tune::ojson;
using tune::Outcome;
using tune::outcome_of;

namespace {

// Pointers of what the student set that the lab does not take from them.
void ignored_keys(const nlohmann::json& student, const nlohmann::json& run, const std::string& pointer,
                  std::vector<std::string>& out) {
  for (auto it = student.begin(); it != student.end(); ++it) {
    const std::string p = pointer + "/" + it.key();
    if (it.key() == "comment") continue;
    if (p == "/migration/stop_rule" || p == "/migration/max_rounds" || p == "/dirty_log/walker") continue;
    if ((p == "/migration" || p == "/dirty_log") && it.value().is_object()) {
      ignored_keys(it.value(), run.contains(it.key()) ? run[it.key()] : nlohmann::json::object(), p, out);
      continue;
    }
    if (!run.contains(it.key()) || run[it.key()] != it.value()) out.push_back(p);
  }
}

}  // namespace

CheckResult check_tune_config(const Problem& p, const AnswerInput& in) {
  const std::string& name = in.name;
  const nlohmann::json student = parse_json_text(in.text, name);
  if (!student.is_object()) throw InputError(name, "a config is a JSON object, e.g. {\"migration\": {...}}");
  for (const char* k : {"migration", "dirty_log"})
    if (student.contains(k) && !student[k].is_object()) throw InputError(name + ": /" + k, "must be an object");
  const bool sets_any = (student.contains("migration") &&
                         (student["migration"].contains("stop_rule") || student["migration"].contains("max_rounds"))) ||
                        (student.contains("dirty_log") && student["dirty_log"].contains("walker"));
  if (!sets_any)
    throw InputError(name,
                     "sets none of /migration/stop_rule, /migration/max_rounds, /dirty_log/walker: nothing "
                     "to grade (start from s2sim lab show 6 " +
                         p.id.args() + " --config)");

  // Everything the student wrote must be a valid config (so a typo is an error naming
  // its pointer, not silently ignored) ...
  const nlohmann::json lab_doc = nlohmann::json::parse(p.config);
  nlohmann::json validate = lab_doc;
  for (auto it = student.begin(); it != student.end(); ++it) {
    if (it.value().is_object() && (it.key() == "migration" || it.key() == "dirty_log"))
      for (auto jt = it.value().begin(); jt != it.value().end(); ++jt) validate[it.key()][jt.key()] = jt.value();
    else
      validate[it.key()] = it.value();
  }
  parse_config(validate, name, configs_dir());
  // ... but only the three choices are run, on the lab's config.
  nlohmann::json run = lab_doc;
  if (student.contains("migration")) {
    for (const char* k : {"stop_rule", "max_rounds"})
      if (student["migration"].contains(k)) run["migration"][k] = student["migration"][k];
  }
  if (student.contains("dirty_log") && student["dirty_log"].contains("walker"))
    run["dirty_log"]["walker"] = student["dirty_log"]["walker"];
  std::vector<std::string> ignored;
  ignored_keys(student, run, "", ignored);

  SimConfig cfg;
  const RunResult r = run_lab_config(run, name, &cfg);
  Choice c;
  c.stop_rule = ojson::parse(run["migration"]["stop_rule"].dump());
  c.max_rounds = cfg.migration.max_rounds;
  c.walker = cfg.dirty_log.walker;
  const Outcome o = outcome_of(r, c);

  const auto& b = p.setup_json["budget"];
  Limits l;
  l.budget = b["kind"] == "downtime" ? Budget::Downtime : Budget::Pages;
  l.downtime_ms = b["downtime_ms"].get<double>();
  l.pages = b["pages"].get<std::uint64_t>();
  const bool dt_ok = o.downtime_ms <= l.downtime_ms + 1e-9, pages_ok = o.pages <= l.pages, lost_ok = o.lost == 0;
  // A run the rule did not stop (max_rounds forced the stop-and-copy) fails: the
  // budget was met by the safety net, not by the student's stop rule.
  const bool rule_ok = o.converged;

  std::ostringstream out;
  out << "lab " << p.lab << " (" << p.title << "), " << p.id.label() << ", config from " << name << "\n";
  out << "your choice: " << c.text() << "\n";
  if (!ignored.empty()) out << "ignored (the lab sets these): " << join(ignored, ", ") << "\n";
  out << "rounds (dirty pages found; * = stop-and-copy): " << dirty_text(o) << "\n";
  out << "  stopped: " << o.stop_reason << (o.converged ? "" : " (not converged)") << "\n";
  char line[160];
  std::snprintf(line, sizeof line, "downtime     %10s ms   limit %10s ms   %s\n", ms3(o.downtime_ms).c_str(),
                ms3(l.downtime_ms).c_str(), dt_ok ? "ok" : "over the limit");
  out << line;
  std::snprintf(line, sizeof line, "pages sent   %10llu      limit %10llu      %s\n",
                static_cast<unsigned long long>(o.pages), static_cast<unsigned long long>(l.pages),
                pages_ok ? "ok" : "over the limit");
  out << line;
  std::snprintf(line, sizeof line, "lost writes  %10llu                           %s\n",
                static_cast<unsigned long long>(o.lost), lost_ok ? "ok" : "writes lost");
  out << line;
  out << "stopped by   " << (rule_ok ? "your stop rule" : o.stop_reason + " (not your stop rule)") << "\n";

  const std::uint64_t final_pages = o.dirty.empty() ? 0 : o.dirty.back();
  if (!lost_ok)
    out << "hint: the verifier found lost writes: a walker that loses writes can never pass (try v4-fixed or "
           "range)\n";
  if (!dt_ok && pages_ok)
    out << "hint: you stop too early: the final round sent " << final_pages
        << " pages with the guest paused; iterate more (a lower downtime_limit_ms, more rounds) so that less "
           "is left for the stop-and-copy\n";
  if (dt_ok && !pages_ok)
    out << "hint: you iterate longer than you need to: every extra round resends the pages the guest keeps "
           "rewriting, while the final set hardly shrinks; stop earlier\n";
  if (!dt_ok && !pages_ok)
    out << "hint: both over: " << (o.converged ? "" : "the rule never converged and ")
        << "the rounds did not shrink the dirty set; look at the rounds above: the dirty set stops shrinking "
           "after a few rounds, stop there\n";
  const std::string forced =
      o.stop_reason + " forced the stop-and-copy; max_rounds is a safety net, not a stop rule: choose a rule that "
                      "stops the pre-copy itself";
  if (!rule_ok) out << "hint: " << forced << "\n";

  CheckResult res;
  res.id = p.id;
  res.title = p.title;
  res.source = name;
  const std::string too_early = "the downtime is over the limit: stop later, so that less is left for the "
                                "stop-and-copy";
  const std::string too_late = "too many pages sent: every extra round resends the pages the guest keeps rewriting; "
                               "stop earlier";
  auto add = [&](const char* id, bool ok, const std::string& given, const std::string& hint) {
    QuestionResult q;
    q.id = id;
    q.answered = true;
    q.correct = ok;
    q.points = ok ? 1 : 0;
    q.given = given;
    q.hint = ok ? "" : hint;
    res.questions.push_back(std::move(q));
  };
  add("downtime", dt_ok, ms3(o.downtime_ms) + " ms", too_early);
  add("pages", pages_ok, std::to_string(o.pages), too_late);
  add("lost_writes", lost_ok, std::to_string(o.lost),
      "a walker that loses writes can never pass (try v4-fixed or range)");
  add("stop_rule", rule_ok, o.stop_reason, forced);
  // The verdict is all or nothing: a config that misses one limit misses the budget.
  out << "verdict: " << (res.all_correct() ? "PASS: the config meets the budget" : "FAIL: the config misses the budget")
      << "\n";
  if (!res.all_correct() && !p.id.keyed())
    out << "the grid search and its best config: s2sim lab solve 6 " << p.id.args() << "\n";
  res.report = out.str();
  return res;
}

}  // namespace s2sim::sim::lab
