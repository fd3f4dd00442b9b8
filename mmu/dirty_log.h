// Dirty-page logging: enabling it on a memslot (kvm_mmu_wp_memory_region) and
// KVM_GET_DIRTY_LOG (kvm_vm_ioctl_get_dirty_log, virt/kvm/kvm_main.c) as explicit
// steps, so that the cycle engine can interleave guest writes between any two of them.
//
// Kernel order, per the comment above kvm_vm_ioctl_get_dirty_log:
//   take slots_lock; validate; zero the buffer; take mmu_lock;
//   for each non-zero bitmap word: snapshot-and-clear (xchg) into the buffer, then
//   write-protect the pages of the mask; if anything was dirty, flush the VM's TLBs;
//   release mmu_lock; copy the buffer to user space; release slots_lock.
// The seed flushes inside mmu_lock before copy_to_user (FlushPlacement::Seed); the
// merged code flushes after it (FlushPlacement::Merged). Both are safe because user
// space copies the pages only after the ioctl returns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mmu/access_sink.h"
#include "mmu/eager_split.h"
#include "mmu/kvm.h"
#include "mmu/kvm_errno.h"
#include "mmu/wp_walker.h"

namespace s2sim::mmu {

enum class SnapshotOrder : std::uint8_t {
  Kernel,   // xchg the word, then write-protect its mask (safe)
  AfterWp,  // teaching switch: write-protect the set bits, flush, only then snapshot (loses writes)
};
enum class FlushPlacement : std::uint8_t { Seed, Merged };

struct DirtyLogOptions {
  unsigned bits_per_long = 32;  // BITS_PER_LONG: 32 on ARMv7, 64 on arm64 (for enabling; a
                                // call uses the width the bitmap was allocated with)
  bool flush_tlbs = true;       // teaching switch: false skips kvm_flush_remote_tlbs (loses writes)
  SnapshotOrder snapshot = SnapshotOrder::Kernel;
  FlushPlacement flush_placement = FlushPlacement::Seed;
};

// Sets KVM_MEM_LOG_DIRTY_PAGES on the slot, allocates its bitmap (and snapshot
// buffer), write-protects every present leaf of the slot with one stage2_wp_range()
// and requests kvm_flush_remote_tlbs(), then eager-splits the slot if a chunk size is
// set (kvm_mmu_split_memory_region, 6.5+). With MANUAL_PROTECT2 + INITIALLY_SET it
// only sets the flag and an all-ones bitmap. Returns 0 or -errno.
int kvm_enable_dirty_logging(Kvm& kvm, unsigned slot_id, unsigned bits_per_long, AccessSink* sink = nullptr,
                             WpStats* stats = nullptr, SplitStats* split = nullptr);
// The first half of enabling: the memslot update that sets the flag and allocates the
// bitmap (none for a ring-only VM; all ones with INITIALLY_SET), without
// write-protecting (the cycle engine walks the slot in timed chunks).
int kvm_start_dirty_logging(Kvm& kvm, unsigned slot_id, unsigned bits_per_long);
// Whether enabling logging write-protects (and splits) the slot at all: false with
// MANUAL_PROTECT2 + INITIALLY_SET (kvm_mmu_slot_apply_flags returns early).
bool kvm_enable_logging_protects(const Kvm& kvm);
// Clears the flag and frees the bitmap (blocks come back lazily on later faults).
int kvm_disable_dirty_logging(Kvm& kvm, unsigned slot_id);

// One KVM_GET_DIRTY_LOG call, advanced a step at a time.
class GetDirtyLog {
 public:
  enum class Step : std::uint8_t {
    LockSlots,    // mutex_lock(&kvm->slots_lock)
    Validate,     // -EINVAL / -ENOENT checks
    ZeroBuffer,   // memset(dirty_bitmap_buffer, 0, n)
    LockMmu,      // spin_lock(&kvm->mmu_lock)
    Word,         // one bitmap word: skip if zero, else xchg + write-protect the mask
    Flush,        // kvm_flush_remote_tlbs(kvm), if anything was dirty
    UnlockMmu,    // spin_unlock(&kvm->mmu_lock)
    Snapshot,     // (AfterWp order only) one word: xchg into the buffer after the flush
    CopyOut,      // copy_to_user(log->dirty_bitmap, dirty_bitmap_buffer, n)
    UnlockSlots,  // mutex_unlock(&kvm->slots_lock)
    Done,
  };
  static const char* step_name(Step s);

  // What the last step did, for the engine's costing and trace.
  struct StepInfo {
    Step step = Step::Done;
    std::uint64_t word = 0;   // word index (Word / Snapshot)
    std::uint64_t mask = 0;   // the mask handed to the walker (Word)
    bool flushed = false;     // Flush: a flush was requested
  };

  GetDirtyLog(Kvm& kvm, unsigned slot_id, WpWalker& walker, const DirtyLogOptions& opts);

  Step next_step() const { return plan_[pos_]; }
  bool done() const { return plan_[pos_] == Step::Done; }
  // Performs the next step. Descriptor accesses made by the walker go to `sink`.
  StepInfo step(AccessSink* sink = nullptr);
  // Runs every remaining step (the one-call form for tests and labs).
  int run(AccessSink* sink = nullptr);

  int result() const { return result_; }  // 0 or -errno once done
  // The bitmap copied to user space (valid once CopyOut ran): bits_per_long-bit words.
  const std::vector<std::uint64_t>& user_bitmap() const { return user_bitmap_; }
  std::vector<gfn_t> dirty_gfns() const;  // the reported pages as gfns
  std::uint64_t pages_reported() const { return pages_reported_; }
  const WpStats& wp_stats() const { return wp_stats_; }
  bool is_dirty() const { return is_dirty_; }

 private:
  void advance();       // to the next step of the plan
  void jump_to(Step s);  // to a later step of the plan

  Kvm& kvm_;
  unsigned slot_id_;
  WpWalker& walker_;
  DirtyLogOptions opts_;
  Memslot* slot_ = nullptr;
  std::vector<Step> plan_;  // the steps in order for these options; Word/Snapshot repeat per word
  std::size_t pos_ = 0;
  std::uint64_t word_ = 0;
  bool is_dirty_ = false;
  int result_ = 0;
  std::uint64_t pages_reported_ = 0;
  WpStats wp_stats_;
  std::vector<std::uint64_t> user_bitmap_;
  unsigned bits_per_long_ = 32;  // the bitmap's word width, known once copied out
  bool manual_ = false;          // KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE: snapshot only
};

// One-call form: KVM_GET_DIRTY_LOG for `slot_id`; returns 0 or -errno and fills `out`
// with the reported gfns.
int kvm_vm_ioctl_get_dirty_log(Kvm& kvm, unsigned slot_id, WpWalker& walker, const DirtyLogOptions& opts,
                               std::vector<gfn_t>* out = nullptr, AccessSink* sink = nullptr);

}  // namespace s2sim::mmu
