#include "campaign/positive_controls.h"

#include <algorithm>

#include "workloads/prng.h"

namespace s2sim::campaign {
namespace {

using nlohmann::json;

constexpr std::uint64_t kControlStream = 0x6374726c;  // "ctrl"
constexpr std::uint64_t kPagesPerPmd = 512;
constexpr std::uint64_t kVexpressRamGfn = 0x80000;  // guest RAM at IPA 2 GiB
constexpr const char* kKinds[] = {"no_flush", "after_wp", "v4_block", "hacdbs_no_flush"};
constexpr std::uint64_t kScenariosPerControl = 25;
// A page send at 100 Gbit/s is page_copy (2,500 cycles on both machines): the
// migration lasts at most about npages x 2,500 cycles plus a few million for enabling
// logging and the later rounds. The guest must still be writing P when it ends.
constexpr std::uint64_t kSendCyclesBound = 3000, kFixedCyclesBound = 4000000;

template <typename T, std::size_t N>
T pick(workloads::Rng& r, const T (&items)[N]) {
  return items[r.below(N)];
}

}  // namespace

std::uint64_t positive_controls_for(std::uint64_t scenarios) {
  return std::max<std::uint64_t>(std::size(kKinds), (scenarios + kScenariosPerControl - 1) / kScenariosPerControl);
}

PositiveControl draw_positive_control(std::uint64_t campaign_seed, std::uint64_t index) {
  workloads::Rng r(workloads::derive_seed(campaign_seed, index, kControlStream));
  PositiveControl c;
  c.kind = kKinds[index % std::size(kKinds)];
  const bool v4_block = c.kind == "v4_block", after_wp = c.kind == "after_wp";
  const bool hacdbs = c.kind == "hacdbs_no_flush";

  static const char* const kMachines[] = {"cortex-a15", "cortex-a57"};
  static const char* const kGeometries[] = {"armv7-lpae", "armv8-3level", "armv8-4level"};
  static const unsigned kBits[] = {32, 64};
  const unsigned bpl = pick(r, kBits);

  // The slot: anywhere in the first 64 GiB of RAM, 2 MiB aligned or not (v4_block:
  // aligned, so that no bitmap word's window crosses a pmd).
  std::uint64_t base = kVexpressRamGfn + r.below(std::uint64_t{1} << 24);
  std::uint64_t npages;
  if (v4_block) {
    base -= base % kPagesPerPmd;
    npages = kPagesPerPmd * (1 + r.below(4));
  } else if (after_wp) {
    npages = std::uint64_t{1024} * bpl;  // 1,024 bitmap words: P's word is snapshotted last
  } else {
    npages = kPagesPerPmd + r.below(16 * kPagesPerPmd);
  }
  // P: the slot's last page for after_wp (the last word's snapshot comes ~35,000
  // cycles after the unlock), anywhere otherwise.
  c.page = after_wp ? base + npages - 1 : base + r.below(npages);
  const std::uint64_t think = 300 + r.below(701);
  const std::uint64_t ops = 2 * (npages * kSendCyclesBound + kFixedCyclesBound) / think;

  c.config = {
      {"comment", std::string("positive control ") + c.kind + ": the verifier must report gfn " +
                      std::to_string(c.page) + "'s last write lost (tests/campaign/positive_controls.h)"},
      {"seed", r.next() & 0xFFFFFFFF},
      {"machine", hacdbs ? "cortex-a57" : pick(r, kMachines)},
      {"geometry", hacdbs ? (r.below(2) ? "armv8-3level" : "armv8-4level") : pick(r, kGeometries)},
      {"memslots", json::array({{{"id", 0}, {"base_gfn", base}, {"npages", npages}, {"hugepages", v4_block},
                                 {"populate", v4_block}}})},
      {"vcpus", 1},
      {"workload",
       {{"kind", "sequential"}, {"first_gfn", c.page}, {"pages", 1}, {"passes", 0}, {"ops", ops},
        {"write_ratio", 1.0}, {"think_cycles", think}}},
      {"dirty_log",
       {{"walker", v4_block ? "v4" : (r.below(2) ? "naive" : "v4-fixed")},
        {"bits_per_long", bpl},
        {"flush_tlbs", c.kind != "no_flush" && !hacdbs},
        {"snapshot", after_wp ? "after_wp" : "kernel"},
        {"flush_placement", r.below(2) ? "seed" : "merged"},
        {"block_policy", v4_block ? "keep" : "dissolve"}}},
      {"migration",
       {{"enabled", true},
        {"link_gbps", 100},
        {"start_ms", 0},
        {"stop_rule", {{"kind", "threshold"}, {"dirty_pages", 0}, {"rounds", 3}}}}},
      {"verify", {{"enabled", true}, {"invariants", true}}},
  };
  // HACDBS cleans P in the tables only (D8.5.2.4: the PE need not update any TLB copy):
  // without the flush the vCPU keeps writing through its writable entry, unlogged.
  if (hacdbs) c.config["dirty_log"]["hw_dirty"] = "hacdbs";
  return c;
}

std::vector<std::string> positive_control_problems(const PositiveControl& c, const sim::RunResult& r) {
  std::vector<std::string> out;
  if (!r.verify_enabled) out.push_back("the verifier did not run");
  if (r.rounds.empty() || !r.rounds.back().stop_and_copy) out.push_back("migration did not reach stop-and-copy");
  if (r.lost_writes != 1 || r.first_lost.empty() || r.first_lost.front().gfn != c.page)
    out.push_back("the verifier reported " + std::to_string(r.lost_writes) + " lost writes" +
                  (r.first_lost.empty() ? std::string() : " (first: gfn " + std::to_string(r.first_lost.front().gfn) + ")") +
                  "; the schedule makes exactly one certain: gfn " + std::to_string(c.page) + "'s last write");
  // The page is writable (in the tables or a TLB) with a clean bit after round 2's
  // get_dirty_log: the invariant checker must see it.
  if (r.invariant_violations == 0) out.push_back("the invariant checker saw no violation");
  if (r.verify_ok()) out.push_back("verify_ok() is true");
  return out;
}

}  // namespace s2sim::campaign
