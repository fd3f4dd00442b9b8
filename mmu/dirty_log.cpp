#include "mmu/dirty_log.h"

#include <bit>

#include "mmu/eager_split.h"

namespace s2sim::mmu {

int kvm_start_dirty_logging(Kvm& kvm, unsigned slot_id, unsigned bits_per_long) {
  Memslot* slot = slot_id < KVM_USER_MEM_SLOTS ? kvm.memslots.by_id(slot_id) : nullptr;
  if (!slot) return -kEINVAL;
  if (!slot->logging()) {
    // kvm_alloc_dirty_bitmap() unless the VM logs with rings only; all ones with
    // MANUAL_PROTECT2 + INITIALLY_SET (kvm_prepare_memory_region, 5.x+).
    if (kvm.caps.use_dirty_bitmap()) {
      slot->dirty_bitmap = std::make_unique<DirtyBitmap>(slot->npages, bits_per_long);
      if (kvm.caps.manual_protect_and_init_set()) slot->dirty_bitmap->set_all();
    }
    slot->flags |= KVM_MEM_LOG_DIRTY_PAGES;
  }
  return 0;
}

bool kvm_enable_logging_protects(const Kvm& kvm) { return !kvm.caps.manual_protect_and_init_set(); }

int kvm_enable_dirty_logging(Kvm& kvm, unsigned slot_id, unsigned bits_per_long, AccessSink* sink, WpStats* stats,
                             SplitStats* split) {
  Memslot* slot = slot_id < KVM_USER_MEM_SLOTS ? kvm.memslots.by_id(slot_id) : nullptr;
  if (!slot) return -kEINVAL;
  if (slot->logging()) return 0;
  kvm_start_dirty_logging(kvm, slot_id, bits_per_long);
  // kvm_mmu_slot_apply_flags() (arm64 6.6): with INITIALLY_SET nothing is protected
  // or split now; each range is on its first CLEAR.
  if (!kvm_enable_logging_protects(kvm)) return 0;
  // kvm_mmu_wp_memory_region(): under mmu_lock, then one flush for the whole VM.
  S2Walk w(kvm.pgtable, sink, &kvm.hazards, "enable-logging");
  WpStats local;
  stage2_wp_range(w, slot->base_gfn << PAGE_SHIFT, slot->end_gfn() << PAGE_SHIFT, stats ? *stats : local);
  kvm.tlb->flush_remote_tlbs();
  // kvm_mmu_split_memory_region() (6.5+): a no-op while the chunk size is 0.
  if (kvm.caps.eager_split_chunk != 0) kvm_mmu_split_memory_region(kvm, slot_id, split, sink);
  return 0;
}

int kvm_disable_dirty_logging(Kvm& kvm, unsigned slot_id) {
  Memslot* slot = slot_id < KVM_USER_MEM_SLOTS ? kvm.memslots.by_id(slot_id) : nullptr;
  if (!slot) return -kEINVAL;
  slot->flags &= ~KVM_MEM_LOG_DIRTY_PAGES;
  slot->dirty_bitmap.reset();
  return 0;
}

const char* GetDirtyLog::step_name(Step s) {
  switch (s) {
    case Step::LockSlots: return "lock_slots";
    case Step::Validate: return "validate";
    case Step::ZeroBuffer: return "zero_buffer";
    case Step::LockMmu: return "lock_mmu";
    case Step::Word: return "word";
    case Step::Flush: return "flush";
    case Step::UnlockMmu: return "unlock_mmu";
    case Step::Snapshot: return "snapshot";
    case Step::CopyOut: return "copy_out";
    case Step::UnlockSlots: return "unlock_slots";
    case Step::Done: return "done";
  }
  return "?";
}

GetDirtyLog::GetDirtyLog(Kvm& kvm, unsigned slot_id, WpWalker& walker, const DirtyLogOptions& opts)
    : kvm_(kvm), slot_id_(slot_id), walker_(walker), opts_(opts), manual_(kvm.caps.manual_protect) {
  using S = Step;
  const bool flush = opts_.flush_tlbs;
  auto add = [&](Step st) { plan_.push_back(st); };
  if (manual_) {
    // kvm_get_dirty_log_protect() with manual_dirty_log_protect: the live bitmap is
    // copied out as it is; no xchg, no protection, no flush (CLEAR does those).
    for (Step st : {S::LockSlots, S::Validate, S::CopyOut, S::UnlockSlots, S::Done}) add(st);
    return;
  }
  for (Step st : {S::LockSlots, S::Validate, S::ZeroBuffer, S::LockMmu, S::Word}) add(st);
  if (opts_.snapshot == SnapshotOrder::AfterWp) {
    // Protect, flush, unlock, and only then take the snapshot.
    if (flush) add(S::Flush);
    add(S::UnlockMmu);
    add(S::Snapshot);
    add(S::CopyOut);
  } else if (opts_.flush_placement == FlushPlacement::Seed) {
    if (flush) add(S::Flush);  // inside mmu_lock, before copy_to_user
    add(S::UnlockMmu);
    add(S::CopyOut);
  } else {
    add(S::UnlockMmu);
    add(S::CopyOut);
    if (flush) add(S::Flush);  // merged: after copy_to_user, before the ioctl returns
  }
  add(S::UnlockSlots);
  add(S::Done);
}

void GetDirtyLog::advance() {
  ++pos_;
  word_ = 0;
  // A slot with an empty bitmap has no word to visit.
  while ((plan_[pos_] == Step::Word || plan_[pos_] == Step::Snapshot) && slot_ && slot_->dirty_bitmap->nwords() == 0)
    ++pos_;
}

void GetDirtyLog::jump_to(Step s) {
  while (plan_[pos_] != s && plan_[pos_] != Step::Done) ++pos_;
}

GetDirtyLog::StepInfo GetDirtyLog::step(AccessSink* sink) {
  StepInfo info;
  info.step = plan_[pos_];
  switch (info.step) {
    case Step::LockSlots:
    case Step::LockMmu:
    case Step::UnlockMmu:
    case Step::UnlockSlots:
      advance();  // the engine models the locks themselves
      break;
    case Step::Validate:
      // -EINVAL only for an id beyond KVM_USER_MEM_SLOTS; an unused id is a slot
      // without a bitmap: -ENOENT, as in the kernel.
      slot_ = slot_id_ < KVM_USER_MEM_SLOTS ? kvm_.memslots.by_id(slot_id_) : nullptr;
      if (!kvm_.caps.use_dirty_bitmap()) {
        slot_ = nullptr;
        result_ = -kENXIO;  // a ring-only VM has no bitmap to get (kvm_use_dirty_bitmap)
      } else if (slot_id_ >= KVM_USER_MEM_SLOTS) {
        result_ = -kEINVAL;
      } else if (!slot_ || !slot_->dirty_bitmap) {
        slot_ = nullptr;
        result_ = -kENOENT;
      }
      if (result_) jump_to(Step::UnlockSlots);
      else advance();
      break;
    case Step::ZeroBuffer:
      slot_->dirty_bitmap->clear_buffer();
      advance();
      break;
    case Step::Word: {
      DirtyBitmap& bm = *slot_->dirty_bitmap;
      info.word = word_;
      if (bm.word(word_)) {
        is_dirty_ = true;
        std::uint64_t mask;
        if (opts_.snapshot == SnapshotOrder::Kernel) {
          mask = bm.xchg_word(word_);  // snapshot and clear, then protect
          bm.buffer_word(word_) = mask;
        } else {
          mask = bm.word(word_);  // AfterWp: protect what is set now, snapshot later
        }
        info.mask = mask;
        S2Walk w(kvm_.pgtable, sink, &kvm_.hazards, walker_.name());
        // The bitmap's own word width (fixed when logging was enabled) decides which
        // gfns a word stands for.
        const unsigned bpl = bm.bits_per_long();
        // What the walk was asked for against what it looked at: a page of the mask it
        // returned without reaching, still writable, is a write that will go unlogged.
        w.track_mask(slot_->base_gfn + word_ * bpl, bpl);
        walker_.write_protect_masked(w, *slot_, word_ * bpl, mask, bpl, wp_stats_);
        w.report_abandoned(mask);
      }
      if (++word_ >= bm.nwords()) {
        if (is_dirty_) {
          S2Walk w(kvm_.pgtable, sink, &kvm_.hazards, walker_.name());
          walker_.finish(w, *slot_, wp_stats_);
        }
        advance();
      }
      break;
    }
    case Step::Flush:
      if (is_dirty_) {
        kvm_.tlb->flush_remote_tlbs();
        info.flushed = true;
      }
      advance();
      break;
    case Step::Snapshot: {
      DirtyBitmap& bm = *slot_->dirty_bitmap;
      info.word = word_;
      bm.buffer_word(word_) = bm.xchg_word(word_);
      if (++word_ >= bm.nwords()) advance();
      break;
    }
    case Step::CopyOut: {
      const DirtyBitmap& bm = *slot_->dirty_bitmap;
      bits_per_long_ = bm.bits_per_long();
      user_bitmap_.resize(bm.nwords());
      pages_reported_ = 0;
      for (std::uint64_t i = 0; i < bm.nwords(); ++i) {
        user_bitmap_[i] = manual_ ? bm.word(i) : bm.buffer_word(i);
        pages_reported_ += static_cast<std::uint64_t>(std::popcount(user_bitmap_[i]));
      }
      advance();
      break;
    }
    case Step::Done:
      break;
  }
  return info;
}

int GetDirtyLog::run(AccessSink* sink) {
  while (!done()) step(sink);
  return result_;
}

std::vector<gfn_t> GetDirtyLog::dirty_gfns() const {
  std::vector<gfn_t> out;
  if (!slot_) return out;
  for (std::uint64_t i = 0; i < user_bitmap_.size(); ++i)
    for (std::uint64_t m = user_bitmap_[i]; m; m &= m - 1)
      out.push_back(slot_->base_gfn + i * bits_per_long_ + static_cast<unsigned>(std::countr_zero(m)));
  return out;
}

int kvm_vm_ioctl_get_dirty_log(Kvm& kvm, unsigned slot_id, WpWalker& walker, const DirtyLogOptions& opts,
                               std::vector<gfn_t>* out, AccessSink* sink) {
  GetDirtyLog call(kvm, slot_id, walker, opts);
  const int r = call.run(sink);
  if (out) *out = call.dirty_gfns();
  return r;
}

}  // namespace s2sim::mmu
