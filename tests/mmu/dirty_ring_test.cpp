// The per-vCPU dirty ring (mmu/dirty_ring.h), the enable-cap checks (mmu/vm_caps.h) and
// KVM_RESET_DIRTY_RINGS (mmu/reset_dirty_rings.h).
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "mmu/dirty_ring.h"
#include "mmu/kvm_errno.h"
#include "mmu/reset_dirty_rings.h"
#include "mmu/vm_caps.h"
#include "mmu/wp_walkers.h"
#include "modern_vm.h"

using namespace s2sim::mmu;
using s2sim::mmu::testing::ModernVm;

namespace {

// A 6.6 VM with rings of `bytes` (WITH_BITMAP), `vcpus` vCPUs and one slot of
// `npages` pages at gfn 0, every page written once before logging, then logging on
// (which write-protects the slot: rings use no INITIALLY_SET).
struct RingVm : ModernVm {
  RingVm(std::uint64_t bytes, unsigned vcpus, std::uint64_t npages) {
    EXPECT_EQ(kvm_enable_dirty_log_ring(kvm, bytes), 0);
    EXPECT_EQ(kvm_enable_dirty_log_ring_with_bitmap(kvm), 0);
    for (unsigned i = 0; i < vcpus; ++i) EXPECT_EQ(kvm_create_vcpu(kvm), static_cast<int>(i));
    add_slot(0, 0, npages);
    for (gfn_t g = 0; g < npages; ++g) guest_write(g, -1);
    EXPECT_EQ(kvm_enable_dirty_logging(kvm, 0, 64), 0);
  }
  // User space: every published entry of every ring, flagged collected.
  std::vector<DirtyGfn> harvest_all() {
    std::vector<DirtyGfn> out;
    for (DirtyRing& r : kvm.dirty_rings)
      for (const DirtyGfn& e : r.harvest()) out.push_back(e);
    return out;
  }
};

}  // namespace

TEST(DirtyRing, SizeMustBeAPowerOfTwoAboveTheReservedEntries) {
  EXPECT_THROW(DirtyRing(0), std::invalid_argument);
  EXPECT_THROW(DirtyRing(96), std::invalid_argument);
  EXPECT_THROW(DirtyRing(64), std::invalid_argument);  // not above the 64 reserved
  const DirtyRing r(256);
  EXPECT_EQ(r.size(), 256u);
  EXPECT_EQ(r.soft_limit(), 192u);
}

TEST(DirtyRing, PushReportsTheSoftLimitAndHarvestFlagsEntriesCollected) {
  DirtyRing r(128);  // soft limit 64
  for (std::uint64_t i = 0; i < 63; ++i) EXPECT_FALSE(r.push(0, i));
  EXPECT_TRUE(r.push(2, 1000));  // the 64th entry: KVM_REQ_DIRTY_RING_SOFT_FULL
  EXPECT_TRUE(r.soft_full());
  EXPECT_EQ(r.used(), 64u);
  const std::vector<DirtyGfn> got = r.harvest(10);
  ASSERT_EQ(got.size(), 10u);
  EXPECT_EQ(got[3], (DirtyGfn{KVM_DIRTY_GFN_F_DIRTY, 0, 3}));
  EXPECT_EQ(r.entry(3).flags, KVM_DIRTY_GFN_F_RESET);
  EXPECT_EQ(r.harvest().size(), 54u);
  EXPECT_TRUE(r.harvest().empty());
  EXPECT_EQ(r.used(), 64u);  // collected, not reset: still counted
  int n = 0;
  while (r.take_collected()) ++n;
  EXPECT_EQ(n, 64);
  EXPECT_EQ(r.used(), 0u);
  EXPECT_FALSE(r.soft_full());
  EXPECT_EQ(r.entry(0).flags, 0u);
}

// kvm_dirty_ring_reset's coalescing, worked by hand: offsets 0 1 2 join (mask 0b111);
// 70 is 70 ahead: a new run; 69 is one behind 70 and shifting 0b1 up loses nothing:
// the run becomes (69, 0b11); 5 is 64 behind: a new run.
TEST(DirtyRing, CoalescerJoinsForwardAndBackwardVisitsWithinALong) {
  DirtyGfnCoalescer c(64);
  std::vector<DirtyGfnRun> runs;
  for (std::uint64_t off : {0, 1, 2, 70, 69, 5})
    if (auto r = c.add(0, off)) runs.push_back(*r);
  if (auto r = c.finish()) runs.push_back(*r);
  EXPECT_EQ(runs, (std::vector<DirtyGfnRun>{{0, 0, 0b111}, {0, 69, 0b11}, {0, 5, 1}}));
  // Another slot always starts a run; a backward step that would push a bit out of
  // the long does too.
  DirtyGfnCoalescer d(64);
  runs.clear();
  for (auto [slot, off] : std::vector<std::pair<std::uint32_t, std::uint64_t>>{{0, 10}, {1, 11}, {1, 74}, {1, 10}})
    if (auto r = d.add(slot, off)) runs.push_back(*r);
  if (auto r = d.finish()) runs.push_back(*r);
  EXPECT_EQ(runs, (std::vector<DirtyGfnRun>{{0, 10, 1}, {1, 11, 1 | (1ull << 63)}, {1, 10, 1}}));
}

TEST(VmCaps, EnableCapChecksAsTheKernelDoes) {
  ModernVm vm;
  EXPECT_EQ(kvm_enable_dirty_log_ring(vm.kvm, 3 * 4096), -kEINVAL);   // not a power of two
  EXPECT_EQ(kvm_enable_dirty_log_ring(vm.kvm, 2048), -kEINVAL);       // below a page
  EXPECT_EQ(kvm_enable_dirty_log_ring(vm.kvm, 2u << 20), -kE2BIG);    // 131072 entries
  EXPECT_EQ(kvm_enable_dirty_log_ring_with_bitmap(vm.kvm), -kEINVAL); // no ring yet
  EXPECT_EQ(kvm_enable_dirty_log_ring(vm.kvm, 1u << 20), 0);          // 65536 entries
  EXPECT_EQ(vm.kvm.caps.dirty_ring_entries, 65536u);
  EXPECT_EQ(kvm_enable_dirty_log_ring(vm.kvm, 4096), -kEINVAL);       // only once
  EXPECT_EQ(kvm_enable_eager_split_chunk_size(vm.kvm, 3u << 20), -kEINVAL);
  EXPECT_EQ(kvm_enable_eager_split_chunk_size(vm.kvm, 2u << 20), 0);
  EXPECT_EQ(kvm_enable_manual_dirty_log_protect(vm.kvm, 4), -kEINVAL);
  vm.add_slot(0, 0, 64);
  EXPECT_EQ(kvm_enable_dirty_log_ring_with_bitmap(vm.kvm), -kEINVAL);  // memslots exist
  EXPECT_EQ(kvm_enable_eager_split_chunk_size(vm.kvm, 1u << 30), -kEINVAL);

  ModernVm late;
  kvm_create_vcpu(late.kvm);
  EXPECT_EQ(kvm_enable_dirty_log_ring(late.kvm, 4096), -kEINVAL);  // after a vCPU

  ModernVm old("linux-5.17-arm64");
  EXPECT_EQ(kvm_enable_dirty_log_ring(old.kvm, 4096), -kEINVAL);
  EXPECT_EQ(kvm_enable_eager_split_chunk_size(old.kvm, 2u << 20), -kEINVAL);
  EXPECT_EQ(kvm_enable_manual_dirty_log_protect(old.kvm, 3), 0);
  ModernVm armv7("linux-4.0-armv7", Geometry::armv7_lpae());
  EXPECT_EQ(kvm_enable_manual_dirty_log_protect(armv7.kvm, 1), -kEINVAL);
}

// By hand: vCPU 0 writes 3, 4, 5 and 100; vCPU 1 writes 4 (no fault) and 6; a write outside any vCPU
// (a vGIC table save) goes to the bitmap. The reset re-protects exactly those pages,
// as runs (3, 0b111) and (100, 1) of vCPU 0's ring and (6, 1) of vCPU 1's, and the
// ioctl flushes once.
TEST(DirtyRingReset, GoldenHarvestResetReprotectsThePushedPages) {
  RingVm vm(4096, 2, 256);
  EXPECT_EQ(vm.tlb.flush_all, 1u);  // enabling logging
  for (gfn_t g : {3, 4, 5, 100}) EXPECT_EQ(vm.guest_write(g, 0), 1);
  EXPECT_EQ(vm.guest_write(4, 1), 0);  // already writable: no fault, no entry
  EXPECT_EQ(vm.guest_write(6, 1), 1);
  vm.kvm.mark_page_dirty(7);
  const DirtyBitmap& bm = *vm.kvm.memslots.by_id(0)->dirty_bitmap;
  EXPECT_EQ(bm.count_set(), 1u);
  EXPECT_TRUE(bm.test(7));
  EXPECT_EQ(vm.kvm.dirty_rings[0].used(), 4u);
  EXPECT_EQ(vm.kvm.dirty_rings[1].used(), 1u);

  const std::vector<DirtyGfn> got = vm.harvest_all();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[3].offset, 100u);
  EXPECT_EQ(got[4].offset, 6u);

  NaiveWalker w;
  std::vector<DirtyGfnRun> runs;
  ResetStats st;
  EXPECT_EQ(kvm_dirty_ring_reset(vm.kvm, vm.kvm.dirty_rings[0], w, st, &runs), 4u);
  EXPECT_EQ(runs, (std::vector<DirtyGfnRun>{{0, 3, 0b111}, {0, 100, 1}}));
  EXPECT_EQ(st.runs, 2u);
  EXPECT_EQ(st.pages_protected, 4u);
  EXPECT_FALSE(st.flushed);  // the flush is the ioctl's, after every ring
  ResetStats all;
  EXPECT_EQ(kvm_vm_ioctl_reset_dirty_pages(vm.kvm, w, &all), 1);
  EXPECT_EQ(all.runs, 1u);
  EXPECT_TRUE(all.flushed);
  EXPECT_EQ(vm.tlb.flush_all, 2u);
  for (gfn_t g : {3, 4, 5, 6, 100}) EXPECT_FALSE(vm.writable(g)) << g;
  // Nothing collected any more: a reset finds nothing and does not flush.
  EXPECT_EQ(kvm_vm_ioctl_reset_dirty_pages(vm.kvm, w), 0);
  EXPECT_EQ(vm.tlb.flush_all, 2u);
  // No lost write: the next write to a reset page faults and is pushed again.
  EXPECT_EQ(vm.guest_write(5, 1), 1);
  EXPECT_EQ(vm.kvm.dirty_rings[1].entry(vm.kvm.dirty_rings[1].dirty_index() - 1).offset, 5u);
}

// An entry pushed but not yet collected stops the reset there (the ring is walked in
// order from reset_index).
TEST(DirtyRingReset, StopsAtTheFirstEntryNotCollected) {
  RingVm vm(4096, 1, 64);
  vm.guest_write(1, 0);
  vm.guest_write(2, 0);
  ASSERT_EQ(vm.kvm.dirty_rings[0].harvest(1).size(), 1u);
  NaiveWalker w;
  EXPECT_EQ(kvm_vm_ioctl_reset_dirty_pages(vm.kvm, w), 1);
  EXPECT_FALSE(vm.writable(1));
  EXPECT_TRUE(vm.writable(2));
  EXPECT_EQ(vm.kvm.dirty_rings[0].used(), 1u);
}

TEST(DirtyRingReset, SoftFullAtSizeMinusReservedThenResetFrees) {
  RingVm vm(4096, 1, 512);  // 256 entries, soft limit 192
  bool soft = false;
  for (gfn_t g = 0; g < 191; ++g) vm.guest_write(g, 0, &soft);
  EXPECT_FALSE(soft);
  vm.guest_write(191, 0, &soft);
  EXPECT_TRUE(soft);  // KVM_EXIT_DIRTY_RING_FULL before the next guest entry
  EXPECT_EQ(vm.harvest_all().size(), 192u);
  NaiveWalker w;
  EXPECT_EQ(kvm_vm_ioctl_reset_dirty_pages(vm.kvm, w), 192);
  EXPECT_FALSE(vm.kvm.dirty_rings[0].soft_full());
  EXPECT_EQ(vm.kvm.dirty_rings[0].overflows(), 0u);
}

// Random writes from four vCPUs: harvest + reset re-protects exactly the pages pushed
// (the naive walker protects bit by bit; pages made writable behind the ring's back
// stay writable), and every later write to one of them faults and is pushed again.
TEST(DirtyRingResetProperty, ResetReprotectsExactlyThePushedPages) {
  std::mt19937_64 rng(2026);
  constexpr std::uint64_t kPages = 1024;
  RingVm vm(1u << 16, 4, kPages);
  NaiveWalker w;
  for (int round = 0; round < 20; ++round) {
    std::set<gfn_t> pushed;
    for (int i = 0; i < 300; ++i) {
      const gfn_t g = rng() % kPages;
      const int vcpu = static_cast<int>(rng() % 4);
      const int faults = vm.guest_write(g, vcpu);
      EXPECT_EQ(faults, pushed.count(g) ? 0 : 1) << "gfn " << g;
      pushed.insert(g);
    }
    // A page made writable without a fault (not logged by the ring) must not be
    // touched by the reset.
    gfn_t bystander = rng() % kPages;
    while (pushed.count(bystander)) bystander = (bystander + 1) % kPages;
    ASSERT_TRUE(vm.kvm.pgtable.set_writable(ModernVm::ipa_of(bystander)));

    std::set<gfn_t> harvested;
    for (const DirtyGfn& e : vm.harvest_all()) harvested.insert(e.offset);
    EXPECT_EQ(harvested, pushed);
    ResetStats st;
    ASSERT_EQ(kvm_vm_ioctl_reset_dirty_pages(vm.kvm, w, &st), static_cast<std::int64_t>(pushed.size()));
    EXPECT_EQ(st.wp.ptes_write_protected, pushed.size());
    for (gfn_t g = 0; g < kPages; ++g) ASSERT_EQ(vm.writable(g), g == bystander) << "gfn " << g;
    ASSERT_TRUE(vm.kvm.pgtable.set_readonly(ModernVm::ipa_of(bystander)));
  }
  EXPECT_EQ(vm.kvm.hazards.total(), 0u);
}
