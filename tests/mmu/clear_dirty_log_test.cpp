// KVM_CLEAR_DIRTY_LOG with MANUAL_PROTECT2 (+ INITIALLY_SET), GET_DIRTY_LOG in manual
// mode, and the no-lost-write property of the GET + CLEAR protocol.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "mmu/clear_dirty_log.h"
#include "mmu/dirty_log.h"
#include "mmu/kvm_errno.h"
#include "mmu/vm_caps.h"
#include "mmu/wp_walkers.h"
#include "modern_vm.h"

using namespace s2sim::mmu;
using s2sim::mmu::testing::ModernVm;
using Step = ClearDirtyLog::Step;

namespace {

constexpr std::uint64_t kBoth = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET;

// A 6.6 VM with one slot of `npages` pages at gfn 0, every page written once before
// logging (so mapped read/write), then logging enabled with `manual_flags`.
struct ClearVm : ModernVm {
  explicit ClearVm(std::uint64_t npages, std::uint64_t manual_flags = kBoth, const char* profile = "linux-6.6-arm64")
      : ModernVm(profile) {
    EXPECT_EQ(kvm_enable_manual_dirty_log_protect(kvm, manual_flags), 0);
    add_slot(0, 0, npages);
    for (gfn_t g = 0; g < npages; ++g) guest_write(g);
    EXPECT_EQ(kvm_enable_dirty_logging(kvm, 0, 64), 0);
  }
  DirtyBitmap& bitmap() { return *kvm.memslots.by_id(0)->dirty_bitmap; }
  std::set<gfn_t> read_only(gfn_t n) const {
    std::set<gfn_t> out;
    for (gfn_t g = 0; g < n; ++g)
      if (!writable(g)) out.insert(g);
    return out;
  }
};

std::string run_steps(ClearDirtyLog& call) {
  std::string s;
  for (int guard = 0; !call.done() && guard < 100000; ++guard) {
    if (!s.empty()) s += ' ';
    s += ClearDirtyLog::step_name(call.step().step);
  }
  return s;
}

DirtyLogOptions arm64_log() {
  DirtyLogOptions o;
  o.bits_per_long = 64;
  return o;
}

ClearDirtyLogArgs args(std::uint64_t first, std::uint64_t num, std::vector<std::uint64_t> bitmap, unsigned slot = 0) {
  return ClearDirtyLogArgs{slot, first, num, std::move(bitmap)};
}

}  // namespace

// --- enabling logging -------------------------------------------------------------------

TEST(InitiallySet, EnablingSetsEveryBitAndProtectsNothing) {
  ClearVm vm(200);
  EXPECT_EQ(vm.bitmap().count_set(), 200u);
  EXPECT_EQ(vm.bitmap().word(3), (std::uint64_t{1} << 8) - 1);  // 200 = 3 * 64 + 8
  EXPECT_TRUE(vm.read_only(200).empty());
  EXPECT_EQ(vm.tlb.flush_all, 0u);
  EXPECT_FALSE(kvm_enable_logging_protects(vm.kvm));
}

TEST(InitiallySet, ManualProtectAloneStillProtectsAtEnable) {
  ClearVm vm(128, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
  EXPECT_EQ(vm.bitmap().count_set(), 0u);
  EXPECT_EQ(vm.read_only(128).size(), 128u);
  EXPECT_EQ(vm.tlb.flush_all, 1u);
}

// --- GET in manual mode -----------------------------------------------------------------

TEST(GetDirtyLogManual, SnapshotOnlyNoClearNoProtectNoFlush) {
  ClearVm vm(128);
  RangeWalker walker;
  GetDirtyLog call(vm.kvm, 0, walker, arm64_log());
  std::string steps;
  while (!call.done()) {
    if (!steps.empty()) steps += ' ';
    steps += GetDirtyLog::step_name(call.step().step);
  }
  EXPECT_EQ(steps, "lock_slots validate copy_out unlock_slots");
  EXPECT_EQ(call.result(), 0);
  EXPECT_EQ(call.pages_reported(), 128u);
  EXPECT_EQ(vm.bitmap().count_set(), 128u);  // bits stay set until CLEAR
  EXPECT_TRUE(vm.read_only(128).empty());
  EXPECT_EQ(vm.tlb.flush_all, 0u);
}

TEST(GetDirtyLogManual, RingOnlyVmHasNoBitmapToGet) {
  ModernVm vm;
  ASSERT_EQ(kvm_enable_dirty_log_ring(vm.kvm, 4096), 0);
  vm.add_slot(0, 0, 64);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 64), 0);
  EXPECT_EQ(vm.kvm.memslots.by_id(0)->dirty_bitmap, nullptr);
  RangeWalker walker;
  EXPECT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 0, walker, arm64_log()), -kENXIO);
  EXPECT_EQ(kvm_vm_ioctl_clear_dirty_log(vm.kvm, args(0, 64, {1}), walker), -kENXIO);
}

// --- CLEAR, worked by hand --------------------------------------------------------------

// Bits {0, 5, 63} of word 0 and {1} of word 1 (page 65): those four pages, and only
// those (naive walker: a walk per bit), are protected; one flush after the unlock.
TEST(ClearDirtyLog, GoldenTwoWordsProtectExactlyTheClearedPages) {
  ClearVm vm(256);
  NaiveWalker walker;
  ClearDirtyLog call(vm.kvm, args(0, 128, {(1ull << 0) | (1ull << 5) | (1ull << 63), 1ull << 1}), walker);
  EXPECT_EQ(run_steps(call), "lock_slots validate copy_in lock_mmu word word unlock_mmu flush unlock_slots");
  EXPECT_EQ(call.result(), 0);
  EXPECT_EQ(call.pages_cleared(), 4u);
  EXPECT_EQ(call.cleared_gfns(), (std::vector<gfn_t>{0, 5, 63, 65}));
  EXPECT_EQ(vm.read_only(256), (std::set<gfn_t>{0, 5, 63, 65}));
  EXPECT_EQ(vm.bitmap().word(0), ~((1ull << 0) | (1ull << 5) | (1ull << 63)));
  EXPECT_EQ(vm.bitmap().word(1), ~(1ull << 1));
  EXPECT_EQ(vm.bitmap().count_set(), 252u);
  EXPECT_EQ(call.wp_stats().ptes_write_protected, 4u);
  EXPECT_TRUE(call.flushed());
  EXPECT_EQ(vm.tlb.flush_all, 1u);
  EXPECT_EQ(vm.tlb.flush_ipa + vm.tlb.flush_ipa_local, 0u);

  // No lost write: the next write to a cleared page faults and sets its bit again.
  EXPECT_EQ(vm.guest_write(5), 1);
  EXPECT_TRUE(vm.bitmap().test(5));
  EXPECT_EQ(vm.guest_write(5), 0);
  ASSERT_TRUE(vm.kvm.pgtable.set_readonly(ModernVm::ipa_of(5)));  // as it was after the CLEAR
  vm.bitmap().fetch_andnot(0, 1ull << 5);

  // The same CLEAR again finds the bits clear: nothing protected, no flush.
  ClearDirtyLog again(vm.kvm, args(0, 128, {(1ull << 0) | (1ull << 5) | (1ull << 63), 1ull << 1}), walker);
  EXPECT_EQ(again.run(), 0);
  EXPECT_EQ(again.pages_cleared(), 0u);
  EXPECT_FALSE(again.flushed());
  EXPECT_EQ(vm.tlb.flush_all, 1u);
}

// arm64's kvm_arch_mmu_enable_log_dirty_pt_masked protects [__ffs, __fls] whole: the
// pages between cleared bits are protected too, their bits staying set.
TEST(ClearDirtyLog, RangeWalkerProtectsFromFirstToLastClearedBit) {
  ClearVm vm(128);
  RangeWalker walker;
  ClearDirtyLog call(vm.kvm, args(64, 64, {(1ull << 2) | (1ull << 6)}), walker);
  EXPECT_EQ(call.run(), 0);
  EXPECT_EQ(vm.read_only(128), (std::set<gfn_t>{66, 67, 68, 69, 70}));
  EXPECT_EQ(call.wp_stats().clean_pages_protected, 3u);  // 67, 68, 69: bits not cleared
  EXPECT_EQ(vm.bitmap().count_set(), 126u);
}

TEST(ClearDirtyLog, EmptyUserMaskSkipsTheWordAndFlushesNothing) {
  ClearVm vm(128);
  NaiveWalker walker;
  ClearDirtyLog call(vm.kvm, args(0, 128, {0, 0}), walker);
  EXPECT_EQ(run_steps(call), "lock_slots validate copy_in lock_mmu word word unlock_mmu flush unlock_slots");
  EXPECT_FALSE(call.flushed());
  EXPECT_EQ(vm.tlb.flush_all, 0u);
}

TEST(ClearDirtyLog, BadRangesAndSlotsReturnTheKernelsErrno) {
  ClearVm vm(200);  // 200 pages: the last range [192, 200) is 8 pages
  NaiveWalker w;
  auto clear = [&](ClearDirtyLogArgs a) { return kvm_vm_ioctl_clear_dirty_log(vm.kvm, a, w); };
  EXPECT_EQ(clear(args(32, 64, {1})), -kEINVAL);          // first_page not a multiple of 64
  EXPECT_EQ(clear(args(0, 100, {1, 1})), -kEINVAL);       // num_pages not a multiple of 64, short of the end
  EXPECT_EQ(clear(args(192, 16, {1})), -kEINVAL);         // beyond the slot
  EXPECT_EQ(clear(args(256, 0, {})), -kEINVAL);           // first_page beyond the slot
  EXPECT_EQ(clear(args(0, 64, {1}, 40)), -kEINVAL);       // id >= KVM_USER_MEM_SLOTS
  EXPECT_EQ(clear(args(0, 64, {1}, 1u << 16)), -kEINVAL); // address space 1
  EXPECT_EQ(clear(args(0, 64, {1}, 5)), -kENOENT);        // no such slot
  EXPECT_EQ(clear(args(0, 128, {1})), -kEFAULT);          // the user's bitmap is short
  EXPECT_EQ(vm.bitmap().count_set(), 200u);               // none of those changed anything
  EXPECT_EQ(clear(args(192, 8, {0xFF})), 0);              // the slot's tail: allowed
  EXPECT_EQ(vm.read_only(200), (std::set<gfn_t>{192, 193, 194, 195, 196, 197, 198, 199}));
  EXPECT_EQ(clear(args(192, 0, {})), 0);                  // an empty range
  ClearDirtyLog steps(vm.kvm, args(32, 64, {1}), w);
  EXPECT_EQ(run_steps(steps), "lock_slots validate unlock_slots");

  ASSERT_EQ(kvm_disable_dirty_logging(vm.kvm, 0), 0);
  EXPECT_EQ(clear(args(0, 64, {1})), -kENOENT);  // not logging: no bitmap

  ModernVm armv7("linux-4.0-armv7", Geometry::armv7_lpae());
  armv7.add_slot(0, 0, 64);
  ASSERT_EQ(kvm_enable_dirty_logging(armv7.kvm, 0, 32), 0);
  EXPECT_EQ(kvm_vm_ioctl_clear_dirty_log(armv7.kvm, args(0, 64, {1}), w), -kENOTTY);
}

// A 32-bit bitmap (BITS_PER_LONG 32) is cleared in 32-bit words from 64-bit user words.
TEST(ClearDirtyLog, ThirtyTwoBitBitmapWordsSplitTheUserWords) {
  ModernVm vm("linux-5.17-arm64");
  ASSERT_EQ(kvm_enable_manual_dirty_log_protect(vm.kvm, kBoth), 0);
  vm.add_slot(0, 0, 128);
  for (gfn_t g = 0; g < 128; ++g) vm.guest_write(g);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  NaiveWalker w;
  ClearDirtyLog call(vm.kvm, args(64, 64, {(1ull << 1) | (1ull << 40)}), w);
  EXPECT_EQ(run_steps(call), "lock_slots validate copy_in lock_mmu word word unlock_mmu flush unlock_slots");
  EXPECT_EQ(call.cleared_gfns(), (std::vector<gfn_t>{65, 104}));
}

// --- properties -------------------------------------------------------------------------

// CLEAR in 64-page chunks against a model: the bitmap loses exactly (mask & bits) and
// exactly those pages become read-only (naive walker), or every mapped page between
// the first and last cleared bit of each word (range walker). Guest writes in between
// set bits again through the fault path.
TEST(ClearDirtyLogProperty, ChunkedClearsMatchTheModel) {
  for (const bool range : {false, true}) {
    SCOPED_TRACE(range ? "range" : "naive");
    std::mt19937_64 rng(range ? 16 : 61);
    constexpr std::uint64_t kPages = 512;
    ClearVm vm(kPages);
    NaiveWalker naive;
    RangeWalker ranged;
    WpWalker& walker = range ? static_cast<WpWalker&>(ranged) : naive;
    std::vector<std::uint64_t> bits(kPages / 64, ~std::uint64_t{0});
    std::vector<bool> ro(kPages, false);
    for (int op = 0; op < 400; ++op) {
      if (rng() % 3 == 0) {
        const gfn_t g = rng() % kPages;
        const int faults = vm.guest_write(g);
        EXPECT_EQ(faults, ro[g] ? 1 : 0);
        if (ro[g]) bits[g / 64] |= 1ull << (g % 64);
        ro[g] = false;
        continue;
      }
      const std::uint64_t chunk = rng() % (kPages / 64);
      const std::uint64_t mask = rng() & rng();
      ASSERT_EQ(kvm_vm_ioctl_clear_dirty_log(vm.kvm, args(chunk * 64, 64, {mask}), walker), 0);
      const std::uint64_t cleared = mask & bits[chunk];
      bits[chunk] &= ~mask;
      if (cleared) {
        const unsigned lo = static_cast<unsigned>(std::countr_zero(cleared));
        const unsigned hi = 63u - static_cast<unsigned>(std::countl_zero(cleared));
        for (unsigned i = lo; i <= hi; ++i)
          if (range || ((cleared >> i) & 1)) ro[chunk * 64 + i] = true;
      }
      for (std::uint64_t w = 0; w < kPages / 64; ++w) ASSERT_EQ(vm.bitmap().word(w), bits[w]) << "word " << w;
      for (gfn_t g = 0; g < kPages; ++g) ASSERT_EQ(!vm.writable(g), ro[g]) << "gfn " << g;
    }
    EXPECT_EQ(vm.kvm.hazards.total(), 0u);
  }
}

// The GET + CLEAR protocol as user space runs it: GET, CLEAR what it returned, copy
// the pages; a write after the CLEAR of its page faults and is in the next GET. Every
// page written in a round is reported by the GET that ends it.
TEST(ClearDirtyLogProperty, NoWriteIsLostAcrossGetAndClearRounds) {
  std::mt19937_64 rng(7);
  constexpr std::uint64_t kPages = 384;
  ClearVm vm(kPages);
  RangeWalker walker;
  std::set<gfn_t> written;  // since the last CLEAR of each page
  for (gfn_t g = 0; g < kPages; ++g) written.insert(g);  // INITIALLY_SET: all reported once
  for (int round = 0; round < 30; ++round) {
    std::vector<gfn_t> got;
    ASSERT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 0, walker, arm64_log(), &got), 0);
    const std::set<gfn_t> reported(got.begin(), got.end());
    for (const gfn_t g : written) ASSERT_TRUE(reported.count(g)) << "lost write to gfn " << g << " round " << round;
    // CLEAR everything reported, 64 pages at a time, with guest writes in between.
    for (std::uint64_t first = 0; first < kPages; first += 64) {
      const ClearDirtyLogArgs a = clear_args_for(*vm.kvm.memslots.by_id(0), first, 64, got);
      ASSERT_EQ(kvm_vm_ioctl_clear_dirty_log(vm.kvm, a, walker), 0);
      for (std::uint64_t i = 0; i < 64; ++i)
        if ((a.bitmap[0] >> i) & 1) written.erase(first + i);
      for (int k = 0; k < 8; ++k) {
        const gfn_t g = rng() % kPages;
        vm.guest_write(g);
        written.insert(g);
      }
    }
  }
  EXPECT_EQ(vm.kvm.hazards.total(), 0u);
}
