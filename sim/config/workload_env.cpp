#include "sim/config/workload_env.h"

#include <algorithm>
#include <stdexcept>

namespace s2sim::sim {

workloads::WorkloadEnv workload_env(const SimConfig& cfg) {
  const auto slot = std::find_if(cfg.memslots.begin(), cfg.memslots.end(),
                                 [&](const MemslotConfig& m) { return m.id == cfg.migration.slot; });
  // parse_config rejects a migration slot no memslot has.
  if (slot == cfg.memslots.end()) throw std::logic_error("workload_env: no memslot is the migration slot");
  workloads::WorkloadEnv env;
  env.vcpus = cfg.vcpus;
  env.seed = cfg.seed;
  env.clock_hz = cfg.machine.clock_hz;
  env.slot_base_gfn = slot->base_gfn;
  env.slot_npages = slot->npages;
  env.ipa_bits = cfg.geometry.ipa_bits;
  env.config_file = cfg.file;
  env.base_dir = cfg.base_dir;
  return env;
}

}  // namespace s2sim::sim
