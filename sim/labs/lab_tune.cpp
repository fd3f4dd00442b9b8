// Lab 6, tune the migration: pre-copy live migration (QEMU's and Xen's loops,
// sim/engine.cpp) sends every page once, then in rounds the pages the
// guest dirtied meanwhile (KVM_GET_DIRTY_LOG each round), and finally pauses the
// guest and sends what is still dirty: the downtime. Stopping early sends few pages
// but leaves a big final set; iterating long shrinks the final set only down to the
// pages the guest rewrites every round, and resends them each time.
//
// The seed picks a small workload (memslot, vCPUs, generator, link) and a budget:
// either a downtime limit (then as few pages as possible), or a traffic limit (then
// as short a downtime as possible). The student hands in a config choosing
// migration.stop_rule, migration.max_rounds and dirty_log.walker; check runs it on the
// lab's workload and grades downtime, pages sent and lost writes. The limits come
// from a small grid search that solve prints: the optimized quantity may be at most
// 1.2 x the best any grid config reached within the budget.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "sim/config/config.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_sim.h"
#include "sim/labs/lab_text.h"
#include "util/input_error.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab {

namespace {

using workloads::Rng;
using ojson = nlohmann::ordered_json;

constexpr const char* kGridWalker = "v4-fixed";
constexpr std::uint64_t kGridMaxRounds = 10;  // enough: after a few rounds the dirty set no longer shrinks

// A stop-rule choice: what the student can write in the three keys.
struct Choice {
  ojson stop_rule;
  std::uint64_t max_rounds = 30;
  std::string walker = kGridWalker;

  std::string rule() const {
    std::string s = stop_rule.contains("kind") ? stop_rule["kind"].get<std::string>() : "qemu";
    for (auto it = stop_rule.begin(); it != stop_rule.end(); ++it)
      if (it.key() != "kind" && it.key() != "comment") s += " " + it.key() + "=" + it.value().dump();
    return s;
  }
  std::string text() const {
    return "stop_rule " + rule() + ", max_rounds " + std::to_string(max_rounds) + ", walker " + walker;
  }
};

struct Outcome {
  Choice choice;
  double downtime_ms = 0;  // as `s2sim run` prints it: 3 decimals
  std::uint64_t pages = 0;
  std::uint64_t lost = 0;
  std::size_t rounds = 0;
  bool converged = false;
  std::string stop_reason;
  std::vector<std::uint64_t> dirty;  // per round
};

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
  o.stop_reason = r.stop_reason;
  for (const RoundStats& rd : r.rounds) o.dirty.push_back(rd.dirty_pages);
  return o;
}

Outcome run_choice(const nlohmann::json& lab_doc, const Choice& c, const std::string& name) {
  return outcome_of(run_lab_config(with_choice(lab_doc, c), name), c);
}

// The dirty pages each round found, the last (stop-and-copy) starred; a long run
// shows its first 12 rounds and its last.
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

// The grid: stop after round k (threshold), QEMU's rule at a few downtime limits,
// Xen's rule as libxc has it.
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

enum class Budget { Downtime, Pages };  // the limit given; the other quantity is optimized

struct Limits {
  Budget budget = Budget::Downtime;
  double downtime_ms = 0;
  std::uint64_t pages = 0;
  std::size_t best = 0;  // index of the grid's best run within the budget
};

bool passes(const Outcome& o, const Limits& l) {
  return o.lost == 0 && o.downtime_ms <= l.downtime_ms + 1e-9 && o.pages <= l.pages;
}

class TuneLab {
 public:
  explicit TuneLab(std::uint64_t seed) : seed_(seed), doc_(tune_lab_config(seed)), lab_doc_(plain(doc_)) {
    Rng rng(workloads::derive_seed(seed, 6, 1));
    for (const Choice& c : grid()) runs_.push_back(run_choice(lab_doc_, c, "lab 6"));
    for (const Outcome& o : runs_)
      if (o.lost) throw std::logic_error("lab 6 seed " + std::to_string(seed) + ": a grid run lost writes");
    pick_limits(rng);
  }

  Problem make() {
    p_.lab = 6;
    p_.seed = seed_;
    p_.title = "tune the migration";
    // The config the student starts from: the lab's workload with a default choice
    // that does not meet the budget.
    ojson start = doc_;
    const Outcome& d = runs_[default_];
    start["migration"]["stop_rule"] = d.choice.stop_rule;
    start["migration"]["max_rounds"] = d.choice.max_rounds;
    start["dirty_log"]["walker"] = d.choice.walker;
    p_.config = start.dump(2) + "\n";
    ojson best = doc_;
    const Outcome& b = runs_[limits_.best];
    best["comment"] = "Lab 6, seed " + std::to_string(seed_) +
                      ": the best stop rule of the grid search (s2sim lab "
                      "solve 6 --seed " +
                      std::to_string(seed_) + ").";
    best["migration"]["stop_rule"] = b.choice.stop_rule;
    best["migration"]["max_rounds"] = b.choice.max_rounds;
    best["dirty_log"]["walker"] = b.choice.walker;
    p_.solution_config = best.dump(2) + "\n";
    write_setup(d);
    write_solution();
    p_.answer_format =
        "Hand in a config file: the one above (s2sim lab show 6 --seed " + std::to_string(seed_) +
        " --config > lab6.json)\n"
        "with your choice of /migration/stop_rule, /migration/max_rounds and /dirty_log/walker. Only those three\n"
        "are taken from it; the lab sets everything else. Try it with s2sim run lab6.json, then grade it with\n"
        "  s2sim lab check 6 --seed " +
        std::to_string(seed_) + " lab6.json\n";
    finalize(p_);
    return std::move(p_);
  }

 private:
  void pick_limits(Rng& rng) {
    const Budget first = rng.below(2) ? Budget::Downtime : Budget::Pages;
    const Budget second = first == Budget::Downtime ? Budget::Pages : Budget::Downtime;
    // The drawn budget kind and binding run first; if every plain default already
    // meets that budget (the lab promises a start that misses it), the next binding
    // run, then the other kind -- without further draws, so that every seed whose
    // first choice works keeps its problem.
    bool drawn = false;
    for (const Budget b : {first, second}) {
      const std::vector<std::size_t> binding = binding_runs(b);
      const std::size_t start = drawn ? 0 : rng.below(binding.size());
      drawn = true;
      for (std::size_t k = 0; k < binding.size(); ++k)
        if (set_limits(b, runs_[binding[(start + k) % binding.size()]]) && pick_start()) return;
    }
    throw std::logic_error("lab 6 seed " + std::to_string(seed_) + ": every plain default meets every budget");
  }

  // Runs whose budgeted value sets a budget that binds: strictly between the run that
  // is best at the optimized quantity regardless of the budget and the run that is
  // best at the budgeted one, so that stopping after round 1 is not all there is.
  std::vector<std::size_t> binding_runs(Budget b) const {
    const std::size_t n = runs_.size();
    const bool dt = b == Budget::Downtime;
    auto budgeted = [&](std::size_t i) { return dt ? runs_[i].downtime_ms : static_cast<double>(runs_[i].pages); };
    auto optimized = [&](std::size_t i) { return dt ? static_cast<double>(runs_[i].pages) : runs_[i].downtime_ms; };
    std::size_t free_best = 0, tightest = 0;
    for (std::size_t i = 1; i < n; ++i) {
      if (optimized(i) < optimized(free_best)) free_best = i;
      if (budgeted(i) < budgeted(tightest)) tightest = i;
    }
    std::vector<std::size_t> binding;
    for (std::size_t i = 0; i < n; ++i)
      if (budgeted(i) < budgeted(free_best) && budgeted(i) > budgeted(tightest)) binding.push_back(i);
    if (binding.empty())
      for (std::size_t i = 0; i < n; ++i)
        if (budgeted(i) < budgeted(free_best)) binding.push_back(i);
    if (binding.empty()) binding.push_back(free_best);
    return binding;
  }

  // The budget set by run `t` (5 % slack on the budgeted quantity) and the grid's best
  // run within it, whose other quantity (plus 20 %) becomes the second limit.
  bool set_limits(Budget b, const Outcome& t) {
    const std::size_t n = runs_.size();
    limits_.budget = b;
    std::size_t best = n;
    if (b == Budget::Downtime) {
      limits_.downtime_ms = std::ceil(t.downtime_ms * 1.05 * 1000.0) / 1000.0;
      for (std::size_t i = 0; i < n; ++i)
        if (runs_[i].downtime_ms <= limits_.downtime_ms + 1e-9 && (best == n || runs_[i].pages < runs_[best].pages))
          best = i;
      if (best == n) return false;
      limits_.pages = runs_[best].pages + runs_[best].pages / 5;
    } else {
      limits_.pages = t.pages + t.pages / 20;
      for (std::size_t i = 0; i < n; ++i)
        if (runs_[i].pages <= limits_.pages && (best == n || runs_[i].downtime_ms < runs_[best].downtime_ms)) best = i;
      if (best == n) return false;
      limits_.downtime_ms = std::ceil(runs_[best].downtime_ms * 1.2 * 1000.0) / 1000.0;
    }
    limits_.best = best;
    if (!passes(runs_[limits_.best], limits_)) throw std::logic_error("lab 6: the best run fails its own limits");
    return true;
  }

  // The starting config: the first of a few plain defaults that misses the budget.
  bool pick_start() {
    const std::size_t n = runs_.size();
    for (std::size_t i : {n - 2, n - 1, std::size_t{0}, n - 3})  // qemu 300 ms, xen, stop after round 1, qemu 50 ms
      if (!passes(runs_[i], limits_)) {
        default_ = i;
        return true;
      }
    return false;
  }

  std::string budget_text() const {
    return limits_.budget == Budget::Downtime
               ? "downtime at most " + ms3(limits_.downtime_ms) +
                     " ms; then send as few pages as you can:\n"
                     "  check passes with at most " +
                     std::to_string(limits_.pages) + " pages sent in all (1.2 x the " +
                     "fewest the grid search sent within the downtime limit)"
               : "at most " + std::to_string(limits_.pages) +
                     " pages sent in all; then make the downtime as short "
                     "as you can:\n  check passes with a downtime of at most " +
                     ms3(limits_.downtime_ms) +
                     " ms (1.2 x the shortest the grid search reached within the page limit)";
  }

  void write_setup(const Outcome& d) {
    const auto& w = doc_["workload"];
    const auto& slot = doc_["memslots"][0];
    std::string& s = p_.setup;
    s = "Migrate a " + std::to_string(slot["npages"].get<std::uint64_t>()) + "-page memslot (" +
        std::to_string(slot["npages"].get<std::uint64_t>() * 4 / 1024) + " MiB) of a guest with " +
        std::to_string(doc_["vcpus"].get<unsigned>()) + " vCPU(s) running a " + w["kind"].get<std::string>() +
        " workload\n(write_ratio " + w["write_ratio"].dump() + ", think_cycles " + w["think_cycles"].dump() +
        ") on a " + doc_["machine"].get<std::string>() + " over a " + doc_["migration"]["link_gbps"].dump() +
        " Gbit/s link.\n\nBudget: " + budget_text() +
        ", and no lost write.\n\n"
        "You choose /migration/stop_rule (qemu: downtime_limit_ms; xen: max_iterations, min_pages,\n"
        "max_factor; threshold: dirty_pages, rounds), /migration/max_rounds and /dirty_log/walker.\n"
        "The config below starts with " +
        d.choice.text() + ":\n  downtime " + ms3(d.downtime_ms) + " ms, " + std::to_string(d.pages) +
        " pages sent -- outside the budget.\n\n"
        "  s2sim lab show 6 --seed " +
        std::to_string(seed_) + " --config > lab6.json\n  s2sim run lab6.json\n  s2sim lab check 6 --seed " +
        std::to_string(seed_) + " lab6.json\n\nThe config:\n" + p_.config;
    p_.setup_json = {{"budget",
                      {{"kind", limits_.budget == Budget::Downtime ? "downtime" : "pages"},
                       {"downtime_ms", limits_.downtime_ms},
                       {"pages", limits_.pages}}}};
  }

  void write_solution() {
    std::ostringstream out;
    out << "Grid search: the lab's config with each of these choices (walker " << kGridWalker << "),\n"
        << "as `s2sim run` reports them (rounds with the dirty pages each found; * = stop-and-copy):\n\n";
    char line[200];
    std::snprintf(line, sizeof line, "  %-50s %11s %10s\n", "stop rule", "downtime ms", "pages sent");
    out << line;
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      const Outcome& o = runs_[i];
      const std::string rule = o.choice.rule();
      const bool ok = passes(o, limits_);
      std::snprintf(line, sizeof line, "  %-50s %11s %10llu  %s\n", rule.c_str(), ms3(o.downtime_ms).c_str(),
                    static_cast<unsigned long long>(o.pages),
                    i == limits_.best ? "<- best"
                    : ok              ? "passes"
                                      : "");
      out << line;
      out << "      rounds: " << dirty_text(o) << (o.converged ? "" : " (not converged: " + o.stop_reason + ")")
          << "\n";
    }
    const Outcome& b = runs_[limits_.best];
    out << "\nWithin the budget ("
        << (limits_.budget == Budget::Downtime ? "downtime <= " + ms3(limits_.downtime_ms) + " ms"
                                               : "pages <= " + std::to_string(limits_.pages))
        << ") the best is " << b.choice.rule() << ":\n  downtime " << ms3(b.downtime_ms) << " ms, " << b.pages
        << " pages sent; the limit on the other quantity is 1.2 x that ("
        << (limits_.budget == Budget::Downtime ? std::to_string(limits_.pages) + " pages"
                                               : ms3(limits_.downtime_ms) + " ms")
        << ").\n"
        << "Its config: s2sim lab solve 6 --seed " << seed_ << " --config > best.json\n";
    p_.solution = out.str();
  }

  std::uint64_t seed_;
  ojson doc_;
  nlohmann::json lab_doc_;
  std::vector<Outcome> runs_;
  Limits limits_;
  std::size_t default_ = 0;
  Problem p_;
};

// --- reading the student's config ---------------------------------------------------

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

nlohmann::ordered_json tune_lab_config(std::uint64_t seed) {
  Rng rng(workloads::derive_seed(seed, 6));
  const std::uint64_t npages = rng.below(2) ? 1024 : 512;
  const std::uint64_t base = 0x80000 + rng.below(0x400) * 512;  // 2 MiB aligned, 2 GiB to 4 GiB
  const unsigned vcpus = 1 + static_cast<unsigned>(rng.below(2));
  const double links[] = {0.5, 1.0, 2.0};
  const double link = links[rng.below(3)];
  const std::uint64_t thinks[] = {20000, 40000, 80000};
  const std::uint64_t think = thinks[rng.below(3)];
  const double write_ratios[] = {0.3, 0.5, 0.7};

  ojson w;
  const unsigned kind = static_cast<unsigned>(rng.below(3));
  w["kind"] = kind == 0 ? "hotset" : kind == 1 ? "zipf" : "uniform";
  // The guest runs for 40 times round 0 (which sends the whole slot): longer than
  // any grid config's migration (at most 10 rounds), and a bound on what a run costs.
  const double page_cycles = std::max(2500.0, 4096.0 * 8.0 / (link * 1e9) * 1.7e9);
  const auto ops =
      static_cast<std::uint64_t>(40.0 * static_cast<double>(npages) * page_cycles / static_cast<double>(think + 300));
  w["ops"] = ops;
  if (kind == 0) {
    // A hot set rewritten all the time over a colder rest.
    const double fractions[] = {0.05, 0.1, 0.2};
    const double probabilities[] = {0.8, 0.9, 0.95};
    w["hot_fraction"] = fractions[rng.below(3)];
    w["hot_probability"] = probabilities[rng.below(3)];
    w["write_ratio"] = write_ratios[rng.below(3)];
  } else if (kind == 1) {
    const double exponents[] = {0.9, 1.1, 1.3};
    w["exponent"] = exponents[rng.below(3)];
    w["permute"] = true;
    w["write_ratio"] = write_ratios[rng.below(3)];
  } else {
    // Few writes spread over the whole slot: each round finds about as many dirty
    // pages as its length allows.
    const double rare[] = {0.05, 0.1, 0.2};
    w["write_ratio"] = rare[rng.below(3)];
  }
  w["think_cycles"] = think;

  ojson d;
  d["comment"] = "Lab 6 (tune the migration), seed " + std::to_string(seed) +
                 ": choose /migration/stop_rule, /migration/max_rounds and /dirty_log/walker to meet the budget "
                 "s2sim lab show 6 --seed " +
                 std::to_string(seed) + " states.";
  d["seed"] = workloads::derive_seed(seed, 6, 2) % 1000000;
  d["machine"] = "cortex-a15";
  d["geometry"] = "armv7-lpae";
  d["vcpus"] = vcpus;
  d["memslots"] = ojson::array({{{"id", 0}, {"base_gfn", base}, {"npages", npages}}});
  d["workload"] = w;
  d["dirty_log"] = {{"walker", kGridWalker}, {"bits_per_long", 32}};
  d["migration"] = {{"link_gbps", link},
                    {"start_ms", 1},
                    {"max_rounds", 30},
                    {"stop_rule", {{"kind", "qemu"}, {"downtime_limit_ms", 300}}}};
  d["verify"] = {{"enabled", true}};
  return d;
}

Problem make_tune_lab(std::uint64_t seed) { return TuneLab(seed).make(); }

int check_tune_config(const Problem& p, const std::string& text, const std::string& name, std::ostream& out) {
  const nlohmann::json student = parse_json_text(text, name);
  if (!student.is_object()) throw InputError(name, "a config is a JSON object, e.g. {\"migration\": {...}}");
  for (const char* k : {"migration", "dirty_log"})
    if (student.contains(k) && !student[k].is_object()) throw InputError(name + ": /" + k, "must be an object");
  const bool sets_any = (student.contains("migration") &&
                         (student["migration"].contains("stop_rule") || student["migration"].contains("max_rounds"))) ||
                        (student.contains("dirty_log") && student["dirty_log"].contains("walker"));
  if (!sets_any)
    throw InputError(name,
                     "sets none of /migration/stop_rule, /migration/max_rounds, /dirty_log/walker: nothing "
                     "to grade (start from s2sim lab show 6 --seed " +
                         std::to_string(p.seed) + " --config)");

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

  out << "lab " << p.lab << " (" << p.title << "), seed " << p.seed << ", config from " << name << "\n";
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
  if (!o.converged && !(dt_ok && pages_ok))
    out << "hint: " << o.stop_reason << " forced the stop-and-copy; max_rounds is a safety net, not a stop rule\n";
  const int score = dt_ok + pages_ok + lost_ok;
  out << "score: " << score << "/3\n";
  if (score != 3) out << "the grid search and its best config: s2sim lab solve 6 --seed " << p.seed << "\n";
  return score == 3 ? 0 : 1;
}

}  // namespace s2sim::sim::lab
