#include "sim/engine/dirty_ring_timing.h"

#include <algorithm>

#include "sim/timing/cycle_sink.h"

namespace s2sim::sim {

std::uint64_t ring_harvest_cycles(const MachineConfig& m, std::uint64_t entries) {
  return entries * m.costs.atomic_xchg;
}

std::uint64_t ring_reset_entry_cycles(const MachineConfig& m) { return m.costs.bitmap_word_scan; }

TimedRingCollect::TimedRingCollect(RunContext& ctx, mmu::WpWalker& walker, const Agent& a)
    : ctx_(ctx), walker_(walker), start_(a.time) {}

void TimedRingCollect::harvest(Agent& a) {
  std::uint64_t entries = 0;
  for (mmu::DirtyRing& ring : ctx_.kvm.dirty_rings)
    for (const mmu::DirtyGfn& e : ring.harvest()) {
      ++entries;
      if ((e.slot & 0xFFFF) == ctx_.slot.id && e.offset < ctx_.slot.npages)
        harvested_.push_back(ctx_.slot.base_gfn + e.offset);
    }
  std::sort(harvested_.begin(), harvested_.end());
  harvested_.erase(std::unique(harvested_.begin(), harvested_.end()), harvested_.end());
  a.time += ring_harvest_cycles(ctx_.cfg.machine, entries);
  ++ctx_.res.api.ring_harvests;
  ctx_.res.api.ring_entries_harvested += entries;
}

bool TimedRingCollect::next_run(Agent& a) {
  std::vector<mmu::DirtyRing>& rings = ctx_.kvm.dirty_rings;
  while (ring_ < rings.size()) {
    if (!walk_) {
      walk_.emplace(rings[ring_]);
      walk_entries_seen_ = 0;
    }
    run_ = walk_->next_run();
    a.time += (walk_->entries() - walk_entries_seen_) * ring_reset_entry_cycles(ctx_.cfg.machine);
    walk_entries_seen_ = walk_->entries();
    if (run_) return true;
    stats_.entries_reset += walk_->entries();
    walk_.reset();
    ++ring_;
  }
  return false;
}

bool TimedRingCollect::step(Agent& a) {
  switch (phase_) {
    case Phase::Harvest:
      harvest(a);
      a.time += ctx_.cfg.machine.costs.ioctl_entry;  // KVM_RESET_DIRTY_RINGS
      phase_ = Phase::Enter;
      return false;
    case Phase::Enter:
      if (!ctx_.locks.take(ctx_.locks.slots_lock, a)) return false;
      phase_ = Phase::Run;
      return false;
    case Phase::Run: {
      if (!run_ && !next_run(a)) {
        ctx_.locks.release(ctx_.locks.slots_lock, a);
        phase_ = Phase::Flush;
        return false;
      }
      if (!ctx_.locks.take(ctx_.locks.mmu_lock, a)) return false;
      CycleSink sink(ctx_.caches, a.core);
      mmu::kvm_reset_dirty_gfn(ctx_.kvm, *run_, walker_, stats_, &sink);
      a.time += sink.cycles;
      ctx_.locks.release(ctx_.locks.mmu_lock, a);
      run_.reset();
      return false;
    }
    case Phase::Flush:
      if (stats_.entries_reset) {
        TlbShootdown::Charge charged(ctx_.shootdown, a);
        ctx_.kvm.tlb->flush_remote_tlbs();
      }
      ++ctx_.res.api.ring_resets;
      ctx_.res.api.ring_pages_protected += stats_.pages_protected;
      ctx_.res.api.ring_cycles += a.time - start_;
      if (ctx_.trace)
        ctx_.trace->complete(a.id, "dirty ring harvest + reset", start_, a.time,
                             {{"pages", harvested_.size()}, {"entries_reset", stats_.entries_reset}});
      phase_ = Phase::Done;
      return true;
    case Phase::Done: return true;
  }
  return true;
}

}  // namespace s2sim::sim
