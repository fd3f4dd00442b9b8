// QEMU's rule (migration/ram.c, migration_iteration_run): keep iterating while the
// pending pages would take longer to send than the downtime limit allows, at the
// bandwidth measured over the last round; before any round, at the link's rate.
#include "sim/engine/stop_rule.h"

#include <cstdio>
#include <string>

namespace s2sim::sim {

namespace {

// The limit as the config wrote it: 300 stays "300", a sub-millisecond limit is not
// rounded to "0" (a limit of 0.005 ms reads "0.005").
std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", ms);
  return buf;
}

class QemuStopRule final : public StopRule {
 public:
  QemuStopRule(const StopRuleConfig& cfg, const Clock& clock)
      : limit_ms_(cfg.downtime_limit_ms), limit_cycles_(clock.cycles_in_ms(cfg.downtime_limit_ms)) {}

  StopDecision decide(const MigrationProgress& p) const override {
    double cycles_per_page = static_cast<double>(p.page_send_cycles);
    if (!p.rounds->empty() && p.rounds->back().pages_sent)
      cycles_per_page = static_cast<double>(p.rounds->back().cycles) / static_cast<double>(p.rounds->back().pages_sent);
    const double need = static_cast<double>(p.pending) * cycles_per_page;
    if (need <= limit_cycles_)
      return {true, kStopConverged,
              "qemu: " + std::to_string(p.pending) + " pending pages fit the " +
                  ms_text(limit_ms_) + " ms downtime limit"};
    return {};
  }

 private:
  double limit_ms_;
  double limit_cycles_;  // exact: the comparison does not round
};

}  // namespace

void register_qemu_stop_rule(StopRuleRegistry& registry) {
  registry.add(
      "qemu", [](const StopRuleConfig& cfg, const Clock& clock) { return std::make_unique<QemuStopRule>(cfg, clock); },
      "stop when the pending pages fit the downtime limit at the last round's bandwidth");
}

}  // namespace s2sim::sim
