// Migration stop rules: after each pre-copy round's get_dirty_log, whether to go on
// with another round or stop the guest for stop-and-copy. Each rule is registered by
// name (util/registry.h, the shape walkers and workloads share) and chosen by the
// config's migration.stop_rule.kind:
//
//   qemu       go on while the pending pages would take longer than the downtime
//              limit at the bandwidth measured over the last round (QEMU's rule)
//   xen        libxc's: at most max_iterations rounds; stop when the last round sent
//              fewer than min_pages, or more than max_factor times memory was sent
//   threshold  stop when at most dirty_pages are pending, or after `rounds` rounds
//
// Whatever the rule, max_rounds (decide_stop) forces stop-and-copy.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/config/config.h"
#include "sim/engine/run_result.h"
#include "sim/timing/clock.h"
#include "util/registry.h"

namespace s2sim::sim {

// What a rule sees when a pre-copy round's get_dirty_log has returned.
struct MigrationProgress {
  unsigned round = 0;                              // the round whose pages are pending
  std::uint64_t pending = 0;                       // pages to send
  const std::vector<RoundStats>* rounds = nullptr;  // the finished rounds, oldest first
  std::uint64_t pages_sent_total = 0;              // over the finished rounds
  std::uint64_t slot_pages = 0;                    // the migrated memslot's size
  std::uint64_t page_send_cycles = 0;              // one page at the link's rate
};

struct StopDecision {
  bool stop = false;
  bool forced = false;  // stopped by a limit, not because the pages converged
  std::string reason;   // why it stopped (the result's stop_reason); empty to go on
};

class StopRule {
 public:
  virtual ~StopRule() = default;
  virtual StopDecision decide(const MigrationProgress& p) const = 0;
};

// Builds a rule from its config; the clock turns its time limits into cycles.
using StopRuleFactory = std::function<std::unique_ptr<StopRule>(const StopRuleConfig&, const Clock&)>;
using StopRuleRegistry = util::Registry<StopRuleFactory>;

// The process-wide registry, holding the built-in rules from first use on.
StopRuleRegistry& stop_rule_registry();

// The rule named by `cfg.kind`. Throws std::invalid_argument for a name nobody
// registered (the config loader refuses those first).
std::unique_ptr<StopRule> make_stop_rule(const StopRuleConfig& cfg, const Clock& clock);

// The rule's decision, after the safety net every rule shares: from round max_rounds
// on, stop-and-copy is forced.
StopDecision decide_stop(const StopRule& rule, std::uint64_t max_rounds, const MigrationProgress& p);

// The built-in rules, one file each.
void register_qemu_stop_rule(StopRuleRegistry& registry);
void register_xen_stop_rule(StopRuleRegistry& registry);
void register_threshold_stop_rule(StopRuleRegistry& registry);

}  // namespace s2sim::sim
