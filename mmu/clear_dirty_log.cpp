#include "mmu/clear_dirty_log.h"

#include <bit>

#include "mmu/kvm_errno.h"

namespace s2sim::mmu {

void kvm_arch_mmu_enable_log_dirty_pt_masked(Kvm& kvm, Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                                             unsigned bits_per_long, WpWalker& walker, WpStats& wp,
                                             SplitStats* split, AccessSink* sink) {
  if (mask == 0) return;
  S2Walk w(kvm.pgtable, sink, &kvm.hazards, walker.name());
  // As in GetDirtyLog: a page of the mask the walker leaves writable without reading
  // its entry is a write that will go unlogged (mask_abandoned).
  w.track_mask(slot.base_gfn + gfn_offset, bits_per_long);
  walker.write_protect_masked(w, slot, gfn_offset, mask, bits_per_long, wp);
  w.report_abandoned(mask);
  if (kvm.caps.manual_protect_and_init_set() && kvm.caps.eager_split_chunk != 0) {
    const gfn_t first = slot.base_gfn + gfn_offset;
    const ipa_t start = (first + static_cast<unsigned>(std::countr_zero(mask))) << PAGE_SHIFT;
    const ipa_t end = (first + 64u - static_cast<unsigned>(std::countl_zero(mask))) << PAGE_SHIFT;
    SplitStats local;
    kvm_mmu_split_huge_pages(kvm, start, end, split ? split : &local, sink);
  }
}

const char* ClearDirtyLog::step_name(Step s) {
  switch (s) {
    case Step::LockSlots: return "lock_slots";
    case Step::Validate: return "validate";
    case Step::CopyIn: return "copy_in";
    case Step::LockMmu: return "lock_mmu";
    case Step::Word: return "word";
    case Step::UnlockMmu: return "unlock_mmu";
    case Step::Flush: return "flush";
    case Step::UnlockSlots: return "unlock_slots";
    case Step::Done: return "done";
  }
  return "?";
}

ClearDirtyLog::ClearDirtyLog(Kvm& kvm, ClearDirtyLogArgs args, WpWalker& walker)
    : kvm_(kvm), args_(std::move(args)), walker_(walker) {
  using S = Step;
  plan_ = {S::LockSlots, S::Validate, S::CopyIn, S::LockMmu, S::Word, S::UnlockMmu, S::Flush, S::UnlockSlots, S::Done};
}

void ClearDirtyLog::jump_to(Step s) {
  while (plan_[pos_] != s && plan_[pos_] != Step::Done) ++pos_;
}

int ClearDirtyLog::validate() {
  // The ioctl exists only where the kernel has it (CONFIG_KVM_GENERIC_DIRTYLOG_READ_PROTECT).
  if (!kvm_.options.apis.clear_dirty_log) return -kENOTTY;
  if (!kvm_.caps.use_dirty_bitmap()) return -kENXIO;  // !kvm_use_dirty_bitmap()
  if (args_.first_page & 63) return -kEINVAL;
  const unsigned id = args_.slot & 0xFFFF;
  if ((args_.slot >> 16) != 0 || id >= KVM_USER_MEM_SLOTS) return -kEINVAL;
  slot_ = kvm_.memslots.by_id(id);
  if (!slot_ || !slot_->dirty_bitmap) {
    slot_ = nullptr;
    return -kENOENT;
  }
  const std::uint64_t npages = slot_->npages;
  if (args_.first_page > npages || args_.num_pages > npages - args_.first_page ||
      (args_.num_pages < npages - args_.first_page && (args_.num_pages & 63)))
    return -kEINVAL;
  bpl_ = slot_->dirty_bitmap->bits_per_long();
  nwords_ = (args_.num_pages + bpl_ - 1) / bpl_;
  return 0;
}

std::uint64_t ClearDirtyLog::user_word(std::uint64_t k) const {
  const std::uint64_t bit = k * bpl_;
  const std::uint64_t w = args_.bitmap[bit / 64];
  return bpl_ == 64 ? w : (w >> (bit % 64)) & 0xFFFFFFFFull;
}

ClearDirtyLog::StepInfo ClearDirtyLog::step(AccessSink* sink) {
  StepInfo info;
  info.step = plan_[pos_];
  switch (info.step) {
    case Step::LockSlots:
    case Step::UnlockMmu:
    case Step::UnlockSlots:
      ++pos_;  // the engine models the locks
      // An empty range still takes and drops mmu_lock: the kernel's word loop runs
      // zero times.
      if (info.step == Step::LockMmu && nwords_ == 0) ++pos_;
      break;
    case Step::LockMmu:
      // The kernel takes and drops mmu_lock even for an empty range; the word loop
      // then runs zero times, so there is no Word step to take.
      ++pos_;
      if (nwords_ == 0) ++pos_;
      break;
    case Step::Validate:
      result_ = validate();
      if (result_) jump_to(Step::UnlockSlots);
      else ++pos_;
      break;
    case Step::CopyIn:
      // n = ALIGN(num_pages, BITS_PER_LONG) / 8 bytes from the user's buffer.
      if (args_.bitmap.size() * 64 < nwords_ * bpl_) {
        result_ = -kEFAULT;
        jump_to(Step::UnlockSlots);
      } else {
        ++pos_;
      }
      break;
    case Step::Word: {
      const std::uint64_t i = args_.first_page / bpl_ + k_;
      info.word = i;
      std::uint64_t mask = user_word(k_);
      if (mask) {
        // The bits that really were set: only those are protected again.
        mask &= slot_->dirty_bitmap->fetch_andnot(i, mask);
        if (mask) {
          flush_ = true;
          kvm_arch_mmu_enable_log_dirty_pt_masked(kvm_, *slot_, i * bpl_, mask, bpl_, walker_, info.wp, &info.split,
                                                  sink);
          wp_stats_ += info.wp;
          split_stats_ += info.split;
          pages_cleared_ += static_cast<std::uint64_t>(std::popcount(mask));
          for (std::uint64_t m = mask; m; m &= m - 1)
            cleared_.push_back(slot_->base_gfn + i * bpl_ + static_cast<unsigned>(std::countr_zero(m)));
        }
      }
      info.mask = mask;
      if (++k_ >= nwords_) {
        if (flush_) {
          S2Walk w(kvm_.pgtable, sink, &kvm_.hazards, walker_.name());
          WpStats fin;  // what the walker left to the end of the loop
          walker_.finish(w, *slot_, fin);
          info.wp += fin;
          wp_stats_ += fin;
        }
        ++pos_;
      }
      break;
    }
    case Step::Flush:
      if (flush_) {
        kvm_.tlb->flush_remote_tlbs();
        info.flushed = flushed_ = true;
      }
      ++pos_;
      break;
    case Step::Done:
      break;
  }
  return info;
}

int ClearDirtyLog::run(AccessSink* sink) {
  while (!done()) step(sink);
  return result_;
}

int kvm_vm_ioctl_clear_dirty_log(Kvm& kvm, const ClearDirtyLogArgs& args, WpWalker& walker, AccessSink* sink) {
  ClearDirtyLog call(kvm, args, walker);
  return call.run(sink);
}

ClearDirtyLogArgs clear_args_for(const Memslot& slot, std::uint64_t first_page, std::uint64_t num_pages,
                                 const std::vector<gfn_t>& gfns) {
  ClearDirtyLogArgs a;
  a.slot = slot.id;
  a.first_page = first_page;
  a.num_pages = num_pages;
  a.bitmap.assign((num_pages + 63) / 64, 0);
  for (const gfn_t g : gfns) {
    if (g < slot.base_gfn) continue;
    const std::uint64_t rel = g - slot.base_gfn;
    if (rel < first_page || rel >= first_page + num_pages) continue;
    const std::uint64_t bit = rel - first_page;
    a.bitmap[bit / 64] |= std::uint64_t{1} << (bit % 64);
  }
  return a;
}

}  // namespace s2sim::mmu
