#include "sim/engine/eager_split_timing.h"

#include "mmu/granule.h"
#include "sim/timing/cycle_sink.h"

namespace s2sim::sim {

std::uint64_t split_topup_cycles(const MachineConfig& m, const mmu::SplitStats& st) {
  return st.pages_topped_up * m.costs.page_copy;
}

void add_split_stats(DirtyApiStats& out, const mmu::SplitStats& st) {
  out.blocks_split += st.blocks_split_2m + st.blocks_split_1g;
  out.split_chunks += st.chunks;
  out.split_topups += st.topups;
}

TimedEagerSplit::TimedEagerSplit(RunContext& ctx, const Agent& a)
    : ctx_(ctx),
      split_(ctx.kvm, ctx.slot.base_gfn << mmu::PAGE_SHIFT, ctx.slot.end_gfn() << mmu::PAGE_SHIFT),
      start_(a.time) {}

bool TimedEagerSplit::step(Agent& a) {
  if (split_.done()) return true;
  if (!locked_) {
    if (!ctx_.locks.take(ctx_.locks.mmu_lock, a)) return false;
    locked_ = true;
  }
  const std::uint64_t t0 = a.time;
  CycleSink sink(ctx_.caches, a.core);
  mmu::EagerSplit::ChunkInfo info;
  {
    TlbShootdown::Charge charged(ctx_.shootdown, a);
    info = split_.step(&sink);
  }
  a.time += sink.cycles + split_topup_cycles(ctx_.cfg.machine, info.delta);
  ctx_.res.api.split_cycles += a.time - t0;
  add_split_stats(ctx_.res.api, info.delta);
  if (split_.done() || ctx_.locks.mmu_lock.has_waiters()) {
    ctx_.locks.release(ctx_.locks.mmu_lock, a);
    locked_ = false;
  }
  if (split_.done() && ctx_.trace)
    ctx_.trace->complete(a.id, "eager split", start_, a.time, {{"blocks", split_.stats().blocks_split_2m}});
  return split_.done();
}

}  // namespace s2sim::sim
