// s2sim-campaign: the randomized no-lost-write campaign.
//
// The simulator's central claim is that with the kernel's dirty-log order
// (snapshot-and-clear -> write-protect -> flush -> copy) no dirty page is ever lost.
// This draws scenarios from a seeded stream (scenario_draw.h), runs each under the
// correct walkers (naive, v4-fixed, range) with the invariant checker on, and asserts
// no lost write, no invariant violation and no hazard; it also runs the seed's v4
// walker, which may lose writes, and asserts only that it completes and that its
// hazards are of the named kinds. A scenario on an ARMv8 geometry also runs with
// hardware dirty state (dirty_log.hw_dirty dbm, hdbss and hacdbs), checked like a correct
// walker: the hardware dirties pages while the scan or drain and the clean run
// beside it. Every campaign also runs positive controls
// (positive_controls.h): teaching switches and v4 on schedules where a lost write is
// certain, which the verifier and the invariant checker must report -- a blind
// verifier fails the campaign. The naive and v4 runs of every scenario run a second
// time with the engine's run-ahead off, and their result JSON must be the same
// bytes. Every run goes through sim::parse_config and
// sim::Engine, as `s2sim run` does, so a failing scenario saved with --dump-config
// replays with `s2sim run FILE`.
//
//   s2sim-campaign [--scenarios N] [--seed S] [--first K] [--dump-config DIR] [--verbose]
//
// Exit status: 0 every scenario passed; 1 some failed; 2 bad command line.
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "campaign/positive_controls.h"
#include "campaign/scenario_check.h"
#include "campaign/scenario_draw.h"
#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/report/report.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace {

using namespace s2sim;
using nlohmann::json;

constexpr std::uint64_t kDefaultSeed = 2014;  // the year of the dirty-logging series
constexpr const char* kCorrectWalkers[] = {"naive", "v4-fixed", "range"};
constexpr const char* kHwDirtyModes[] = {"dbm", "hdbss", "hacdbs"};
constexpr const char* kSeedWalker = "v4";
constexpr int kExitPass = 0, kExitFail = 1, kExitUsage = 2;

struct Args {
  std::uint64_t scenarios = 1000;
  std::uint64_t seed = kDefaultSeed;
  std::uint64_t first = 0;
  std::string dump_dir;  // empty: failing configs are printed, not saved
  bool verbose = false;
};

const char* const kUsage =
    "usage: s2sim-campaign [--scenarios N] [--seed S] [--first K] [--dump-config DIR] [--verbose]\n"
    "  --scenarios N      how many scenarios to draw and run (default 1000)\n"
    "  --seed S           the campaign seed (default 2014)\n"
    "  --first K          the index of the first scenario (to replay one: --first K --scenarios 1)\n"
    "  --dump-config DIR  save the config of every failing run to DIR (created if missing)\n"
    "  --verbose          one line per scenario\n";

// Throws InputError for anything it does not understand.
std::optional<Args> parse_args(int argc, char** argv) {
  Args a;
  auto number = [](const std::string& opt, const std::string& text) {
    const std::optional<std::uint64_t> v = parse_u64(text);
    if (!v) throw InputError(opt, "\"" + text + "\" is not a non-negative integer");
    return *v;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string opt = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw InputError(opt, "needs a value");
      return argv[++i];
    };
    if (opt == "--scenarios") {
      a.scenarios = number(opt, value());
      if (a.scenarios == 0) throw InputError(opt, "must be at least 1");
    } else if (opt == "--seed") {
      a.seed = number(opt, value());
    } else if (opt == "--first") {
      a.first = number(opt, value());
    } else if (opt == "--dump-config") {
      a.dump_dir = value();
      if (a.dump_dir.empty()) throw InputError(opt, "needs a directory");
    } else if (opt == "--verbose" || opt == "-v") {
      a.verbose = true;
    } else if (opt == "--help" || opt == "-h") {
      std::cout << kUsage;
      return std::nullopt;
    } else {
      throw InputError("s2sim-campaign", "unknown argument \"" + opt + "\" (see --help)");
    }
  }
  if (a.first > UINT64_MAX - a.scenarios) throw InputError("--first", "the scenario indices would overflow");
  return a;
}

// What the whole campaign saw.
struct Tally {
  std::uint64_t scenarios = 0, runs = 0, failed_runs = 0, failed_scenarios = 0;
  std::uint64_t writes_checked = 0;  // guest writes of correct-walker runs, all verified
  std::uint64_t pages_checked = 0;
  std::uint64_t writes_lost = 0;     // by correct walkers: any is a failure
  std::uint64_t hw_runs = 0;            // runs with hardware dirty state (ARMv8 scenarios)
  std::uint64_t hw_writes_checked = 0;  // their guest writes, all verified
  std::uint64_t hw_updates = 0;         // writes the walker dirtied without a fault
  std::uint64_t hacdbs_cleaned = 0;     // leaves HACDBS lists made writable-clean
  std::uint64_t hacdbs_fallback = 0;    // pages write-protected after a HACDBS error
  std::uint64_t rounds = 0;          // pre-copy and stop-and-copy rounds of the naive runs
  std::uint64_t raced = 0;           // scenarios whose guest took write-protect faults while logging
  std::array<std::uint64_t, mmu::kHazardKinds> v4_hazards{};
  std::uint64_t v4_lossy_runs = 0, v4_lost_writes = 0, v4_invariant_runs = 0, v4_abandoned = 0;
  std::uint64_t controls = 0, controls_failed = 0;  // positive controls
  // The dirty-log APIs drawn, and what they did in the naive runs.
  std::uint64_t api_clear = 0, api_ring = 0, api_eager_split = 0;
  sim::DirtyApiStats api;
  std::map<std::string, std::uint64_t> kernels;  // scenarios per kernel profile
};

std::string scenario_file_name(const Args& a, std::uint64_t index, const std::string& walker) {
  return "campaign-seed" + std::to_string(a.seed) + "-scenario" + std::to_string(index) + "-" + walker + ".json";
}

// One run that failed: what it was, where its config is saved, how to draw it again.
struct FailedRun {
  std::string what;       // "scenario 12 walker v4"
  std::string file_name;  // for --dump-config
  std::string redraw;     // the command line that draws it again
};

FailedRun failed_scenario(const Args& a, std::uint64_t index, const std::string& walker) {
  return {"scenario " + std::to_string(index) + " walker " + walker, scenario_file_name(a, index, walker),
          "s2sim-campaign --seed " + std::to_string(a.seed) + " --first " + std::to_string(index) +
              " --scenarios 1 --dump-config DIR"};
}

// Reports one failing run: what is wrong, and how to replay it.
void report_failure(const Args& a, const FailedRun& run, const json& doc, const std::vector<std::string>& problems) {
  std::cerr << "FAIL " << run.what << ":\n";
  for (const auto& p : problems) std::cerr << "  " << p << "\n";
  if (!a.dump_dir.empty()) {
    const std::string path = (std::filesystem::path(a.dump_dir) / run.file_name).string();
    try {
      sim::write_file_atomically(path, doc.dump(2) + "\n");
      std::cerr << "  config: " << path << "  (replay: s2sim run " << path << ")\n";
      return;
    } catch (const InputError& e) {
      std::cerr << "  could not save the config: " << e.message() << "\n";
    }
  }
  std::cerr << "  config: " << doc.dump() << "\n"
            << "  (save it with: " << run.redraw << ")\n";
}

// Runs `doc` as `s2sim run` would; problems go to `problems`, and the result is
// returned only when the run completed.
std::optional<sim::RunResult> simulate(const json& doc, const std::string& name, sim::SimConfig& cfg,
                                       std::vector<std::string>& problems, bool run_ahead = true) {
  try {
    cfg = sim::parse_config(doc, name, sim::configs_dir());
    sim::Engine engine(cfg);
    engine.set_run_ahead(run_ahead);
    return engine.run();
  } catch (const InputError& e) {
    problems.push_back("the drawn config is refused: " + e.message());
  } catch (const std::exception& e) {
    problems.push_back(std::string("the simulation threw: ") + e.what());
  }
  return std::nullopt;
}

bool guest_wrote_while_logging(const sim::RunResult& r) {
  for (const auto& round : r.rounds)
    if (!round.stop_and_copy && round.guest_write_faults > 0) return true;
  return false;
}

// A one-line description of a scenario for --verbose.
std::string scenario_line(const json& doc) {
  const json& slot = doc.at("memslots").at(0);
  const json& machine = doc.at("machine");
  const json& geometry = doc.at("geometry");
  std::ostringstream s;
  s << (machine.is_string() ? machine.get<std::string>() : machine.at("name").get<std::string>()) << ", "
    << (geometry.is_string() ? geometry.get<std::string>()
                             : "arch" + geometry.at("arch").dump() + "/" + geometry.at("ipa_bits").dump() + "-bit")
    << ", slot gfn " << slot.at("base_gfn") << " +" << slot.at("npages") << (slot.at("hugepages").get<bool>() ? " huge" : "")
    << ", " << doc.at("vcpus") << " vCPU, " << doc.at("workload").at("kind").get<std::string>() << ", "
    << doc.at("migration").at("stop_rule").at("kind").get<std::string>() << " stop";
  return s.str();
}

// Runs every walker on scenario `index`; true if all its runs passed.
bool run_scenario(const Args& a, std::uint64_t index, const campaign::MachineBases& machines, Tally& t) {
  const json scenario = campaign::draw_scenario(a.seed, index, machines);
  bool passed = true;
  if (scenario.dump() != campaign::draw_scenario(a.seed, index, machines).dump()) {
    report_failure(a, failed_scenario(a, index, "(any)"), scenario,
                   {"drawing the scenario twice gave two different configs"});
    passed = false;
  }
  std::ostringstream verbose;
  if (a.verbose) verbose << "scenario " << index << ": " << scenario_line(scenario) << ";";

  // Each run: a walker, and the hardware dirty state it runs with.
  std::vector<std::pair<std::string, std::string>> runs;
  for (const char* w : kCorrectWalkers) runs.emplace_back(w, "none");
  runs.emplace_back(kSeedWalker, "none");
  // On an ARMv8 geometry the same scenario also runs with stage-2 DBM (the scan cleans;
  // the walker is not used), with HDBSS (the walker cleans) and with HACDBS (its list
  // cleans, the walker after an error), each checked as a correct walker.
  const json& geometry = scenario["geometry"];
  const bool armv8 = geometry.is_object() ? geometry["arch"] == 8u : geometry.get<std::string>().rfind("armv8", 0) == 0;
  // (With plain get_dirty_log only: the config refuses hardware dirty state with the
  // migration thread's CLEAR and with the dirty ring.)
  if (armv8 && scenario["dirty_log"].value("api", "get") == "get")
    for (const char* hw : kHwDirtyModes) runs.emplace_back(index % 2 ? "range" : "v4-fixed", hw);
  const std::filesystem::path inflight =
      a.dump_dir.empty() ? std::filesystem::path() : std::filesystem::path(a.dump_dir) / "campaign-inflight.json";
  for (const auto& [run_walker, hw] : runs) {
    json doc = scenario;
    doc["dirty_log"]["walker"] = run_walker;
    if (hw != "none") doc["dirty_log"]["hw_dirty"] = hw;
    const std::string walker = hw == "none" ? run_walker : run_walker + "+" + hw;
    if (hw != "none") ++t.hw_runs;
    // Should the process die inside the engine, the run it died in is on disk.
    if (!inflight.empty()) sim::write_file_atomically(inflight.string(), doc.dump(2) + "\n");
    sim::SimConfig cfg;
    std::vector<std::string> problems;
    const std::optional<sim::RunResult> r = simulate(doc, scenario_file_name(a, index, walker), cfg, problems);
    ++t.runs;
    const bool seed_walker = run_walker == kSeedWalker;
    if (r) {
      const auto more = seed_walker ? campaign::v4_problems(*r, cfg) : campaign::correct_walker_problems(*r, cfg);
      problems.insert(problems.end(), more.begin(), more.end());
      if (seed_walker) {
        for (std::size_t k = 0; k < mmu::kHazardKinds; ++k) t.v4_hazards[k] += r->hazards[k];
        t.v4_lossy_runs += r->lost_writes > 0;
        t.v4_lost_writes += r->lost_writes;
        t.v4_invariant_runs += r->invariant_violations > 0;
        t.v4_abandoned += r->abandoned_accesses;
      } else if (hw != "none") {
        t.hw_writes_checked += r->writes;
        t.hw_updates += r->hw_dirty.hw_updates;
        t.hacdbs_cleaned += r->hw_dirty.hacdbs_cleaned;
        t.hacdbs_fallback += r->hw_dirty.hacdbs_fallback_pages;
        t.writes_lost += r->lost_writes;
      } else {
        t.writes_checked += r->writes;
        t.pages_checked += r->checked_pages;
        t.writes_lost += r->lost_writes;
      }
      if (walker == kCorrectWalkers[0] || seed_walker) {
        // Run-ahead only saves host time: off, the run must give the same bytes.
        sim::SimConfig off_cfg;
        const std::optional<sim::RunResult> off =
            simulate(doc, scenario_file_name(a, index, walker), off_cfg, problems, false);
        if (off && sim::result_json(*off, off_cfg).dump() != sim::result_json(*r, cfg).dump())
          problems.push_back("with the engine's run-ahead off the result JSON differs");
      }
      if (walker == kCorrectWalkers[0]) {
        t.rounds += r->rounds.size();
        t.raced += guest_wrote_while_logging(*r);
        ++t.kernels[cfg.kernel];
        t.api_clear += cfg.dirty_log.api == "clear";
        t.api_ring += cfg.dirty_log.api == "ring";
        t.api_eager_split += cfg.dirty_log.eager_split_chunk != 0;
        t.api.clear_calls += r->api.clear_calls;
        t.api.clear_pages_protected += r->api.clear_pages_protected;
        t.api.ring_harvests += r->api.ring_harvests;
        t.api.soft_full_exits += r->api.soft_full_exits;
        t.api.blocks_split += r->api.blocks_split;
      }
      if (a.verbose) {
        verbose << " " << walker << ": " << r->rounds.size() << " rounds, " << r->writes << " writes";
        if (seed_walker) {
          std::uint64_t hazards = 0;
          for (auto h : r->hazards) hazards += h;
          verbose << ", " << hazards << " hazards, " << r->lost_writes << " lost";
        }
        verbose << ";";
      }
    }
    if (!problems.empty()) {
      ++t.failed_runs;
      passed = false;
      report_failure(a, failed_scenario(a, index, walker), doc, problems);
    }
  }
  if (a.verbose) std::cout << verbose.str() << (passed ? " ok" : " FAILED") << "\n" << std::flush;
  return passed;
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buf;
}

// Runs positive control `index`; counts it as failed unless the verifier and the
// invariant checker reported its certain loss.
void run_positive_control(const Args& a, std::uint64_t index, Tally& t) {
  const campaign::PositiveControl c = campaign::draw_positive_control(a.seed, index);
  const std::string name = "control-" + c.kind + "-" + std::to_string(index);
  sim::SimConfig cfg;
  std::vector<std::string> problems;
  const std::optional<sim::RunResult> r = simulate(c.config, name + ".json", cfg, problems);
  ++t.controls;
  if (r) {
    const auto more = campaign::positive_control_problems(c, *r);
    problems.insert(problems.end(), more.begin(), more.end());
  }
  if (a.verbose)
    std::cout << "positive control " << index << " (" << c.kind << ", gfn " << c.page << "): "
              << (r ? std::to_string(r->lost_writes) + " lost, " + std::to_string(r->invariant_violations) +
                          " invariant violations"
                    : std::string("did not run"))
              << (problems.empty() ? " ok" : " FAILED") << "\n";
  if (problems.empty()) return;
  ++t.controls_failed;
  report_failure(a,
                 {"positive control " + std::to_string(index) + " (" + c.kind + ")",
                  "campaign-seed" + std::to_string(a.seed) + "-" + name + ".json",
                  "s2sim-campaign --seed " + std::to_string(a.seed) + " --scenarios " + std::to_string(a.scenarios) +
                      " --dump-config DIR"},
                 c.config, problems);
}

int run_campaign(const Args& a) {
  const auto start = std::chrono::steady_clock::now();
  const campaign::MachineBases machines = campaign::load_machine_bases(sim::configs_dir());
  if (!a.dump_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.dump_dir, ec);
    if (!std::filesystem::is_directory(a.dump_dir, ec))
      throw InputError("--dump-config " + a.dump_dir, "cannot create the directory");
  }
  Tally t;
  for (std::uint64_t i = a.first; i < a.first + a.scenarios; ++i) {
    ++t.scenarios;
    if (!run_scenario(a, i, machines, t)) ++t.failed_scenarios;
  }
  for (std::uint64_t i = 0; i < campaign::positive_controls_for(a.scenarios); ++i) run_positive_control(a, i, t);
  if (!a.dump_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove(std::filesystem::path(a.dump_dir) / "campaign-inflight.json", ec);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("coverage: the guest took write-protect faults while logging in %s of scenarios; %.1f rounds per naive run\n",
              percent(t.raced, t.scenarios).c_str(),
              t.scenarios ? static_cast<double>(t.rounds) / static_cast<double>(t.scenarios) : 0.0);
  std::printf("dirty-log APIs: %llu scenarios with manual protect + CLEAR (%llu calls, %llu pages protected), "
              "%llu with the dirty ring (%llu harvests, %llu soft-full exits), %llu with eager splitting (%llu "
              "blocks split); the rest plain get_dirty_log\n",
              static_cast<unsigned long long>(t.api_clear), static_cast<unsigned long long>(t.api.clear_calls),
              static_cast<unsigned long long>(t.api.clear_pages_protected), static_cast<unsigned long long>(t.api_ring),
              static_cast<unsigned long long>(t.api.ring_harvests),
              static_cast<unsigned long long>(t.api.soft_full_exits),
              static_cast<unsigned long long>(t.api_eager_split), static_cast<unsigned long long>(t.api.blocks_split));
  std::string kernels;
  for (const auto& [name, n] : t.kernels) kernels += (kernels.empty() ? "" : ", ") + name + " " + std::to_string(n);
  std::printf("kernel profiles: %s\n", kernels.c_str());
  std::printf(
      "no-lost-write campaign: seed %llu, scenarios %llu..%llu (%llu), %llu runs, %llu failed scenarios; "
      "naive/v4-fixed/range: %llu guest writes checked over %llu pages, %llu lost; "
      "v4: hazards %s, %llu of %llu runs lost writes (%llu writes), %llu broke the invariant, %llu accesses abandoned; "
      "%.1f s\n",
      static_cast<unsigned long long>(a.seed), static_cast<unsigned long long>(a.first),
      static_cast<unsigned long long>(a.first + a.scenarios - 1), static_cast<unsigned long long>(t.scenarios),
      static_cast<unsigned long long>(t.runs), static_cast<unsigned long long>(t.failed_scenarios),
      static_cast<unsigned long long>(t.writes_checked), static_cast<unsigned long long>(t.pages_checked),
      static_cast<unsigned long long>(t.writes_lost),
      campaign::hazard_counts_text(t.v4_hazards).c_str(), static_cast<unsigned long long>(t.v4_lossy_runs),
      static_cast<unsigned long long>(t.scenarios), static_cast<unsigned long long>(t.v4_lost_writes),
      static_cast<unsigned long long>(t.v4_invariant_runs), static_cast<unsigned long long>(t.v4_abandoned), seconds);
  std::printf("hardware dirty state (dbm, hdbss, hacdbs on ARMv8 scenarios): %llu runs, %llu guest writes checked, %llu "
              "dirtied by the hardware without a fault, %llu cleaned from HACDBS lists (%llu left to the walker by "
              "an error)\n",
              static_cast<unsigned long long>(t.hw_runs), static_cast<unsigned long long>(t.hw_writes_checked),
              static_cast<unsigned long long>(t.hw_updates), static_cast<unsigned long long>(t.hacdbs_cleaned),
              static_cast<unsigned long long>(t.hacdbs_fallback));
  std::printf("positive controls (flush_tlbs false, snapshot after_wp, v4 on kept blocks, HACDBS without the "
              "flush): %llu runs, %llu without "
              "the certain lost write reported\n",
              static_cast<unsigned long long>(t.controls), static_cast<unsigned long long>(t.controls_failed));
  return t.failed_scenarios == 0 && t.controls_failed == 0 ? kExitPass : kExitFail;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::optional<Args> args = parse_args(argc, argv);
    if (!args) return kExitPass;
    return run_campaign(*args);
  } catch (const InputError& e) {
    std::cerr << "error: " << e.message() << "\n";
    return kExitUsage;
  }
}
