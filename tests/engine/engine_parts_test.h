// A hand-built run for testing the engine's parts one at a time: the Cortex-A15
// machine, one 512-page memslot at gfn 0x40000 (IPA 1 GiB), the agents' scheduling
// state, locks, TLB shootdown, verifier and result, wired into a RunContext the way
// the engine wires them.
#pragma once

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "mmu/kvm.h"
#include "sim/config/config.h"
#include "sim/engine/agent.h"
#include "sim/engine/lock_arbiter.h"
#include "sim/engine/run_context.h"
#include "sim/engine/tlb_shootdown.h"
#include "sim/engine/verifier.h"
#include "sim/timing/cache_model.h"

namespace s2sim::sim::test {

inline SimConfig parts_config(bool migration) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "seed": 1, "machine": "cortex-a15", "geometry": "armv7-lpae", "vcpus": 2,
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 512}],
    "workload": {"kind": "uniform", "ops": 1},
    "verify": {"enabled": true}
  })");
  j["migration"] = {{"enabled", migration}};
  return parse_config(j, "engine_parts_test.json", configs_dir());
}

// gfn 0x40000: the memslot's first page.
inline constexpr mmu::gfn_t kBaseGfn = 0x40000;

struct Parts {
  explicit Parts(bool migration = false)
      : cfg(parts_config(migration)),
        shootdown(cfg.machine, 1, nullptr),
        kvm(mmu::KvmOptions{}, &shootdown),
        caches(cfg.vcpus + 2, cfg.machine.l1d, cfg.machine.l2, cfg.machine.dram_latency_cycles),
        locks(agents, cfg.machine.costs, nullptr) {
    kvm.memslots.add(0, kBaseGfn, 512, false, cfg.geometry.ipa_bits);
    slot = kvm.memslots.by_id(0);
    pages = std::make_unique<LostWriteVerifier>(slot->npages, migration);
    for (unsigned i = 0; i < cfg.vcpus; ++i) agents.push_back(Agent{Agent::Kind::Vcpu, i, i, static_cast<int>(i)});
    agents.push_back(Agent{Agent::Kind::Migration, 0, cfg.vcpus, static_cast<int>(cfg.vcpus)});
    ctx = std::make_unique<RunContext>(RunContext{cfg, kvm, *slot, caches, locks, shootdown, *pages, nullptr, res});
  }
  Agent& migration_agent() { return agents.back(); }

  SimConfig cfg;
  RunResult res;
  std::vector<Agent> agents;
  TlbShootdown shootdown;
  mmu::Kvm kvm;
  CacheHierarchy caches;
  LockArbiter locks;
  mmu::Memslot* slot = nullptr;
  std::unique_ptr<LostWriteVerifier> pages;
  std::unique_ptr<RunContext> ctx;
};

}  // namespace s2sim::sim::test
