// Lab problems are made once per (lab, seed, level) and shared by every test of the
// labs executable that only reads them (labs 4 and 6 run the engine to make one).
#pragma once

#include <cstdint>
#include <map>
#include <tuple>

#include "sim/labs/lab.h"
#include "sim/labs/lab_registry.h"

namespace s2sim::test {

inline sim::lab::ProblemId seed_id(int lab, std::uint64_t seed, sim::lab::Level level = sim::lab::Level::Normal) {
  sim::lab::ProblemId id;
  id.lab = lab;
  id.seed = seed;
  id.level = level;
  return id;
}

inline const sim::lab::Problem& cached_problem(int lab, std::uint64_t seed,
                                               sim::lab::Level level = sim::lab::Level::Normal) {
  static std::map<std::tuple<int, std::uint64_t, int>, sim::lab::Problem> cache;
  const auto key = std::tuple{lab, seed, static_cast<int>(level)};
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, sim::lab::find_lab(lab)->make(seed_id(lab, seed, level))).first;
  return it->second;
}

}  // namespace s2sim::test
