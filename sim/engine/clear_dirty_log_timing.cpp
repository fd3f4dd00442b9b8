#include "sim/engine/clear_dirty_log_timing.h"

#include <stdexcept>
#include <string>

#include "sim/engine/eager_split_timing.h"
#include "sim/engine/hw_dirty.h"
#include "sim/timing/cycle_sink.h"

namespace s2sim::sim {

using S = mmu::ClearDirtyLog::Step;

std::uint64_t clear_step_cycles(const MachineConfig& m, const mmu::ClearDirtyLog::StepInfo& info,
                                std::uint64_t user_bytes) {
  const Costs& c = m.costs;
  switch (info.step) {
    case S::CopyIn: return user_bytes * c.copy_to_user_per_byte;
    case S::Word: return c.bitmap_word_scan + (info.mask ? c.atomic_xchg : 0) + split_topup_cycles(m, info.split);
    default: return 0;
  }
}

mmu::ClearDirtyLogArgs whole_slot_clear_args(const mmu::Memslot& slot, const std::vector<std::uint64_t>& user_bitmap,
                                             unsigned bits_per_long) {
  mmu::ClearDirtyLogArgs args;
  args.slot = slot.id;
  args.first_page = 0;
  args.num_pages = slot.npages;
  // KVM_CLEAR_DIRTY_LOG reads 64-bit words whatever BITS_PER_LONG is: pack pairs of
  // 32-bit words, low word first (little-endian, as the user's buffer lies in memory).
  if (bits_per_long == 64) {
    args.bitmap = user_bitmap;
  } else {
    args.bitmap.assign((user_bitmap.size() + 1) / 2, 0);
    for (std::size_t i = 0; i < user_bitmap.size(); ++i)
      args.bitmap[i / 2] |= (user_bitmap[i] & 0xFFFFFFFFull) << (32 * (i % 2));
  }
  args.bitmap.resize((slot.npages + 63) / 64, 0);
  return args;
}

TimedClearDirtyLog::TimedClearDirtyLog(RunContext& ctx, mmu::WpWalker& walker, mmu::ClearDirtyLogArgs args,
                                       const Agent& a)
    : ctx_(ctx),
      call_(ctx.kvm, args, walker),
      start_(a.time),
      user_bytes_(args.bitmap.size() * sizeof(std::uint64_t)) {}

bool TimedClearDirtyLog::step(Agent& a) {
  const Costs& c = ctx_.cfg.machine.costs;
  switch (call_.next_step()) {
    case S::LockSlots:
      if (!entered_) {
        a.time += c.ioctl_entry;
        entered_ = true;
      }
      if (!ctx_.locks.take(ctx_.locks.slots_lock, a)) return false;
      call_.step();
      break;
    case S::LockMmu:
      if (!ctx_.locks.take(ctx_.locks.mmu_lock, a)) return false;
      call_.step();
      break;
    case S::UnlockMmu:
      call_.step();
      ctx_.locks.release(ctx_.locks.mmu_lock, a);
      break;
    case S::UnlockSlots:
      call_.step();
      ctx_.locks.release(ctx_.locks.slots_lock, a);
      break;
    case S::Validate: call_.step(); break;
    case S::CopyIn:
      a.time += clear_step_cycles(ctx_.cfg.machine, call_.step(), user_bytes_);
      break;
    case S::Word: {
      // Eager splitting inside CLEAR breaks blocks with a per-IPA TLBI each: the
      // shootdown charges them to this agent.
      CycleSink sink(ctx_.caches, a.core);
      const std::uint64_t t0 = a.time;
      mmu::ClearDirtyLog::StepInfo info;
      {
        TlbShootdown::Charge charged(ctx_.shootdown, a);
        info = call_.step(&sink);
      }
      a.time += clear_step_cycles(ctx_.cfg.machine, info, user_bytes_) + sink.cycles;
      if (ctx_.hw_dirty) a.time += ctx_.hw_dirty->charge_hacdbs(a.core);
      if (info.split.chunks) ctx_.res.api.split_cycles += a.time - t0;
      add_split_stats(ctx_.res.api, info.split);
      break;
    }
    case S::Flush: {
      TlbShootdown::Charge charged(ctx_.shootdown, a);
      call_.step();
      break;
    }
    case S::Done: break;
  }
  if (!call_.done()) return false;
  if (call_.result() != 0)
    throw std::logic_error("KVM_CLEAR_DIRTY_LOG failed (" + std::to_string(call_.result()) + ") in the migration thread");
  DirtyApiStats& st = ctx_.res.api;
  ++st.clear_calls;
  st.clear_pages_protected += call_.pages_cleared();
  st.clear_cycles += a.time - start_;
  if (ctx_.trace)
    ctx_.trace->complete(a.id, "clear_dirty_log", start_, a.time, {{"pages_protected", call_.pages_cleared()}});
  return true;
}

}  // namespace s2sim::sim
