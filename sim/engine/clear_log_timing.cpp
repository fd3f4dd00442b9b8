#include "sim/engine/clear_log_timing.h"

#include "sim/timing/cycle_sink.h"

namespace s2sim::sim {

using S = mmu::ClearDirtyLog::Step;

std::vector<std::uint64_t> user_words_64(const std::vector<std::uint64_t>& words, unsigned bits_per_long) {
  if (bits_per_long == 64) return words;
  std::vector<std::uint64_t> out((words.size() + 1) / 2, 0);
  for (std::size_t i = 0; i < words.size(); ++i) out[i / 2] |= (words[i] & 0xFFFFFFFFull) << (32 * (i % 2));
  return out;
}

namespace {

mmu::ClearDirtyLogArgs whole_slot(const mmu::Memslot& slot, const std::vector<std::uint64_t>& user_bitmap,
                                  unsigned bits_per_long) {
  mmu::ClearDirtyLogArgs args;
  args.slot = slot.id;
  args.first_page = 0;
  args.num_pages = slot.npages;
  args.bitmap = user_words_64(user_bitmap, bits_per_long);
  args.bitmap.resize((slot.npages + 63) / 64, 0);
  return args;
}

}  // namespace

TimedClearDirtyLog::TimedClearDirtyLog(RunContext& ctx, mmu::WpWalker& walker,
                                       const std::vector<std::uint64_t>& user_bitmap, unsigned bits_per_long,
                                       const Agent& a)
    : ctx_(ctx),
      call_(ctx.kvm, whole_slot(ctx.slot, user_bitmap, bits_per_long), walker),
      start_(a.time),
      user_bytes_((ctx.slot.npages + 63) / 64 * 8) {}

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
    case S::CopyIn:
      a.time += user_bytes_ * c.copy_to_user_per_byte;
      call_.step();
      break;
    case S::Word: {
      CycleSink sink(ctx_.caches, a.core);
      TlbShootdown::Charge charged(ctx_.shootdown, a);  // an eager split's break-before-make TLBIs
      const mmu::ClearDirtyLog::StepInfo info = call_.step(&sink);
      a.time += sink.cycles + c.bitmap_word_scan + (info.mask ? c.atomic_xchg : 0);
      break;
    }
    case S::Flush: {
      TlbShootdown::Charge charged(ctx_.shootdown, a);
      call_.step();
      break;
    }
    case S::Validate:
    case S::Done:
      call_.step();
      break;
  }
  return call_.done();
}

}  // namespace s2sim::sim
