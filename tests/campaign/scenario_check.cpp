#include "campaign/scenario_check.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace s2sim::campaign {
namespace {

std::uint64_t total(const std::array<std::uint64_t, mmu::kHazardKinds>& counts) {
  return std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
}

std::uint64_t migrated_slot_pages(const sim::SimConfig& cfg) {
  for (const auto& m : cfg.memslots)
    if (m.id == cfg.migration.slot) return m.npages;
  return 0;
}

// Problems shared by every walker: the run must have gone all the way to a verified
// stop-and-copy, and its own totals must agree with each other.
void check_completed(const sim::RunResult& r, const sim::SimConfig& cfg, std::vector<std::string>& out) {
  if (!r.verify_enabled) out.push_back("the verifier did not run");
  if (r.rounds.empty() || !r.rounds.back().stop_and_copy) out.push_back("migration did not reach stop-and-copy");
  // The verifier compares every page the guest wrote in the slot, and only those.
  const std::uint64_t npages = migrated_slot_pages(cfg);
  if (r.checked_pages != r.distinct_pages_written || r.checked_pages > npages)
    out.push_back("the verifier checked " + std::to_string(r.checked_pages) + " pages of the slot's " +
                  std::to_string(npages) + ", but the guest wrote " + std::to_string(r.distinct_pages_written));
  std::uint64_t sent = 0;
  for (const auto& round : r.rounds) sent += round.pages_sent;
  if (sent != r.pages_sent_total)
    out.push_back("rounds sent " + std::to_string(sent) + " pages but pages_sent_total is " +
                  std::to_string(r.pages_sent_total));
  if (r.reads + r.writes != r.ops)
    out.push_back("reads + writes (" + std::to_string(r.reads + r.writes) + ") != ops (" + std::to_string(r.ops) + ")");
}

// Every drawn workload stays inside the migrated slot, so no access is MMIO; and the
// engine gives up on an access whose faults make no progress (counted as abandoned,
// which also fails verification): either would drop a guest access unnoticed.
void check_no_abandoned_access(const sim::RunResult& r, std::vector<std::string>& out) {
  if (r.mmio_aborts != 0) out.push_back(std::to_string(r.mmio_aborts) + " guest accesses taken as MMIO");
  if (r.abandoned_accesses != 0)
    out.push_back(std::to_string(r.abandoned_accesses) + " guest accesses abandoned after repeated faults");
}

std::string describe(const sim::LostWrite& w) {
  return "gfn " + std::to_string(w.gfn) + " at version " + std::to_string(w.source_version) + ", copied " +
         std::to_string(w.copied_version) + ", last written at cycle " + std::to_string(w.last_write_cycle) +
         " in round " + std::to_string(w.round);
}

}  // namespace

std::string hazard_counts_text(const std::array<std::uint64_t, mmu::kHazardKinds>& counts) {
  std::string s;
  for (std::size_t k = 0; k < mmu::kHazardKinds; ++k) {
    if (!s.empty()) s += ' ';
    s += std::string(mmu::to_string(static_cast<mmu::HazardKind>(k))) + "=" + std::to_string(counts[k]);
  }
  return s;
}

std::vector<std::string> correct_walker_problems(const sim::RunResult& r, const sim::SimConfig& cfg) {
  std::vector<std::string> out;
  check_completed(r, cfg, out);
  check_no_abandoned_access(r, out);
  if (r.lost_writes != 0) {
    std::string s = std::to_string(r.lost_writes) + " lost writes";
    if (!r.first_lost.empty()) s += " (first: " + describe(r.first_lost.front()) + ")";
    out.push_back(s);
  }
  if (r.invariant_violations != 0) {
    std::string s = std::to_string(r.invariant_violations) + " invariant violations";
    if (!r.first_invariant_violations.empty()) s += " (first: " + r.first_invariant_violations.front() + ")";
    out.push_back(s);
  }
  if (!r.verify_ok()) out.push_back("verify_ok() is false");
  if (total(r.hazards) != 0) {
    std::string s = "hazards: " + hazard_counts_text(r.hazards);
    if (!r.first_hazards.empty()) {
      const mmu::Hazard& h = r.first_hazards.front();
      s += " (first: " + std::string(mmu::to_string(h.kind)) + " by " + (h.walker ? h.walker : "?") + " at IPA " +
           std::to_string(h.ipa) + ", level " + std::to_string(h.level) + ")";
    }
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> v4_problems(const sim::RunResult& r, const sim::SimConfig& cfg) {
  std::vector<std::string> out;
  check_completed(r, cfg, out);
  // Counts are kept by kind, so a count can only be of a named kind; the log of
  // first hazards is what could hold anything else.
  for (const mmu::Hazard& h : r.first_hazards) {
    const auto kind = static_cast<std::size_t>(h.kind);
    if (kind >= mmu::kHazardKinds || std::strcmp(mmu::to_string(h.kind), "?") == 0)
      out.push_back("a hazard of unnamed kind " + std::to_string(kind));
    else if (r.hazards[kind] == 0)
      out.push_back(std::string("a logged ") + mmu::to_string(h.kind) + " hazard that its count does not include");
    if (h.walker == nullptr || h.walker[0] == '\0') out.push_back("a hazard that names no walker");
  }
  const std::uint64_t logged = std::min<std::uint64_t>(total(r.hazards), mmu::HazardLog::kKeep);
  if (r.first_hazards.size() != logged)
    out.push_back("the hazard log keeps " + std::to_string(r.first_hazards.size()) + " hazards for a total of " +
                  std::to_string(total(r.hazards)));
  return out;
}

}  // namespace s2sim::campaign
