#include "sim/engine/dirty_log_timing.h"

#include "sim/timing/cycle_sink.h"

namespace s2sim::sim {

using S = mmu::GetDirtyLog::Step;

namespace {

// get_dirty_log steps grouped into the phases of the timeline.
enum GdlPhase : int { kGdlLock, kGdlWords, kGdlFlush, kGdlUnlock, kGdlSnapshot, kGdlCopyOut };

int gdl_phase(S s) {
  switch (s) {
    case S::Word: return kGdlWords;
    case S::Flush: return kGdlFlush;
    case S::UnlockMmu:
    case S::UnlockSlots: return kGdlUnlock;
    case S::Snapshot: return kGdlSnapshot;
    case S::CopyOut: return kGdlCopyOut;
    case S::LockSlots:
    case S::Validate:
    case S::ZeroBuffer:
    case S::LockMmu:
    case S::Done: break;
  }
  return kGdlLock;
}

const char* gdl_phase_name(int phase) {
  switch (phase) {
    case kGdlWords: return "get_dirty_log: words + write-protect";
    case kGdlFlush: return "get_dirty_log: flush";
    case kGdlUnlock: return "get_dirty_log: unlock";
    case kGdlSnapshot: return "get_dirty_log: snapshot";
    case kGdlCopyOut: return "get_dirty_log: copy_to_user";
    default: return "get_dirty_log: enter + lock";
  }
}

}  // namespace

DirtyLogCharge DirtyLogCostModel::step(const mmu::GetDirtyLog::StepInfo& info, const mmu::DirtyBitmap& bitmap) const {
  const Costs& c = m_.costs;
  switch (info.step) {
    case S::ZeroBuffer: return {&GetDirtyLogPhases::entry, bitmap.nwords() * c.bitmap_word_scan};
    case S::Word: return {&GetDirtyLogPhases::words, c.bitmap_word_scan + (info.mask ? c.atomic_xchg : 0)};
    case S::Snapshot: return {&GetDirtyLogPhases::snapshot, c.bitmap_word_scan + c.atomic_xchg};
    case S::Flush: return {&GetDirtyLogPhases::flush, info.flushed ? flush_remote_tlbs_cycles(m_) : 0};
    case S::CopyOut: return {&GetDirtyLogPhases::copy_out, bitmap.bytes() * c.copy_to_user_per_byte};
    case S::Validate: return {&GetDirtyLogPhases::entry, 0};
    case S::LockSlots:
    case S::LockMmu:
    case S::UnlockMmu:
    case S::UnlockSlots: return {&GetDirtyLogPhases::lock, 0};
    case S::Done: break;
  }
  return {};
}

TimedGetDirtyLog::TimedGetDirtyLog(RunContext& ctx, mmu::WpWalker& walker, const Agent& a)
    : ctx_(ctx),
      model_(ctx.cfg.machine),
      call_(ctx.kvm, ctx.slot.id, walker, ctx.cfg.dirty_log.options),
      start_(a.time),
      lock_wait_seen_(a.lock_wait) {
  if (ctx.hw_dirty) sync_.emplace(ctx, *ctx.hw_dirty);
}

bool TimedGetDirtyLog::take(SimLock& lock, Agent& a) {
  GetDirtyLogPhases& ph = ctx_.res.dl_phases;
  const std::uint64_t before = a.time, wait0 = a.lock_wait;
  if (!ctx_.locks.take(lock, a)) return false;  // a wait it ended with is counted at the next step
  const std::uint64_t waited = a.lock_wait - wait0;
  ph.lock_wait += waited;
  ph.lock += a.time - before - waited;
  lock_wait_seen_ = a.lock_wait;
  return true;
}

bool TimedGetDirtyLog::step(Agent& a, unsigned round) {
  RunResult& res = ctx_.res;
  GetDirtyLogPhases& ph = res.dl_phases;
  // A wait that ended in a hand-over was charged between this agent's steps.
  ph.lock_wait += a.lock_wait - lock_wait_seen_;
  lock_wait_seen_ = a.lock_wait;

  if (sync_ && (call_.next_step() == S::ZeroBuffer || call_.next_step() == S::CopyOut)) {
    // kvm_get_dirty_log_protect() calls kvm_arch_sync_dirty_log() once the slot is
    // validated, before it reads the bitmap.
    const std::uint64_t before = a.time, wait0 = a.lock_wait;
    const bool synced = sync_->step(a);
    ph.hw_sync += a.time - before - (a.lock_wait - wait0);
    if (synced) sync_.reset();
    return false;
  }
  const S step = call_.next_step();
  if (ctx_.trace && gdl_phase(step) != seg_phase_) {
    close_segment(a);
    seg_phase_ = gdl_phase(step);
    seg_begin_ = seg_end_ = a.time;
  }
  auto charge = [&](const DirtyLogCharge& c) {
    a.time += c.cycles;
    if (c.phase) ph.*c.phase += c.cycles;
  };
  bool stepped = true;
  switch (step) {
    case S::LockSlots:
      if (!entered_) {
        charge(model_.entry());
        entered_ = true;
      }
      stepped = take(ctx_.locks.slots_lock, a);
      if (stepped) call_.step();
      break;
    case S::LockMmu:
      stepped = take(ctx_.locks.mmu_lock, a);
      if (stepped) call_.step();
      break;
    case S::UnlockMmu:
      call_.step();
      ctx_.locks.release(ctx_.locks.mmu_lock, a);
      break;
    case S::UnlockSlots:
      call_.step();
      ctx_.locks.release(ctx_.locks.slots_lock, a);
      break;
    case S::Word:
    case S::Snapshot: {
      CycleSink sink(ctx_.caches, a.core);
      const CacheCoreStats before = ctx_.caches.stats(a.core);
      const mmu::GetDirtyLog::StepInfo info = call_.step(&sink);
      // The migration thread has a core of its own: what its cache counters moved by
      // in this step is the walker's accesses.
      const CacheCoreStats moved = ctx_.caches.stats(a.core) - before;
      charge(model_.step(info, *ctx_.slot.dirty_bitmap));
      charge({&GetDirtyLogPhases::write_protect, sink.cycles});
      if (ctx_.hw_dirty) charge({&GetDirtyLogPhases::write_protect, ctx_.hw_dirty->charge_hacdbs(a.core)});
      res.dl_loads += sink.loads;
      res.dl_stores += sink.stores;
      res.dl_loads_where += moved.loads;
      res.dl_stores_where += moved.stores;
      ++seg_steps_;
      seg_dirty_words_ += info.mask != 0;
      break;
    }
    case S::Flush: {
      // kvm_flush_remote_tlbs() reaches the TLB shootdown, which charges this agent
      // what the cost model gives for the step (flush_remote_tlbs_cycles).
      const std::uint64_t before = a.time;
      {
        TlbShootdown::Charge charged(ctx_.shootdown, a);
        call_.step();
      }
      ph.flush += a.time - before;
      break;
    }
    case S::Validate:
    case S::ZeroBuffer:
    case S::CopyOut:
      charge(model_.step(call_.step(), *ctx_.slot.dirty_bitmap));
      break;
    case S::Done:
      break;
  }
  seg_end_ = a.time;
  if (!stepped) return false;
  res.dl_cycles = ph.work();
  if (call_.done() && ctx_.trace) {
    close_segment(a);
    ctx_.trace->complete(a.id, "get_dirty_log", start_, a.time,
                         {{"round", round}, {"pages_reported", call_.pages_reported()}});
  }
  return call_.done();
}

void TimedGetDirtyLog::close_segment(const Agent& a) {
  if (seg_phase_ < 0) return;
  if (seg_end_ > seg_begin_) {
    if (seg_phase_ == kGdlWords)
      ctx_.trace->complete(a.id, gdl_phase_name(seg_phase_), seg_begin_, seg_end_,
                           {{"words", seg_steps_}, {"dirty_words", seg_dirty_words_}});
    else
      ctx_.trace->complete(a.id, gdl_phase_name(seg_phase_), seg_begin_, seg_end_);
  }
  seg_phase_ = -1;
  seg_steps_ = seg_dirty_words_ = 0;
}

}  // namespace s2sim::sim
