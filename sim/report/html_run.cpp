// One run's section of the HTML report, read from its result JSON.
#include "sim/report/html_run.h"

#include "sim/report/headline.h"
#include "sim/report/html_svg.h"
#include "sim/report/html_text.h"

namespace s2sim::sim::html {

namespace {

using nlohmann::json;

double num(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

std::string str(const json& doc, const char* ptr) {
  const json::json_pointer p(ptr);
  return doc.is_object() && doc.contains(p) && doc.at(p).is_string() ? doc.at(p).get<std::string>() : std::string();
}

const json& array_at(const json& doc, const char* ptr) {
  static const json empty = json::array();
  const json::json_pointer p(ptr);
  return doc.is_object() && doc.contains(p) && doc.at(p).is_array() ? doc.at(p) : empty;
}

std::string verdict(const json& r) {
  const json::json_pointer p("/verify");
  if (!r.contains(p) || !r.at(p).is_object()) return "";
  const json& v = r.at(p);
  if (!v.value("enabled", false)) return "<p class=\"verdict off\">verify: off</p>";
  if (v.value("ok", false))
    return "<p class=\"verdict ok\">verify: OK &mdash; " + group_digits(static_cast<std::uint64_t>(num(v, "checked_pages"))) +
           " pages checked, no write lost</p>";
  return "<p class=\"verdict failed\">verify: FAILED &mdash; " +
         group_digits(static_cast<std::uint64_t>(num(v, "lost_writes"))) + " lost write(s), " +
         group_digits(static_cast<std::uint64_t>(num(v, "invariant_violations"))) + " invariant violation(s), " +
         group_digits(static_cast<std::uint64_t>(num(v, "abandoned_accesses"))) + " abandoned access(es)</p>";
}

std::string migration_line(const json& r) {
  const json::json_pointer p("/migration");
  if (!r.contains(p) || !r.at(p).is_object() || !r.at(p).value("enabled", false)) return "";
  const json& m = r.at(p);
  // As the text report: "converged (the rule's words)", or "did not converge (why:
  // the rule's words)".
  const bool converged = m.value("converged", false);
  const std::string reason = m.value("stop_reason", std::string()), detail = m.value("stop_detail", std::string());
  const std::string why = converged ? detail : reason + (detail.empty() ? "" : ": " + detail);
  std::string line = std::string("<p class=\"meta\">migration: ") + (converged ? "converged" : "did not converge") +
                     " (" + escape(why) + ")</p>";
  // A guest that ran out of work stopped dirtying memory by itself (stop_rule.h).
  const json::json_pointer at("/guest/finished_ms"), round("/guest/finished_round");
  if (reason == "guest_finished" && r.contains(at) && r.at(at).is_number())
    line += "<p class=\"verdict failed\">warning: the guest ran out of work at " + html::number(r.at(at).get<double>(), 3) +
            " ms (" +
            (r.contains(round) && r.at(round).is_number() ? "round " + std::to_string(r.at(round).get<int>())
                                                           : std::string("before the migration")) +
            ") before the stop rule fired: not a converged migration</p>";
  return line;
}

std::string cards(const json& r) {
  std::string out = "<div class=\"cards\">";
  for (const HeadlineMetric& m : headline_metrics()) {
    const json v = headline_value(m, r);
    if (!v.is_number()) continue;  // the stop reason has its own line
    const std::string shown = v.is_number() ? number(v.get<double>(), m.digits) : v.get<std::string>();
    // Counts are named by their label; times and shares carry their unit.
    const bool unit_shown = m.unit == "ms" || m.unit == "s" || m.unit == "%";
    out += "<div class=\"card\" title=\"" + escape(m.description) + "\"><b>" + escape(shown) +
           (unit_shown ? " " + escape(m.unit) : "") + "</b><span>" + escape(m.label) + "</span></div>";
  }
  return out + "</div>";
}

std::string rounds_section(const std::string& id, const json& r, double hz) {
  const json& rounds = array_at(r, "/migration/rounds");
  if (rounds.empty()) return "<h3>Migration rounds</h3><p class=\"note\">Migration was off: there are no rounds.</p>";
  std::vector<std::string> names;
  Series dirty{"dirty pages", "#d9822b", {}}, sent{"pages sent", "#3b6fb6", {}};
  Series round_ms{"round", "#5b8c5a", {}}, gdl_ms{"get_dirty_log", "#8e5ea2", {}};
  Series faults{"write-protect faults / ms", "#d9822b", {}}, flushes{"TLB flush requests / ms", "#3b6fb6", {}};
  std::vector<double> edges;
  std::string table =
      "<table class=\"num\"><tr><th>round</th><th>dirty pages</th><th>pages sent</th><th>time ms</th>"
      "<th>get_dirty_log ms</th><th>wp faults</th><th>flushes</th></tr>";
  for (const json& rd : rounds) {
    const bool sac = rd.value("stop_and_copy", false);
    const std::string name = std::to_string(static_cast<unsigned>(num(rd, "round"))) + (sac ? "*" : "");
    names.push_back(name);
    const double ms = num(rd, "cycles") * 1000 / hz, gdl = num(rd, "get_dirty_log_cycles") * 1000 / hz;
    dirty.values.push_back(num(rd, "dirty_pages"));
    sent.values.push_back(num(rd, "pages_sent"));
    round_ms.values.push_back(ms);
    gdl_ms.values.push_back(gdl);
    faults.values.push_back(ms > 0 ? num(rd, "write_protect_faults") / ms : 0);
    flushes.values.push_back(ms > 0 ? num(rd, "tlb_flushes") / ms : 0);
    edges.push_back(num(rd, "start_cycle") * 1000 / hz);
    table += "<tr><td>" + escape(name) + "</td><td>" + group_digits(static_cast<std::uint64_t>(num(rd, "dirty_pages"))) +
             "</td><td>" + group_digits(static_cast<std::uint64_t>(num(rd, "pages_sent"))) + "</td><td>" +
             number(ms, 2) + "</td><td>" + number(gdl, 3) + "</td><td>" +
             group_digits(static_cast<std::uint64_t>(num(rd, "write_protect_faults"))) + "</td><td>" +
             group_digits(static_cast<std::uint64_t>(num(rd, "tlb_flushes"))) + "</td></tr>";
  }
  const json& last = rounds.back();
  edges.push_back((num(last, "start_cycle") + num(last, "cycles")) * 1000 / hz);
  table += "</table><p class=\"note\">* stop-and-copy: the vCPUs run through the round's first get_dirty_log, then pause.</p>";

  std::string out = "<h3>Dirty pages and pages sent, per round</h3>" + legend({dirty, sent});
  out += grouped_bars({id + "rounds", "Dirty pages and pages sent", "pages"}, names, {dirty, sent});
  out += "<h3>Round time</h3>" + legend({round_ms, gdl_ms});
  out += grouped_bars({id + "round-time", "Round time", "ms"}, names, {round_ms, gdl_ms});
  out += "<h3>Fault and flush rate over time</h3>" + legend({faults, flushes});
  out += "<p class=\"note\">Per round: the write-protect faults the guest took and the TLB flush requests made "
         "during the round, divided by its length.</p>";
  out += step_lines({id + "rates", "Fault and flush rate over time", "per ms"}, edges, "simulated time (ms)",
                    {faults, flushes});
  out += "<details><summary>Rounds as a table</summary>" + table + "</details>";
  return out;
}

std::string vcpu_section(const std::string& id, const json& r) {
  const json& vcpus = array_at(r, "/cycles/vcpu");
  if (vcpus.empty()) return "";
  // busy_cycles holds the walks and the faults' handling; the rest of busy is the
  // guest's own work (think time, TLB lookups, the accesses).
  Series work{"guest work", "#3b6fb6", {}}, walks{"stage-2 walks", "#7fa7d9", {}}, faults{"faults", "#d9822b", {}};
  Series lock{"mmu_lock wait", "#c0392b", {}}, idle{"idle", "#b8b8b8", {}}, paused{"paused", "#555555", {}};
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < vcpus.size(); ++i) {
    const json& v = vcpus[i];
    rows.push_back("vCPU " + std::to_string(i));
    const double busy = num(v, "busy_cycles"), w = num(v, "walk_cycles"), f = num(v, "fault_cycles");
    work.values.push_back(std::max(0.0, busy - w - f));
    walks.values.push_back(w);
    faults.values.push_back(f);
    lock.values.push_back(num(v, "mmu_lock_wait"));
    idle.values.push_back(num(v, "idle_cycles"));
    paused.values.push_back(num(v, "paused_cycles"));
  }
  const std::vector<Series> segs{work, walks, faults, lock, idle, paused};
  return "<h3>Where each vCPU's cycles went</h3>" + legend(segs) +
         stacked_rows({id + "vcpu-cycles", "Where each vCPU's cycles went", "cycles"}, rows, segs);
}

}  // namespace

std::string run_section(const std::string& id, const json& r) {
  const double hz = number_at(r, "/cycles/clock_hz").value_or(1.0);
  std::string out;
  const std::string comment = str(r, "/config/comment");
  if (!comment.empty()) out += "<p class=\"comment\">" + escape(comment) + "</p>";
  out += "<p class=\"meta\">seed " + escape(std::to_string(static_cast<std::uint64_t>(number_at(r, "/seed").value_or(0)))) +
         " &middot; walker " + escape(str(r, "/dirty_log/walker")) + " &middot; machine " +
         escape(str(r, "/config/machine/name")) + " &middot; geometry " + escape(str(r, "/config/geometry/name")) +
         " &middot; " + escape(std::to_string(array_at(r, "/cycles/vcpu").size())) + " vCPU(s)<br>workload " +
         escape(str(r, "/guest/workload")) + "</p>";
  const json::json_pointer trace("/guest/trace");
  if (r.contains(trace) && r.at(trace).is_object())
    out += "<p class=\"meta\">trace: " + group_digits(static_cast<std::uint64_t>(num(r.at(trace), "lines_skipped"))) +
           " line(s) skipped (not operations), " +
           group_digits(static_cast<std::uint64_t>(num(r.at(trace), "regions_mapped"))) +
           " 2 MiB region(s) of trace addresses mapped</p>";
  out += verdict(r) + migration_line(r) + cards(r);
  out += rounds_section(id, r, hz);
  out += vcpu_section(id, r);
  const json::json_pointer cfg("/config");
  if (r.contains(cfg))
    out += "<details><summary>The resolved config</summary><pre>" + escape(r.at(cfg).dump(2)) + "</pre></details>";
  return out;
}

}  // namespace s2sim::sim::html
