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
//
// The pieces: tune_lab.h (the grid's choices and their outcomes, outcome.cpp), the
// lab itself (tune_lab.cpp: grid search, budget, texts), the workload config it
// draws per seed (lab_config.cpp) and the grading of a student's config
// (check_config.cpp).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/engine/run_result.h"
#include "sim/labs/lab.h"

namespace s2sim::sim::lab::tune {

using ojson = nlohmann::ordered_json;

inline constexpr const char* kGridWalker = "v4-fixed";
inline constexpr std::uint64_t kGridMaxRounds = 10;  // enough: after a few rounds the dirty set no longer shrinks

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
  std::vector<std::uint64_t> sent;   // pages sent per round (round 0: the whole slot; the last: stop-and-copy)
};

double round3(double ms);
std::string ms3(double ms);
nlohmann::json plain(const ojson& d);
// The lab's config with the choice's three keys set.
nlohmann::json with_choice(const nlohmann::json& lab_doc, const Choice& c);
Outcome outcome_of(const RunResult& r, const Choice& c);
Outcome run_choice(const nlohmann::json& lab_doc, const Choice& c, const std::string& name);
// The dirty pages each round found, the last (stop-and-copy) starred; a long run
// shows its first 12 rounds and its last.
std::string dirty_text(const Outcome& o);
// The grid: stop after round k (threshold), QEMU's rule at a few downtime limits,
// Xen's rule as libxc has it.
std::vector<Choice> grid();
// grid()[kLongestFixedStop]: threshold with rounds=6, the longest fixed stop it tries.
inline constexpr std::size_t kLongestFixedStop = 5;

enum class Budget { Downtime, Pages };  // the limit given; the other quantity is optimized

struct Limits {
  Budget budget = Budget::Downtime;
  double downtime_ms = 0;
  std::uint64_t pages = 0;
  std::size_t best = 0;  // index of the grid's best run within the budget
};

bool passes(const Outcome& o, const Limits& l);

// The figures (figures.cpp): the starting config's rounds against the limits and the
// budget on the downtime x pages plane; the solved ones add the grid's best run and
// every grid run (l.best indexes `runs`).
void add_figures(Problem& p, const Limits& l, const Outcome& start, const std::vector<Outcome>& runs);

}  // namespace s2sim::sim::lab::tune
