// Memslots (struct kvm_memory_slot, search_memslots, id_to_memslot) and the Kvm
// helpers that sit on them: gfn_to_pa (gfn_to_pfn with 2 MiB-chunk backing) and
// mark_page_dirty.
#include <gtest/gtest.h>

#include <vector>

#include "mmu/dirty_log.h"
#include "mmu/granule.h"
#include "mmu/kvm.h"
#include "mmu/memslot.h"

using namespace s2sim::mmu;

namespace {

constexpr unsigned kIpaBits = 40;                                       // ARMv7 KVM_PHYS_SHIFT
constexpr gfn_t kGfnLimit = gfn_t{1} << (kIpaBits - PAGE_SHIFT);       // 2^28 guest frames

}  // namespace

// --- Memslots::add -------------------------------------------------------------------

TEST(Memslots, AddAcceptsEveryIdBelowKvmUserMemSlots) {
  Memslots slots;
  // Ids 0..31 are valid (KVM_USER_MEM_SLOTS = 32 on ARM in 2014); one page each,
  // placed 10 pages apart so none overlap.
  for (unsigned id = 0; id < KVM_USER_MEM_SLOTS; ++id) EXPECT_EQ(slots.add(id, id * 10, 1, false, kIpaBits), "") << id;
  EXPECT_EQ(slots.size(), 32u);
}

TEST(Memslots, AddRejectsIdAtOrAboveKvmUserMemSlots) {
  Memslots slots;
  EXPECT_NE(slots.add(32, 0, 1, false, kIpaBits), "");
  EXPECT_NE(slots.add(1000, 0, 1, false, kIpaBits), "");
  EXPECT_EQ(slots.size(), 0u);
}

TEST(Memslots, AddRejectsDuplicateId) {
  Memslots slots;
  ASSERT_EQ(slots.add(3, 0, 16, false, kIpaBits), "");
  // Same id, disjoint range: still rejected.
  EXPECT_NE(slots.add(3, 1000, 16, false, kIpaBits), "");
  EXPECT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots.by_id(3)->base_gfn, 0u);
}

TEST(Memslots, AddRejectsZeroPages) {
  Memslots slots;
  EXPECT_NE(slots.add(0, 100, 0, false, kIpaBits), "");
  EXPECT_EQ(slots.size(), 0u);
}

TEST(Memslots, AddRejectsOverlapButAllowsAdjacency) {
  Memslots slots;
  ASSERT_EQ(slots.add(0, 100, 100, false, kIpaBits), "");  // [100, 200)
  EXPECT_NE(slots.add(1, 150, 100, false, kIpaBits), "");  // [150, 250): tail overlap
  EXPECT_NE(slots.add(1, 50, 51, false, kIpaBits), "");    // [50, 101): last page is gfn 100
  EXPECT_NE(slots.add(1, 0, 1000, false, kIpaBits), "");   // contains the slot
  EXPECT_NE(slots.add(1, 120, 10, false, kIpaBits), "");   // inside the slot
  EXPECT_NE(slots.add(1, 199, 1, false, kIpaBits), "");    // its last page
  EXPECT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots.add(1, 200, 100, false, kIpaBits), "");  // [200, 300): touches, no overlap
  EXPECT_EQ(slots.add(2, 50, 50, false, kIpaBits), "");    // [50, 100): touches from below
  EXPECT_EQ(slots.size(), 3u);
}

TEST(Memslots, AddRejectsSlotsBeyondTheIpaSpace) {
  Memslots slots;
  // A 40-bit IPA holds 2^28 frames: the last legal gfn is 2^28 - 1.
  EXPECT_NE(slots.add(0, kGfnLimit, 1, false, kIpaBits), "");
  EXPECT_NE(slots.add(0, kGfnLimit - 10, 11, false, kIpaBits), "");
  // npages so large that base + npages wraps must not slip through.
  EXPECT_NE(slots.add(0, 5, ~std::uint64_t{0}, false, kIpaBits), "");
  EXPECT_EQ(slots.size(), 0u);
  EXPECT_EQ(slots.add(0, kGfnLimit - 10, 10, false, kIpaBits), "");  // ends exactly at the top
  // The same range is beyond a 32-bit IPA space.
  Memslots small;
  EXPECT_NE(small.add(0, kGfnLimit - 10, 10, false, 32), "");
  EXPECT_EQ(small.add(0, (gfn_t{1} << 20) - 1, 1, false, 32), "");
}

TEST(Memslots, UnalignedBaseIsAllowedAndChunkTableCoversEvery2MiBTouched) {
  Memslots slots;
  // gfn 3 .. 1002: touches 2 MiB regions 0 (gfns 0..511) and 1 (512..1023).
  ASSERT_EQ(slots.add(0, 3, 1000, true, kIpaBits), "");
  const Memslot* s = slots.by_id(0);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->base_gfn, 3u);
  EXPECT_EQ(s->end_gfn(), 1003u);
  EXPECT_TRUE(s->hugepages);
  EXPECT_FALSE(s->logging());
  EXPECT_EQ(s->chunk_pa.size(), 2u);
  // 16 pages before a pmd boundary, 32 pages: regions 0 and 1 again.
  ASSERT_EQ(slots.add(1, 2048 - 16, 32, false, kIpaBits), "");
  EXPECT_EQ(slots.by_id(1)->chunk_pa.size(), 2u);
  // A single page: one chunk.
  ASSERT_EQ(slots.add(2, 5000, 1, false, kIpaBits), "");
  EXPECT_EQ(slots.by_id(2)->chunk_pa.size(), 1u);
}

// --- find / by_id --------------------------------------------------------------------

TEST(Memslots, FindAtSlotEdgesAndInHoles) {
  Memslots slots;
  // Added out of order: the flat_map keeps them sorted by base_gfn.
  ASSERT_EQ(slots.add(7, 1000, 24, false, kIpaBits), "");  // [1000, 1024)
  ASSERT_EQ(slots.add(2, 100, 50, false, kIpaBits), "");   // [100, 150)
  ASSERT_EQ(slots.add(4, 150, 10, false, kIpaBits), "");   // [150, 160), adjacent to slot 2

  auto id_at = [&](gfn_t g) -> int {
    const Memslot* s = slots.find(g);
    return s ? static_cast<int>(s->id) : -1;
  };
  EXPECT_EQ(id_at(0), -1);      // below every slot
  EXPECT_EQ(id_at(99), -1);     // one below slot 2
  EXPECT_EQ(id_at(100), 2);     // first page
  EXPECT_EQ(id_at(149), 2);     // last page
  EXPECT_EQ(id_at(150), 4);     // first page of the adjacent slot
  EXPECT_EQ(id_at(159), 4);
  EXPECT_EQ(id_at(160), -1);    // hole
  EXPECT_EQ(id_at(999), -1);    // hole
  EXPECT_EQ(id_at(1000), 7);
  EXPECT_EQ(id_at(1023), 7);
  EXPECT_EQ(id_at(1024), -1);   // one past the last slot
  EXPECT_EQ(id_at(kGfnLimit + 5), -1);

  const Memslots& cslots = slots;
  ASSERT_NE(cslots.find(120), nullptr);
  EXPECT_EQ(cslots.find(120)->id, 2u);

  std::vector<gfn_t> order;
  for (const auto& [base, s] : cslots) order.push_back(base);
  EXPECT_EQ(order, (std::vector<gfn_t>{100, 150, 1000}));
}

TEST(Memslots, ById) {
  Memslots slots;
  ASSERT_EQ(slots.add(31, 64, 8, false, kIpaBits), "");
  ASSERT_EQ(slots.add(0, 0, 8, false, kIpaBits), "");
  ASSERT_NE(slots.by_id(31), nullptr);
  EXPECT_EQ(slots.by_id(31)->base_gfn, 64u);
  ASSERT_NE(slots.by_id(0), nullptr);
  EXPECT_EQ(slots.by_id(0)->base_gfn, 0u);
  EXPECT_EQ(slots.by_id(1), nullptr);
  EXPECT_EQ(slots.by_id(32), nullptr);
  const Memslots& cslots = slots;
  EXPECT_EQ(cslots.by_id(31)->npages, 8u);
}

// --- Kvm::gfn_to_pa --------------------------------------------------------------------

TEST(KvmGfnToPa, BackingIs2MiBContiguousAndAllocatedOnFirstTouch) {
  Kvm kvm(KvmOptions{});
  // Slot [496, 560): 16 pages in 2 MiB region 0, 48 in region 1 (unaligned base).
  ASSERT_EQ(kvm.memslots.add(0, 496, 64, false, kIpaBits), "");
  Memslot& slot = *kvm.memslots.by_id(0);
  EXPECT_EQ(kvm.mem.guest_chunks(), 0u);  // nothing backed until touched

  const phys_addr_t p496 = kvm.gfn_to_pa(slot, 496);
  EXPECT_EQ(kvm.mem.guest_chunks(), 1u);
  const phys_addr_t p497 = kvm.gfn_to_pa(slot, 497);
  const phys_addr_t p511 = kvm.gfn_to_pa(slot, 511);
  EXPECT_EQ(kvm.mem.guest_chunks(), 1u);  // same 2 MiB region: same chunk
  // Adjacent gfns in one 2 MiB IPA region are adjacent host frames.
  EXPECT_EQ(p497, p496 + PAGE_SIZE);
  EXPECT_EQ(p511, p496 + 15 * PAGE_SIZE);
  // The frame sits at the gfn's offset inside its 2 MiB region, so the chunk base
  // (p496 - 496 pages) is 2 MiB aligned: a 2 MiB block over the region is valid.
  const phys_addr_t chunk0 = p496 - (gfn_t{496} << PAGE_SHIFT);
  EXPECT_EQ(chunk0 % PMD_SIZE, 0u);
  EXPECT_EQ(slot.chunk_pa[0], chunk0);
  EXPECT_EQ(slot.chunk_pa[1], 0u);  // region 1 not touched yet

  // Region 1: its own chunk, 2 MiB aligned; gfn 512 is its first frame.
  const phys_addr_t p512 = kvm.gfn_to_pa(slot, 512);
  EXPECT_EQ(kvm.mem.guest_chunks(), 2u);
  EXPECT_EQ(p512 % PMD_SIZE, 0u);
  EXPECT_EQ(slot.chunk_pa[1], p512);
  EXPECT_EQ(kvm.gfn_to_pa(slot, 559), p512 + 47 * PAGE_SIZE);
  EXPECT_NE(p512, chunk0);

  for (phys_addr_t pa : {p496, p511, p512}) EXPECT_EQ(kvm.mem.kind(pa), FrameKind::GuestData);
  // Stable: asking again gives the same frame.
  EXPECT_EQ(kvm.gfn_to_pa(slot, 496), p496);
}

TEST(KvmGfnToPa, SlotsDoNotShareChunks) {
  Kvm kvm(KvmOptions{});
  // Two slots in the same 2 MiB IPA region: each has its own backing chunk.
  ASSERT_EQ(kvm.memslots.add(0, 0, 100, false, kIpaBits), "");
  ASSERT_EQ(kvm.memslots.add(1, 100, 100, false, kIpaBits), "");
  Memslot& a = *kvm.memslots.by_id(0);
  Memslot& b = *kvm.memslots.by_id(1);
  const phys_addr_t pa = kvm.gfn_to_pa(a, 99);
  const phys_addr_t pb = kvm.gfn_to_pa(b, 100);
  EXPECT_EQ(kvm.mem.guest_chunks(), 2u);
  EXPECT_NE(pa + PAGE_SIZE, pb);
  EXPECT_EQ(pa % PMD_SIZE, 99 * PAGE_SIZE);
  EXPECT_EQ(pb % PMD_SIZE, 100 * PAGE_SIZE);
}

// --- Kvm::mark_page_dirty ----------------------------------------------------------------

TEST(KvmMarkPageDirty, OnlyWhileLogging) {
  Kvm kvm(KvmOptions{});
  ASSERT_EQ(kvm.memslots.add(0, 1000, 100, false, kIpaBits), "");
  ASSERT_EQ(kvm.memslots.add(1, 2000, 100, false, kIpaBits), "");
  Memslot& s0 = *kvm.memslots.by_id(0);
  Memslot& s1 = *kvm.memslots.by_id(1);

  kvm.mark_page_dirty(1005);  // not logging: nothing to set, no bitmap created
  EXPECT_EQ(s0.dirty_bitmap, nullptr);
  EXPECT_FALSE(s0.logging());

  ASSERT_EQ(kvm_enable_dirty_logging(kvm, 0, 32), 0);
  ASSERT_TRUE(s0.logging());
  EXPECT_EQ(s0.dirty_bitmap->count_set(), 0u);
  kvm.mark_page_dirty(1005);
  kvm.mark_page_dirty(1000);  // first page of the slot
  kvm.mark_page_dirty(1099);  // last page
  kvm.mark_page_dirty(1005);  // again: a bit, not a counter
  EXPECT_EQ(s0.dirty_bitmap->count_set(), 3u);
  EXPECT_TRUE(s0.dirty_bitmap->test(0));
  EXPECT_TRUE(s0.dirty_bitmap->test(5));
  EXPECT_TRUE(s0.dirty_bitmap->test(99));

  kvm.mark_page_dirty(1100);  // hole just past slot 0
  kvm.mark_page_dirty(999);   // hole just before it
  kvm.mark_page_dirty(2050);  // slot 1, not logging
  EXPECT_EQ(s0.dirty_bitmap->count_set(), 3u);
  EXPECT_EQ(s1.dirty_bitmap, nullptr);

  ASSERT_EQ(kvm_disable_dirty_logging(kvm, 0), 0);
  EXPECT_FALSE(s0.logging());
  kvm.mark_page_dirty(1005);  // logging off again: ignored
  EXPECT_EQ(s0.dirty_bitmap, nullptr);
}
