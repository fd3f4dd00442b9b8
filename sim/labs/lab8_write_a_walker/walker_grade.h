// What `s2sim lab check 8` measures on a walker (in the process that runs it; see
// walker_sandbox.h for the child process that contains a crashing plug-in):
//   windows   direct calls on hand-built tables around 2 MiB (and 1 GiB) boundaries:
//             every slot alignment class, 32- and 64-bit words, every word of the slot,
//             full / first / last / first+last / scattered masks, on tables that are
//             fully mapped, have holes, miss the pmd of the window's first or last
//             page, or map it with a 2 MiB block. Each page whose bit is set and is
//             mapped must be read-only afterwards; pages outside [__ffs, __fls] must
//             be left alone; hazards and mask_abandoned are counted.
//   campaign  the no-lost-write campaign: a fixed set of small migrations run by the
//             cycle engine with the walker (unaligned slots, pages at the last bit of
//             a word, 2 MiB blocks kept while logging, host unmaps), verifier and
//             invariant checker on.
//   loads     upper-level (pgd/pmd) descriptor loads on fully mapped tables, against
//             the 2014 seed's crosses_pmd walker (v4) on the same calls.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mmu/wp_walker.h"

namespace s2sim::sim::lab::walker {

using WalkerFactory = std::function<std::unique_ptr<mmu::WpWalker>()>;

struct WindowMeasure {
  std::uint64_t calls = 0;
  std::uint64_t failures = 0;           // pages left writable or protected outside the window
  std::vector<std::string> first_failures;
  std::uint64_t hazards = 0;
  std::vector<std::string> first_hazards;
  std::uint64_t upper_loads = 0;     // on fully mapped tables
  std::uint64_t v4_upper_loads = 0;  // v4 on the same calls
};
WindowMeasure measure_windows(const WalkerFactory& make);

struct CampaignMeasure {
  unsigned runs = 0;
  std::uint64_t lost_writes = 0;
  std::uint64_t invariant_violations = 0;
  std::uint64_t hazards = 0;
  std::vector<std::string> first_problems;  // per run: what went wrong
};
CampaignMeasure measure_campaign(const WalkerFactory& make);
// The campaign's configs (for the handout and tests): name and config document.
std::vector<std::pair<std::string, nlohmann::json>> campaign_configs();

nlohmann::json to_json(const WindowMeasure& m);
nlohmann::json to_json(const CampaignMeasure& m);
WindowMeasure window_measure_from(const nlohmann::json& j);
CampaignMeasure campaign_measure_from(const nlohmann::json& j);

}  // namespace s2sim::sim::lab::walker
