#include "sim/engine/stop_rule.h"

#include <stdexcept>

namespace s2sim::sim {

StopRuleRegistry& stop_rule_registry() {
  static StopRuleRegistry registry = [] {
    StopRuleRegistry r;
    register_qemu_stop_rule(r);
    register_xen_stop_rule(r);
    register_threshold_stop_rule(r);
    return r;
  }();
  return registry;
}

std::unique_ptr<StopRule> make_stop_rule(const StopRuleConfig& cfg, const Clock& clock) {
  const StopRuleFactory* make = stop_rule_registry().find(cfg.kind);
  if (!make) {
    std::string msg = "unknown stop rule \"" + cfg.kind + "\"";
    const std::string near = stop_rule_registry().closest(cfg.kind);
    if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
    throw std::invalid_argument(msg);
  }
  return (*make)(cfg, clock);
}

StopDecision decide_stop(const StopRule& rule, std::uint64_t max_rounds, const MigrationProgress& p) {
  if (p.round >= max_rounds) return {true, true, "max_rounds (" + std::to_string(max_rounds) + ") reached"};
  return rule.decide(p);
}

}  // namespace s2sim::sim
