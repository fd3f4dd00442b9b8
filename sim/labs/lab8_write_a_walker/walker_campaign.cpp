// Lab 8's no-lost-write campaign: small migrations the cycle engine runs with the
// student's walker (walker_grade.h). Each config is built so that a typical mistake
// loses a write in it for certain: a page written over and over at the last bit of a
// bitmap word (a walker that stops before __fls), in a word straddling a pmd (one
// that uses the first page's pmd for the whole word), inside a 2 MiB block kept while
// logging (one that follows a block as a table), under host pmd unmaps.
#include "sim/config/config.h"
#include "sim/config/config_file.h"
#include "sim/engine/engine.h"
#include "sim/labs/lab8_write_a_walker/walker_grade.h"

namespace s2sim::sim::lab::walker {

namespace {

using nlohmann::json;

json migration_config(std::uint64_t seed, std::uint64_t base, std::uint64_t npages, unsigned bpl, json workload) {
  return {
      {"seed", seed},
      {"machine", "cortex-a15"},
      {"geometry", "armv7-lpae"},
      {"memslots", json::array({{{"id", 0}, {"base_gfn", base}, {"npages", npages}}})},
      {"vcpus", 1},
      {"workload", std::move(workload)},
      {"dirty_log", {{"walker", "v4-fixed"}, {"bits_per_long", bpl}}},
      {"migration",
       {{"enabled", true},
        {"link_gbps", 100},
        {"stop_rule", {{"kind", "threshold"}, {"dirty_pages", 0}, {"rounds", 3}}}}},
      {"verify", {{"enabled", true}, {"invariants", true}}},
  };
}

// One page written again and again from the start to past the stop-and-copy.
json one_page(std::uint64_t gfn, std::uint64_t ops) {
  return {{"kind", "sequential"}, {"first_gfn", gfn}, {"pages", 1},    {"passes", 0},
          {"ops", ops},           {"write_ratio", 1.0}, {"think_cycles", 500}};
}

}  // namespace

std::vector<std::pair<std::string, json>> campaign_configs() {
  std::vector<std::pair<std::string, json>> out;
  // The last page of a 32-bit word, in a slot 16 pages past a 2 MiB boundary.
  out.emplace_back("last bit of a word", migration_config(1, 0x80010, 1024, 32, one_page(0x80010 + 31, 40000)));
  // The last page of a 64-bit word that straddles a pmd: the page is past the boundary.
  out.emplace_back("last bit of a word crossing a pmd",
                   migration_config(2, 0x80028, 1024, 64, one_page(0x80028 + 7 * 64 + 63, 40000)));
  // The first page past the boundary in a 32-bit word that straddles it.
  out.emplace_back("first page past a pmd boundary",
                   migration_config(3, 0x80010, 1024, 32, one_page(0x80200, 40000)));
  // A page inside a 2 MiB block kept while logging (block_policy keep: the what-if that
  // makes a walker meet blocks in get_dirty_log).
  {
    json c = migration_config(4, 0x80000, 1024, 32, one_page(0x80205, 40000));
    c["memslots"][0]["hugepages"] = true;
    c["memslots"][0]["populate"] = true;
    c["dirty_log"]["block_policy"] = "keep";
    out.emplace_back("a 2 MiB block kept while logging", std::move(c));
  }
  // Windows centred on pmd boundaries, two vCPUs, the host unmapping pmds.
  {
    json c = migration_config(5, 0x80010, 2048, 32,
                              {{"kind", "pmd_crossing"}, {"ops", 20000}, {"window_pages", 32}, {"think_cycles", 500}});
    c["vcpus"] = 2;
    c["host"] = {{"unmap_every_ms", 1}, {"unmap", "pmd"}};
    out.emplace_back("pmd-crossing windows under host pmd unmaps", std::move(c));
  }
  // Uniform writes over a slot 7 pages past a boundary, 64-bit words, page unmaps.
  {
    json c = migration_config(6, 0x80007, 2048, 64,
                              {{"kind", "uniform"}, {"ops", 20000}, {"write_ratio", 0.7}, {"think_cycles", 500}});
    c["vcpus"] = 2;
    c["host"] = {{"unmap_every_ms", 1}, {"unmap", "page"}};
    out.emplace_back("uniform writes under host page unmaps", std::move(c));
  }
  return out;
}

CampaignMeasure measure_campaign(const WalkerFactory& make) {
  CampaignMeasure m;
  for (const auto& [name, doc] : campaign_configs()) {
    SimConfig cfg = parse_config(doc, "lab 8 campaign: " + name, configs_dir());
    cfg.dirty_log.make_walker = make;
    Engine engine(cfg);
    const RunResult r = engine.run();
    ++m.runs;
    std::uint64_t hazards = 0;
    for (const std::uint64_t h : r.hazards) hazards += h;
    m.lost_writes += r.lost_writes;
    m.invariant_violations += r.invariant_violations + r.abandoned_accesses;
    m.hazards += hazards;
    if (r.lost_writes || r.invariant_violations || r.abandoned_accesses || hazards) {
      std::string what = name + ": " + std::to_string(r.lost_writes) + " lost write(s)";
      if (!r.first_lost.empty()) what += " (first: gfn " + std::to_string(r.first_lost.front().gfn) + ")";
      what += ", " + std::to_string(r.invariant_violations) + " invariant violation(s), " + std::to_string(hazards) +
              " hazard(s)";
      if (!r.first_hazards.empty()) what += std::string(" (first: ") + mmu::to_string(r.first_hazards.front().kind) + ")";
      m.first_problems.push_back(what);
    }
  }
  return m;
}

nlohmann::json to_json(const WindowMeasure& m) {
  return {{"calls", m.calls},
          {"failures", m.failures},
          {"first_failures", m.first_failures},
          {"hazards", m.hazards},
          {"first_hazards", m.first_hazards},
          {"upper_loads", m.upper_loads},
          {"v4_upper_loads", m.v4_upper_loads}};
}

nlohmann::json to_json(const CampaignMeasure& m) {
  return {{"runs", m.runs},
          {"lost_writes", m.lost_writes},
          {"invariant_violations", m.invariant_violations},
          {"hazards", m.hazards},
          {"first_problems", m.first_problems}};
}

WindowMeasure window_measure_from(const nlohmann::json& j) {
  WindowMeasure m;
  m.calls = j.at("calls");
  m.failures = j.at("failures");
  m.first_failures = j.at("first_failures").get<std::vector<std::string>>();
  m.hazards = j.at("hazards");
  m.first_hazards = j.at("first_hazards").get<std::vector<std::string>>();
  m.upper_loads = j.at("upper_loads");
  m.v4_upper_loads = j.at("v4_upper_loads");
  return m;
}

CampaignMeasure campaign_measure_from(const nlohmann::json& j) {
  CampaignMeasure m;
  m.runs = j.at("runs");
  m.lost_writes = j.at("lost_writes");
  m.invariant_violations = j.at("invariant_violations");
  m.hazards = j.at("hazards");
  m.first_problems = j.at("first_problems").get<std::vector<std::string>>();
  return m;
}

}  // namespace s2sim::sim::lab::walker
