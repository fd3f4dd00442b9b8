// KVM_GET_DIRTY_LOG as explicit steps (kvm_vm_ioctl_get_dirty_log,
// virt/kvm/kvm_main.c) and enabling logging (kvm_mmu_wp_memory_region).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "mmu/dirty_log.h"
#include "mmu/fault_handler.h"
#include "mmu/kvm.h"
#include "mmu/wp_walkers.h"

using namespace s2sim::mmu;
using Step = GetDirtyLog::Step;

namespace {

constexpr unsigned kIpaBits = 40;
constexpr ipa_t ipa_of(gfn_t g) { return g << PAGE_SHIFT; }

struct Vm {
  Vm() : kvm(KvmOptions{}, &tlb) {}
  Memslot& add_slot(unsigned id, gfn_t base, std::uint64_t npages, bool huge = false) {
    EXPECT_EQ(kvm.memslots.add(id, base, npages, huge, kIpaBits), "");
    return *kvm.memslots.by_id(id);
  }
  bool writable(gfn_t g) const {
    const S2Lookup l = kvm.pgtable.lookup(ipa_of(g));
    return l.mapped && l.desc.writable();
  }
  // A guest store to gfn at the untimed level: if the tables allow it, the hardware
  // completes it and KVM never hears of it; otherwise it faults (and retries) until
  // the mapping allows it. Returns the number of stage-2 faults taken.
  int guest_write(gfn_t g) {
    int faults = 0;
    while (!writable(g)) {
      const FaultResult r = kvm_handle_guest_abort(kvm, ipa_of(g), Access::Write);
      EXPECT_NE(r.outcome, FaultOutcome::Mmio);
      if (++faults > 3) {
        ADD_FAILURE() << "write to gfn " << g << " keeps faulting";
        break;
      }
    }
    return faults;
  }
  int guest_read(gfn_t g) {
    if (kvm.pgtable.lookup(ipa_of(g)).mapped) return 0;
    kvm_handle_guest_abort(kvm, ipa_of(g), Access::Read);
    return 1;
  }

  CountingTlbMaintenance tlb;
  Kvm kvm;
};

std::string steps_string(const std::vector<Step>& steps) {
  std::string s;
  for (Step st : steps) {
    if (!s.empty()) s += ' ';
    s += GetDirtyLog::step_name(st);
  }
  return s;
}

// Runs a call to completion recording each step performed.
std::vector<Step> run_recording(GetDirtyLog& call, std::vector<GetDirtyLog::StepInfo>* infos = nullptr) {
  std::vector<Step> steps;
  for (int guard = 0; !call.done() && guard < 10000; ++guard) {
    const GetDirtyLog::StepInfo info = call.step();
    steps.push_back(info.step);
    if (infos) infos->push_back(info);
  }
  EXPECT_TRUE(call.done());
  return steps;
}

std::vector<Step> with_words(std::vector<Step> head, Step word_step, std::uint64_t n, std::vector<Step> tail) {
  head.insert(head.end(), n, word_step);
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// Runs steps until `s` is the next one.
void run_until(GetDirtyLog& call, Step s) {
  for (int guard = 0; call.next_step() != s && !call.done() && guard < 10000; ++guard) call.step();
  ASSERT_EQ(call.next_step(), s);
}

}  // namespace

// --- validation --------------------------------------------------------------------------

TEST(GetDirtyLog, SlotIdAtOrAboveKvmUserMemSlotsIsEinval) {
  Vm vm;
  vm.add_slot(0, 0, 64);
  NaiveWalker walker;
  GetDirtyLog call(vm.kvm, 32, walker, DirtyLogOptions{});
  const std::vector<Step> steps = run_recording(call);
  EXPECT_EQ(call.result(), -kEINVAL);
  EXPECT_EQ(steps_string(steps), "lock_slots validate unlock_slots");
  EXPECT_EQ(call.pages_reported(), 0u);
  EXPECT_TRUE(call.dirty_gfns().empty());
  std::vector<gfn_t> out{123};
  EXPECT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 1000, walker, DirtyLogOptions{}, &out), -kEINVAL);
  EXPECT_TRUE(out.empty());
}

// kvm_get_dirty_log()/kvm_get_dirty_log_protect() return -EINVAL only for
// `log->slot >= KVM_USER_MEM_SLOTS`; an unused id below it names a memslot without a
// dirty bitmap (id_to_memslot() yields the empty array entry in 3.19-5.x; later code
// reads `if (!memslot || !memslot->dirty_bitmap) return -ENOENT;`): -ENOENT.
TEST(GetDirtyLog, UnusedSlotIdBelowTheLimitIsEnoentAsInTheKernel) {
  Vm vm;
  vm.add_slot(0, 0, 64);
  NaiveWalker walker;
  GetDirtyLog call(vm.kvm, 5, walker, DirtyLogOptions{});
  const std::vector<Step> steps = run_recording(call);
  EXPECT_EQ(call.result(), -kENOENT);
  EXPECT_EQ(steps_string(steps), "lock_slots validate unlock_slots");
}

TEST(GetDirtyLog, SlotNotLoggingIsEnoent) {
  Vm vm;
  vm.add_slot(3, 0, 64);
  NaiveWalker walker;
  GetDirtyLog call(vm.kvm, 3, walker, DirtyLogOptions{});
  const std::vector<Step> steps = run_recording(call);
  EXPECT_EQ(call.result(), -kENOENT);
  EXPECT_EQ(steps_string(steps), "lock_slots validate unlock_slots");
  EXPECT_EQ(vm.tlb.flush_all, 0u);
  // After logging is switched off again, the same.
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 3, 32), 0);
  EXPECT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 3, walker, DirtyLogOptions{}), 0);
  ASSERT_EQ(kvm_disable_dirty_logging(vm.kvm, 3), 0);
  EXPECT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 3, walker, DirtyLogOptions{}), -kENOENT);
}

// The kernel has one BITS_PER_LONG; here the bitmap's word width is fixed when
// logging is enabled, and a call whose options name another width still reads the
// bitmap's words with the bitmap's own width: the page written is the page reported
// and write-protected, never a page BITS_PER_LONG-dependent distance away.
TEST(GetDirtyLog, OptionsWidthDifferentFromTheBitmapsUsesTheBitmaps) {
  Vm vm;
  vm.add_slot(0, 1024, 256);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 64), 0);  // bitmap of 64-bit words
  vm.guest_write(1024 + 100);                             // word 1, bit 36
  ASSERT_TRUE(vm.writable(1124));
  NaiveWalker walker;
  DirtyLogOptions opts;  // bits_per_long 32
  std::vector<gfn_t> reported;
  ASSERT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 0, walker, opts, &reported), 0);
  EXPECT_EQ(reported, (std::vector<gfn_t>{1124}));  // with the options' width it would be gfn 1092
  EXPECT_FALSE(vm.writable(1124));
  EXPECT_EQ(vm.kvm.memslots.by_id(0)->dirty_bitmap->count_set(), 0u);
}

// --- step order ------------------------------------------------------------------------

TEST(GetDirtyLog, KernelOrderSeedPlacementSteps) {
  Vm vm;
  Memslot& slot = vm.add_slot(0, 1000, 100);  // 100 pages, 32-bit longs: 4 words
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  const std::uint64_t flush_all0 = vm.tlb.flush_all;
  vm.guest_write(1000 + 3);   // word 0 bit 3
  vm.guest_write(1000 + 70);  // word 2 bit 6
  vm.guest_write(1000 + 71);  // word 2 bit 7
  NaiveWalker walker;
  GetDirtyLog call(vm.kvm, 0, walker, DirtyLogOptions{});
  EXPECT_EQ(call.next_step(), Step::LockSlots);
  std::vector<GetDirtyLog::StepInfo> infos;
  const std::vector<Step> steps = run_recording(call, &infos);
  EXPECT_EQ(steps_string(steps),
            steps_string(with_words({Step::LockSlots, Step::Validate, Step::ZeroBuffer, Step::LockMmu}, Step::Word, 4,
                                    {Step::Flush, Step::UnlockMmu, Step::CopyOut, Step::UnlockSlots})));
  EXPECT_EQ(call.next_step(), Step::Done);
  EXPECT_EQ(call.result(), 0);
  // The Word steps visit words 0..3 in order; each hands the walker the word it took.
  const std::uint64_t expected_masks[] = {0x8, 0, 0xC0, 0};
  for (std::uint64_t w = 0; w < 4; ++w) {
    EXPECT_EQ(infos[4 + w].word, w);
    EXPECT_EQ(infos[4 + w].mask, expected_masks[w]) << "word " << w;
  }
  EXPECT_TRUE(infos[8].flushed);
  EXPECT_EQ(vm.tlb.flush_all, flush_all0 + 1);
  EXPECT_TRUE(call.is_dirty());
  EXPECT_EQ(call.wp_stats().calls, 2u);  // zero words are skipped
  EXPECT_EQ(call.wp_stats().ptes_write_protected, 3u);
  EXPECT_EQ(call.pages_reported(), 3u);
  EXPECT_EQ(call.dirty_gfns(), (std::vector<gfn_t>{1003, 1070, 1071}));
  EXPECT_EQ(call.user_bitmap(), (std::vector<std::uint64_t>{0x8, 0, 0xC0, 0}));
  EXPECT_EQ(slot.dirty_bitmap->count_set(), 0u);
}

TEST(GetDirtyLog, MergedPlacementFlushesAfterCopyOut) {
  Vm vm;
  vm.add_slot(0, 1000, 100);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  const std::uint64_t flush_all0 = vm.tlb.flush_all;
  vm.guest_write(1050);
  NaiveWalker walker;
  DirtyLogOptions opts;
  opts.flush_placement = FlushPlacement::Merged;
  GetDirtyLog call(vm.kvm, 0, walker, opts);
  std::vector<GetDirtyLog::StepInfo> infos;
  const std::vector<Step> steps = run_recording(call, &infos);
  EXPECT_EQ(steps_string(steps),
            steps_string(with_words({Step::LockSlots, Step::Validate, Step::ZeroBuffer, Step::LockMmu}, Step::Word, 4,
                                    {Step::UnlockMmu, Step::CopyOut, Step::Flush, Step::UnlockSlots})));
  EXPECT_TRUE(infos[10].flushed);
  EXPECT_EQ(vm.tlb.flush_all, flush_all0 + 1);
  EXPECT_EQ(call.dirty_gfns(), (std::vector<gfn_t>{1050}));
}

TEST(GetDirtyLog, FlushTlbsFalseHasNoFlushStepAndRequestsNone) {
  Vm vm;
  vm.add_slot(0, 1000, 100);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  const std::uint64_t flush_all0 = vm.tlb.flush_all, flush_ipa0 = vm.tlb.flush_ipa;
  vm.guest_write(1050);
  const std::uint64_t flush_ipa1 = vm.tlb.flush_ipa;
  EXPECT_EQ(flush_ipa1, flush_ipa0);  // translation fault: nothing to invalidate
  NaiveWalker walker;
  for (FlushPlacement placement : {FlushPlacement::Seed, FlushPlacement::Merged}) {
    vm.guest_write(1051);
    DirtyLogOptions opts;
    opts.flush_tlbs = false;
    opts.flush_placement = placement;
    GetDirtyLog call(vm.kvm, 0, walker, opts);
    const std::vector<Step> steps = run_recording(call);
    EXPECT_EQ(steps_string(steps),
              steps_string(with_words({Step::LockSlots, Step::Validate, Step::ZeroBuffer, Step::LockMmu}, Step::Word,
                                      4, {Step::UnlockMmu, Step::CopyOut, Step::UnlockSlots})));
    EXPECT_TRUE(call.is_dirty());
    EXPECT_EQ(call.result(), 0);
  }
  EXPECT_EQ(vm.tlb.flush_all, flush_all0);
}

TEST(GetDirtyLog, AfterWpSnapshotOrderSteps) {
  Vm vm;
  Memslot& slot = vm.add_slot(0, 1000, 100);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  vm.guest_write(1003);
  vm.guest_write(1070);
  NaiveWalker walker;
  DirtyLogOptions opts;
  opts.snapshot = SnapshotOrder::AfterWp;
  GetDirtyLog call(vm.kvm, 0, walker, opts);
  std::vector<GetDirtyLog::StepInfo> infos;
  const std::vector<Step> steps = run_recording(call, &infos);
  std::vector<Step> expected =
      with_words({Step::LockSlots, Step::Validate, Step::ZeroBuffer, Step::LockMmu}, Step::Word, 4,
                 {Step::Flush, Step::UnlockMmu});
  expected = with_words(expected, Step::Snapshot, 4, {Step::CopyOut, Step::UnlockSlots});
  EXPECT_EQ(steps_string(steps), steps_string(expected));
  // Word steps protect without clearing; Snapshot steps take the words 0..3 afterwards.
  EXPECT_EQ(infos[4].mask, 0x8u);
  EXPECT_EQ(infos[6].mask, 0x40u);
  for (std::uint64_t w = 0; w < 4; ++w) EXPECT_EQ(infos[10 + w].word, w);
  EXPECT_EQ(call.dirty_gfns(), (std::vector<gfn_t>{1003, 1070}));
  EXPECT_EQ(slot.dirty_bitmap->count_set(), 0u);
}

TEST(GetDirtyLog, NoFlushWhenNothingWasDirty) {
  Vm vm;
  vm.add_slot(0, 1000, 100);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  vm.guest_read(1010);  // a read maps read-only and dirties nothing
  const std::uint64_t flush_all0 = vm.tlb.flush_all;
  NaiveWalker walker;
  for (FlushPlacement placement : {FlushPlacement::Seed, FlushPlacement::Merged}) {
    DirtyLogOptions opts;
    opts.flush_placement = placement;
    GetDirtyLog call(vm.kvm, 0, walker, opts);
    std::vector<GetDirtyLog::StepInfo> infos;
    run_recording(call, &infos);
    EXPECT_EQ(call.result(), 0);
    EXPECT_FALSE(call.is_dirty());
    EXPECT_EQ(call.pages_reported(), 0u);
    EXPECT_EQ(call.wp_stats().calls, 0u);
    bool saw_flush_step = false;
    for (const auto& i : infos)
      if (i.step == Step::Flush) {
        saw_flush_step = true;
        EXPECT_FALSE(i.flushed);
      }
    EXPECT_TRUE(saw_flush_step);
  }
  EXPECT_EQ(vm.tlb.flush_all, flush_all0);
}

// --- enabling logging --------------------------------------------------------------------

TEST(DirtyLogging, EnableWriteProtectsEveryPresentLeafOfTheSlotWithOneFlush) {
  Vm vm;
  // Slot 0: [512, 1636): regions 1 and 2 wholly inside (blocks), region 3 partly (pages).
  vm.add_slot(0, 512, 1124, true);
  // Slot 1 right after it, not logging: its pages must stay writable.
  vm.add_slot(1, 1636, 64);
  ASSERT_EQ(vm.guest_write(600), 1);   // block, region 1
  ASSERT_EQ(vm.guest_write(1030), 1);  // block, region 2
  for (gfn_t g = 1536; g < 1636; g += 7) vm.guest_write(g);  // pages, region 3
  vm.guest_read(1635);
  for (gfn_t g = 1636; g < 1700; g += 5) vm.guest_write(g);
  ASSERT_EQ(vm.kvm.pgtable.mapped_blocks(), 2u);
  const std::uint64_t flush_ipa0 = vm.tlb.flush_ipa;

  WpStats stats;
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32, nullptr, &stats), 0);
  EXPECT_EQ(vm.tlb.flush_all, 1u);  // exactly one kvm_flush_remote_tlbs
  EXPECT_EQ(vm.tlb.flush_ipa, flush_ipa0);
  EXPECT_EQ(stats.blocks_write_protected, 2u);
  // 1536, 1543, ..., 1634 and 1635: a read fault before logging maps read/write too
  // (user_mem_abort: the host page is writable), so 16 pages.
  EXPECT_EQ(stats.ptes_write_protected, 16u);

  unsigned in_slot = 0, other = 0;
  vm.kvm.pgtable.for_each_leaf([&](ipa_t ipa, level_t level, phys_addr_t, S2Desc d) {
    const gfn_t g = ipa >> PAGE_SHIFT;
    if (g >= 512 && g < 1636) {
      ++in_slot;
      EXPECT_FALSE(d.writable()) << "gfn " << g << " level " << level;
    } else {
      ++other;
      EXPECT_TRUE(d.writable()) << "gfn " << g;
    }
  });
  EXPECT_EQ(in_slot, 2u + 16u);
  EXPECT_EQ(other, 13u);
  EXPECT_TRUE(vm.kvm.memslots.by_id(0)->logging());
  EXPECT_FALSE(vm.kvm.memslots.by_id(1)->logging());
  EXPECT_EQ(vm.kvm.hazards.total(), 0u);

  // Enabling again is a no-op: no second walk, no second flush.
  EXPECT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  EXPECT_EQ(vm.tlb.flush_all, 1u);
  EXPECT_EQ(kvm_enable_dirty_logging(vm.kvm, 32, 32), -kEINVAL);
  EXPECT_EQ(kvm_enable_dirty_logging(vm.kvm, 7, 32), -kEINVAL);
}

// --- what get_dirty_log reports ------------------------------------------------------------

namespace {

struct RoundCase {
  const char* walker;
  unsigned bits_per_long;
  FlushPlacement placement;
};

}  // namespace

// For every correct configuration: the reported gfns are exactly the pages written
// since the previous call, the live bitmap is left clear, and every page is then
// either unmapped or read-only (kernel order: snapshot+clear, protect, flush).
TEST(GetDirtyLog, ReportsExactlyThePagesWrittenSinceThePreviousCall) {
  const RoundCase cases[] = {
      {"naive", 32, FlushPlacement::Seed},   {"v4", 32, FlushPlacement::Seed},
      {"v4-fixed", 32, FlushPlacement::Seed}, {"range", 32, FlushPlacement::Merged},
      {"naive", 64, FlushPlacement::Merged}, {"v4", 64, FlushPlacement::Seed},
      {"v4-fixed", 64, FlushPlacement::Merged}, {"range", 64, FlushPlacement::Seed},
  };
  for (const RoundCase& c : cases) {
    SCOPED_TRACE(std::string(c.walker) + " bits_per_long=" + std::to_string(c.bits_per_long));
    Vm vm;
    // Unaligned slot crossing pmd boundaries: [1000, 2500).
    constexpr gfn_t kBase = 1000, kPages = 1500;
    vm.add_slot(0, kBase, kPages);
    // Some pages mapped (read/write) before logging starts.
    for (gfn_t g = kBase; g < kBase + kPages; g += 3) vm.guest_write(g);
    ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, c.bits_per_long), 0);
    std::unique_ptr<WpWalker> walker = make_wp_walker(c.walker);
    ASSERT_NE(walker, nullptr);
    DirtyLogOptions opts;
    opts.bits_per_long = c.bits_per_long;
    opts.flush_placement = c.placement;
    std::mt19937_64 rng(0x5eed0000 + c.bits_per_long);
    for (int round = 0; round < 8; ++round) {
      std::set<gfn_t> written;
      const int nops = 1 + static_cast<int>(rng() % 300);
      for (int i = 0; i < nops; ++i) {
        // Clustered writes so that windows hold several bits.
        const gfn_t g = kBase + (rng() % 2 ? rng() % kPages : (round * 97 + rng() % 64) % kPages);
        if (rng() % 4 == 0) {
          vm.guest_read(g);
        } else {
          vm.guest_write(g);
          written.insert(g);
        }
      }
      std::vector<gfn_t> reported;
      ASSERT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 0, *walker, opts, &reported), 0);
      EXPECT_EQ(std::set<gfn_t>(reported.begin(), reported.end()), written) << "round " << round;
      EXPECT_TRUE(std::is_sorted(reported.begin(), reported.end()));
      EXPECT_EQ(reported.size(), written.size());
      EXPECT_EQ(vm.kvm.memslots.by_id(0)->dirty_bitmap->count_set(), 0u);
      for (gfn_t g : reported) EXPECT_FALSE(vm.writable(g)) << "reported gfn " << g << " left writable";
      for (gfn_t g = kBase; g < kBase + kPages; ++g)
        if (vm.writable(g)) ADD_FAILURE() << "gfn " << g << " writable with a clean bit after round " << round;
    }
    EXPECT_EQ(vm.kvm.hazards.total(), 0u);
  }
}

// --- why AfterWp loses writes ------------------------------------------------------------

namespace {

// Writes page P, then makes one get_dirty_log call in `order`, with a guest write to P
// between the Word step that protects P and the point where AfterWp takes its
// snapshot (after the flush and unlock). Then writes P once more (no fault: P is
// writable) and returns what a second, kernel-order call reports.
struct InterleaveResult {
  std::vector<gfn_t> first, second;
  bool p_writable_after_first = false;
  bool p_bit_after_first = false;
  int faults_of_interleaved_write = 0;
  int faults_of_later_write = 0;
};

InterleaveResult interleave(SnapshotOrder order) {
  Vm vm;
  constexpr gfn_t kBase = 2048, kP = kBase + 5;
  Memslot& slot = vm.add_slot(0, kBase, 64);
  EXPECT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  InterleaveResult out;
  // 1. The guest writes P: translation fault, P mapped read/write, bit set.
  EXPECT_EQ(vm.guest_write(kP), 1);
  EXPECT_TRUE(slot.dirty_bitmap->test(kP - kBase));

  NaiveWalker walker;
  DirtyLogOptions opts;
  opts.snapshot = order;
  GetDirtyLog call(vm.kvm, 0, walker, opts);
  // 2. Run up to the snapshot point: Word (P protected), Flush, UnlockMmu.
  run_until(call, order == SnapshotOrder::AfterWp ? Step::Snapshot : Step::CopyOut);
  EXPECT_FALSE(vm.writable(kP));  // the Word step protected P
  // AfterWp has not cleared the bit yet; the kernel order already took it.
  EXPECT_EQ(slot.dirty_bitmap->test(kP - kBase), order == SnapshotOrder::AfterWp);
  // 3. The guest writes P again: permission fault, P made writable, bit set.
  out.faults_of_interleaved_write = vm.guest_write(kP);
  EXPECT_TRUE(slot.dirty_bitmap->test(kP - kBase));
  // 4. The rest of the call. AfterWp's snapshot now takes (and clears) that bit.
  EXPECT_EQ(call.run(), 0);
  out.first = call.dirty_gfns();
  out.p_writable_after_first = vm.writable(kP);
  out.p_bit_after_first = slot.dirty_bitmap->test(kP - kBase);
  // 5. A later write to P: writable, so no fault and nothing logged.
  out.faults_of_later_write = vm.guest_write(kP);
  // 6. The next call.
  EXPECT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 0, walker, DirtyLogOptions{}, &out.second), 0);
  return out;
}

}  // namespace

TEST(GetDirtyLog, AfterWpOrderLosesAWriteThatKernelOrderKeeps) {
  constexpr gfn_t kP = 2048 + 5;
  const InterleaveResult after_wp = interleave(SnapshotOrder::AfterWp);
  EXPECT_EQ(after_wp.faults_of_interleaved_write, 1);
  EXPECT_EQ(after_wp.first, (std::vector<gfn_t>{kP}));
  // P is writable with a clean bit: the invariant "dirty in the bitmap, or
  // write-protected" is broken ...
  EXPECT_TRUE(after_wp.p_writable_after_first);
  EXPECT_FALSE(after_wp.p_bit_after_first);
  // ... so the later write takes no fault and the next call does not report P,
  // although P was written after the first call's snapshot: a lost write.
  EXPECT_EQ(after_wp.faults_of_later_write, 0);
  EXPECT_TRUE(after_wp.second.empty());

  const InterleaveResult kernel = interleave(SnapshotOrder::Kernel);
  EXPECT_EQ(kernel.faults_of_interleaved_write, 1);
  EXPECT_EQ(kernel.first, (std::vector<gfn_t>{kP}));
  // P is writable but its bit is set again by the interleaved write's fault.
  EXPECT_TRUE(kernel.p_writable_after_first);
  EXPECT_TRUE(kernel.p_bit_after_first);
  EXPECT_EQ(kernel.faults_of_later_write, 0);
  EXPECT_EQ(kernel.second, (std::vector<gfn_t>{kP}));  // the write is reported
}
