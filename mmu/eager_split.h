// Eager page splitting (arm64, Linux 6.5, Ricardo Koller's series;
// KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE): kvm_mmu_split_huge_pages() in
// arch/arm64/kvm/mmu.c replaces every block of a range by a table of the same
// permissions before the guest writes to it, so that a write fault while logging
// relaxes a 4 KiB page in place instead of breaking the block under the lock
// (break-before-make, broadcast TLBI) and faulting its other 511 pages back in.
//
// The range is walked chunk by chunk (kvm->arch.mmu.split_page_chunk_size bytes,
// __stage2_range_addr_end). Before a chunk, if the split page cache holds fewer than
// kvm_mmu_split_nr_page_tables(chunk) pages (or the lock is contended, or a resched is
// due: the engine's business), the walk drops mmu_lock, tops the cache up to that
// capacity and takes the lock again; a failed top-up ends the split (best effort: the
// rest splits on fault). Inside a chunk kvm_pgtable_stage2_split() (hyp/pgtable.c,
// stage2_split_walker) visits every block leaf: it builds the unlinked table
// (kvm_pgtable_stage2_create_unlinked: one page for a 2 MiB block; for a 1 GiB block
// 1 + 512 pages mapped down to ptes when the cache holds that many, else one page of
// 2 MiB blocks, which the walk then visits and splits in turn), breaks the block
// (stage2_try_break_pte: invalid, then __kvm_tlb_flush_vmid_ipa -- broadcast) and
// installs the table.
//
// Called at enable time (kvm_mmu_split_memory_region, without INITIALLY_SET) or from
// kvm_arch_mmu_enable_log_dirty_pt_masked on CLEAR (MANUAL_PROTECT2 + INITIALLY_SET).
#pragma once

#include <cstdint>

#include "mmu/access_sink.h"
#include "mmu/kvm.h"

namespace s2sim::mmu {

struct SplitStats {
  std::uint64_t chunks = 0;            // kvm_pgtable_stage2_split calls
  std::uint64_t topups = 0;            // times the lock was dropped to top the cache up
  std::uint64_t pages_topped_up = 0;   // pages allocated into the split cache
  std::uint64_t blocks_split_1g = 0;   // 1 GiB blocks replaced by a table
  std::uint64_t blocks_split_2m = 0;   // 2 MiB blocks replaced by a table
  std::uint64_t tables_allocated = 0;  // cache pages used as page tables
  std::uint64_t tlbi_ipa = 0;          // flush_vmid_ipa requests (one per block broken)
  bool enomem = false;                 // a top-up or a split ran out of memory: stopped early

  SplitStats& operator+=(const SplitStats& o);
};

// kvm_mmu_split_nr_page_tables(range): the tables splitting `range` bytes of blocks may
// need: one per 1 GiB (4 KiB granule: KVM_PGTABLE_MIN_BLOCK_LEVEL is 1) plus one per
// 2 MiB, rounding up. The cache capacity for a chunk.
std::uint64_t kvm_mmu_split_nr_page_tables(std::uint64_t range);

// kvm_is_block_size_supported(): a power of two among 4 KiB, 2 MiB and 1 GiB.
bool kvm_is_block_size_supported(std::uint64_t size);

// One kvm_mmu_split_huge_pages(kvm, addr, end) call, a chunk at a time (the caller
// holds mmu_lock for write between steps; a step whose info says `topped_up` dropped
// and retook it). Chunk size from kvm.caps.eager_split_chunk (0: nothing to do).
class EagerSplit {
 public:
  struct ChunkInfo {
    ipa_t addr = 0, end = 0;  // the chunk
    bool topped_up = false;   // the lock was dropped to top up the cache first
    SplitStats delta;         // what this step did
  };

  EagerSplit(Kvm& kvm, ipa_t addr, ipa_t end);
  bool done() const { return done_; }
  ChunkInfo step(AccessSink* sink = nullptr);
  int run(AccessSink* sink = nullptr);  // every remaining chunk; returns result()

  int result() const { return result_; }  // 0, or -ENOMEM when it stopped early
  const SplitStats& stats() const { return stats_; }

 private:
  // Splits the block leaf mapping `ipa` at `level`; false when the cache is short.
  bool split_block(ipa_t ipa, level_t level, S2Desc block, SplitStats& st, AccessSink* sink);
  void split_range(ipa_t addr, ipa_t end, SplitStats& st, AccessSink* sink);

  Kvm& kvm_;
  ipa_t addr_, end_;
  std::uint64_t chunk_;
  bool done_ = false;
  int result_ = 0;
  SplitStats stats_;
};

// The one-call forms. kvm_mmu_split_huge_pages over [addr, end):
int kvm_mmu_split_huge_pages(Kvm& kvm, ipa_t addr, ipa_t end, SplitStats* stats = nullptr,
                             AccessSink* sink = nullptr);
// kvm_mmu_split_memory_region(kvm, slot): the whole memslot (at enable time).
int kvm_mmu_split_memory_region(Kvm& kvm, unsigned slot_id, SplitStats* stats = nullptr,
                                AccessSink* sink = nullptr);

}  // namespace s2sim::mmu
