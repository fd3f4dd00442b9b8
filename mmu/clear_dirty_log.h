// KVM_CLEAR_DIRTY_LOG (kvm_clear_dirty_log_protect, virt/kvm/kvm_main.c, 5.0+) as
// explicit steps, like GetDirtyLog, so that the engine can interleave guest writes.
// With KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 user space first takes a snapshot with
// GET_DIRTY_LOG (which then neither clears nor protects), then hands back, range by
// range, the bits it has collected: CLEAR clears them in the slot's bitmap and
// write-protects exactly the pages whose bit it cleared.
//
// Kernel order (6.6):
//   take slots_lock (the ioctl); validate: -ENXIO without a dirty bitmap (a ring-only
//   VM), -EINVAL if first_page is not a multiple of 64, or the slot id is out of range,
//   -ENOENT for a slot without a bitmap, -EINVAL if the range leaves the slot or
//   num_pages is not a multiple of 64 where the range stops short of the slot's end;
//   copy the user's bitmap in (-EFAULT if short); take mmu_lock (write on arm64);
//   for each BITS_PER_LONG word of the range: skip a zero mask, else
//   mask &= atomic_long_fetch_andnot(mask, &bitmap[i]) -- the bits really cleared --
//   and if any, kvm_arch_mmu_enable_log_dirty_pt_masked() on them; release mmu_lock;
//   if anything was protected, kvm_flush_remote_tlbs_memslot(); release slots_lock.
#pragma once

#include <cstdint>
#include <vector>

#include "mmu/access_sink.h"
#include "mmu/eager_split.h"
#include "mmu/kvm.h"
#include "mmu/wp_walker.h"

namespace s2sim::mmu {

// kvm_arch_mmu_enable_log_dirty_pt_masked(kvm, slot, gfn_offset, mask): write-protect
// the pages of `mask` (the walker; arm64 6.6 runs stage2_wp_range over
// [__ffs(mask), __fls(mask)], the `range` walker), then, with MANUAL_PROTECT2 +
// INITIALLY_SET, eager-split the blocks of that same range (6.5+: protect first, then
// split; a split keeps the now read-only permissions). The caller holds mmu_lock for
// write. Shared by CLEAR and KVM_RESET_DIRTY_RINGS. `split` may be null.
void kvm_arch_mmu_enable_log_dirty_pt_masked(Kvm& kvm, Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                                             unsigned bits_per_long, WpWalker& walker, WpStats& wp,
                                             SplitStats* split, AccessSink* sink = nullptr);

// struct kvm_clear_dirty_log.
struct ClearDirtyLogArgs {
  unsigned slot = 0;            // (as_id << 16) | id; s2sim has one address space
  std::uint64_t first_page = 0;  // slot-relative, a multiple of 64
  std::uint64_t num_pages = 0;
  // The user's bitmap: bit i (of word i / 64, bit i % 64) stands for page first_page + i.
  std::vector<std::uint64_t> bitmap;
};

class ClearDirtyLog {
 public:
  enum class Step : std::uint8_t {
    LockSlots,    // mutex_lock(&kvm->slots_lock)
    Validate,     // the -ENXIO / -EINVAL / -ENOENT checks
    CopyIn,       // copy_from_user(dirty_bitmap_buffer, log->dirty_bitmap, n)
    LockMmu,      // KVM_MMU_LOCK (write_lock on arm64 5.18+, spin_lock before)
    Word,         // one word: fetch_andnot + protect (and split) what it cleared
    UnlockMmu,    // KVM_MMU_UNLOCK
    Flush,        // kvm_flush_remote_tlbs_memslot, if anything was protected
    UnlockSlots,  // mutex_unlock(&kvm->slots_lock)
    Done,
  };
  static const char* step_name(Step s);

  struct StepInfo {
    Step step = Step::Done;
    std::uint64_t word = 0;     // bitmap word index (Word)
    std::uint64_t mask = 0;     // the bits this word cleared and protected (Word)
    WpStats wp;                 // what the walker did for this word (Word)
    SplitStats split;           // what eager splitting did for this word (Word)
    bool flushed = false;       // Flush: a flush was requested
  };

  ClearDirtyLog(Kvm& kvm, ClearDirtyLogArgs args, WpWalker& walker);

  Step next_step() const { return plan_[pos_]; }
  bool done() const { return plan_[pos_] == Step::Done; }
  StepInfo step(AccessSink* sink = nullptr);
  int run(AccessSink* sink = nullptr);

  int result() const { return result_; }  // 0 or -errno once done
  std::uint64_t pages_cleared() const { return pages_cleared_; }
  std::vector<gfn_t> cleared_gfns() const { return cleared_; }  // in word order
  const WpStats& wp_stats() const { return wp_stats_; }
  const SplitStats& split_stats() const { return split_stats_; }
  bool flushed() const { return flushed_; }

 private:
  void jump_to(Step s);
  int validate();
  // The user's bits for bitmap word `i` of the range (a BITS_PER_LONG-bit mask).
  std::uint64_t user_word(std::uint64_t k) const;

  Kvm& kvm_;
  ClearDirtyLogArgs args_;
  WpWalker& walker_;
  Memslot* slot_ = nullptr;
  std::vector<Step> plan_;
  std::size_t pos_ = 0;
  std::uint64_t k_ = 0, nwords_ = 0;  // word k_ of the range, nwords_ in all
  unsigned bpl_ = 64;
  bool flush_ = false, flushed_ = false;
  int result_ = 0;
  std::uint64_t pages_cleared_ = 0;
  std::vector<gfn_t> cleared_;
  WpStats wp_stats_;
  SplitStats split_stats_;
};

// One-call form of KVM_CLEAR_DIRTY_LOG: 0 or -errno.
int kvm_vm_ioctl_clear_dirty_log(Kvm& kvm, const ClearDirtyLogArgs& args, WpWalker& walker,
                                 AccessSink* sink = nullptr);

// For user space: the ClearDirtyLogArgs that hand back every page of `gfns` (sorted or
// not) within [first_page, first_page + num_pages) of slot `slot`.
ClearDirtyLogArgs clear_args_for(const Memslot& slot, std::uint64_t first_page, std::uint64_t num_pages,
                                 const std::vector<gfn_t>& gfns);

}  // namespace s2sim::mmu
