// A plain threshold, for experiments and teaching: stop when at most dirty_pages
// pages are pending, or once `rounds` rounds have run (0: no round limit).
#include "sim/engine/stop_rule.h"

namespace s2sim::sim {

namespace {

class ThresholdStopRule final : public StopRule {
 public:
  explicit ThresholdStopRule(const StopRuleConfig& cfg) : dirty_pages_(cfg.dirty_pages), rounds_(cfg.rounds) {}

  StopDecision decide(const MigrationProgress& p) const override {
    if (p.pending <= dirty_pages_)
      return {true, false,
              "threshold: " + std::to_string(p.pending) + " dirty pages <= " + std::to_string(dirty_pages_)};
    if (rounds_ && p.round >= rounds_) return {true, false, "threshold: " + std::to_string(rounds_) + " rounds"};
    return {};
  }

 private:
  std::uint64_t dirty_pages_, rounds_;
};

}  // namespace

void register_threshold_stop_rule(StopRuleRegistry& registry) {
  registry.add(
      "threshold",
      [](const StopRuleConfig& cfg, const Clock&) { return std::make_unique<ThresholdStopRule>(cfg); },
      "stop at or below dirty_pages pending pages, or after `rounds` rounds");
}

}  // namespace s2sim::sim
