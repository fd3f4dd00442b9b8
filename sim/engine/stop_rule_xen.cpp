// libxc's rule (tools/libxc xc_domain_save, as summarised in REFERENCE.md §5): at most
// max_iterations rounds; the last round comes when the previous one sent fewer than
// min_pages pages, or when more than max_factor times the guest's memory was sent.
#include "sim/engine/stop_rule.h"

#include <cstdint>

namespace s2sim::sim {

namespace {

class XenStopRule final : public StopRule {
 public:
  explicit XenStopRule(const StopRuleConfig& cfg)
      : max_iterations_(cfg.max_iterations), min_pages_(cfg.min_pages), max_factor_(cfg.max_factor) {}

  StopDecision decide(const MigrationProgress& p) const override {
    const std::uint64_t prev_sent = p.rounds->empty() ? UINT64_MAX : p.rounds->back().pages_sent;
    if (p.round >= max_iterations_) return {true, true, "xen: " + std::to_string(max_iterations_) + " iterations"};
    if (prev_sent < min_pages_)
      return {true, false, "xen: fewer than " + std::to_string(min_pages_) + " pages sent in the last round"};
    if (static_cast<double>(p.pages_sent_total) > max_factor_ * static_cast<double>(p.slot_pages))
      return {true, true, "xen: more than " + std::to_string(max_factor_) + "x memory sent"};
    return {};
  }

 private:
  std::uint64_t max_iterations_, min_pages_;
  double max_factor_;
};

}  // namespace

void register_xen_stop_rule(StopRuleRegistry& registry) {
  registry.add(
      "xen", [](const StopRuleConfig& cfg, const Clock&) { return std::make_unique<XenStopRule>(cfg); },
      "libxc: at most max_iterations rounds, stop below min_pages sent or above max_factor x memory");
}

}  // namespace s2sim::sim
