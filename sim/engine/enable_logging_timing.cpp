#include "sim/engine/enable_logging_timing.h"

#include <algorithm>

#include "mmu/dirty_log.h"
#include "mmu/granule.h"
#include "mmu/wp_walker.h"
#include "sim/timing/cycle_sink.h"

namespace s2sim::sim {

using mmu::gfn_t;

TimedEnableLogging::TimedEnableLogging(RunContext& ctx, Agent& a) : ctx_(ctx), start_(a.time) {
  a.time += ctx_.cfg.machine.costs.ioctl_entry;
  mmu::kvm_start_dirty_logging(ctx_.kvm, ctx_.slot.id, ctx_.cfg.dirty_log.options.bits_per_long);
  cursor_ = ctx_.slot.base_gfn;
  walk_start_ = a.time;
  // kvm_arch_commit_memory_region() returns early with INITIALLY_SET.
  walked_ = flushed_ = !mmu::kvm_enable_logging_protects(ctx_.kvm);
}

bool TimedEnableLogging::step(Agent& a) {
  if (flushed_) {
    if (ctx_.kvm.caps.eager_split_chunk == 0 || !mmu::kvm_enable_logging_protects(ctx_.kvm)) return true;
    if (!split_) split_.emplace(ctx_, a);
    return split_->step(a);
  }
  if (walked_) {
    TlbShootdown::Charge charged(ctx_.shootdown, a);
    ctx_.kvm.tlb->flush_remote_tlbs();
    flushed_ = true;
    return ctx_.kvm.caps.eager_split_chunk == 0;
  }
  if (!ctx_.locks.take(ctx_.locks.mmu_lock, a)) return false;
  const mmu::Memslot& slot = ctx_.slot;
  const gfn_t end = std::min<gfn_t>(slot.end_gfn(), mmu::pmd_end_gfn(cursor_));
  CycleSink sink(ctx_.caches, a.core);
  mmu::S2Walk w(ctx_.kvm.pgtable, &sink, &ctx_.kvm.hazards, "enable-logging");
  mmu::WpStats stats;  // kept apart from the get_dirty_log walker's counts
  mmu::stage2_wp_range(w, cursor_ << mmu::PAGE_SHIFT, end << mmu::PAGE_SHIFT, stats);
  a.time += sink.cycles;
  cursor_ = end;
  walked_ = cursor_ >= slot.end_gfn();
  // cond_resched_lock(): with the switch on, let a waiter in, but only where the
  // kernel checks: stage2_wp_range() tests need_resched() || spin_needbreak() once per
  // pgd entry, at the top of its loop (Linux 4.0 arch/arm/kvm/mmu.c, stage2_wp_range),
  // so the lock drops at most once per 1 GiB of IPA on ARMv7 LPAE, never between the
  // 2 MiB chunks this walk is stepped in.
  const std::uint64_t pgd_pages = mmu::Geometry::level_size(ctx_.kvm.pgtable.geometry().pgd_level()) >> mmu::PAGE_SHIFT;
  const bool pgd_boundary = cursor_ % pgd_pages == 0;
  if (walked_ || (ctx_.cfg.dirty_log.resched_lock && pgd_boundary && ctx_.locks.mmu_lock.has_waiters()))
    ctx_.locks.release(ctx_.locks.mmu_lock, a);
  return false;
}

}  // namespace s2sim::sim
