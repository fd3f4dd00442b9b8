#include "sim/engine/host_agent.h"

#include <algorithm>

#include "mmu/fault_handler.h"
#include "sim/timing/cycle_sink.h"

namespace s2sim::sim {

namespace {

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

HostAgent::HostAgent(RunContext& ctx)
    : ctx_(ctx),
      period_(std::max<std::uint64_t>(1, ctx.cfg.machine.clock().ms_to_cycles(ctx.cfg.host.unmap_every_ms))),
      rng_(ctx.cfg.seed ^ 0x5157AB1Eull),
      whole_pmd_(ctx.cfg.host.unmap == "pmd") {}

void HostAgent::step(Agent& a) {
  if (!ctx_.locks.take(ctx_.locks.mmu_lock, a)) return;
  const std::uint64_t t0 = a.time;
  const mmu::gfn_t gfn = ctx_.slot.base_gfn + splitmix(rng_) % ctx_.slot.npages;
  CycleSink sink(ctx_.caches, a.core);
  bool did = false;
  {
    TlbShootdown::Charge charged(ctx_.shootdown, a);
    did = whole_pmd_ ? mmu::kvm_unmap_pmd_range(ctx_.kvm, gfn, &sink) : mmu::kvm_unmap_gfn(ctx_.kvm, gfn, &sink);
  }
  ctx_.res.host_unmaps += did;
  a.time += sink.cycles;
  ctx_.locks.release(ctx_.locks.mmu_lock, a);
  if (ctx_.trace) ctx_.trace->complete(a.id, "host unmap", t0, a.time, {{"gfn", gfn}, {"unmapped", did ? 1u : 0u}});
  a.time += period_;
}

}  // namespace s2sim::sim
