// Eager page splitting (mmu/eager_split.h): at enable time, on CLEAR, chunk by chunk,
// with the split cache's top-ups; splits keep every translation and permission.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "mmu/clear_dirty_log.h"
#include "mmu/dirty_log.h"
#include "mmu/eager_split.h"
#include "mmu/granule.h"
#include "mmu/kvm_errno.h"
#include "mmu/vm_caps.h"
#include "mmu/wp_walkers.h"
#include "modern_vm.h"

using namespace s2sim::mmu;
using s2sim::mmu::testing::ModernVm;

namespace {

constexpr std::uint64_t k2M = PMD_SIZE, k1G = PUD_SIZE;
constexpr std::uint64_t kRw = desc::PAGE_S2_ATTRS | desc::L_PTE_S2_RDWR;

// What a translation is, whatever its level: output address of the page and the
// attribute bits (type bits aside).
struct Xlat {
  bool mapped = false;
  phys_addr_t pa = 0;
  std::uint64_t attrs = 0;
  friend bool operator==(const Xlat&, const Xlat&) = default;
};
Xlat xlat(const Kvm& kvm, ipa_t ipa) {
  const S2Lookup l = kvm.pgtable.lookup(ipa);
  if (!l.mapped) return {};
  const std::uint64_t size = Geometry::level_size(l.level);
  const phys_addr_t base = l.desc.output_address(kvm.options.geometry.oa_mask());
  return {true, base + (ipa & (size - 1) & PAGE_MASK), l.desc.raw & ~(desc::OA_MASK_48 | desc::TYPE_MASK)};
}

// A 6.6 VM with a chunk size and one hugepage slot of `npages` at gfn 0 whose 2 MiB
// blocks are all mapped read/write by guest writes before logging.
struct SplitVm : ModernVm {
  SplitVm(std::uint64_t chunk, std::uint64_t npages, std::uint64_t manual_flags = 0) {
    EXPECT_EQ(kvm_enable_eager_split_chunk_size(kvm, chunk), 0);
    if (manual_flags) {
      EXPECT_EQ(kvm_enable_manual_dirty_log_protect(kvm, manual_flags), 0);
    }
    add_slot(0, 0, npages, true);
    for (gfn_t g = 0; g < npages; g += PMD_PAGES) guest_write(g);
    EXPECT_EQ(kvm.pgtable.mapped_blocks(), npages / PMD_PAGES);
  }
};

}  // namespace

TEST(EagerSplit, NrPageTablesAndSupportedSizes) {
  EXPECT_EQ(kvm_mmu_split_nr_page_tables(PAGE_SIZE), 2u);
  EXPECT_EQ(kvm_mmu_split_nr_page_tables(k2M), 2u);
  EXPECT_EQ(kvm_mmu_split_nr_page_tables(k1G), 513u);
  EXPECT_EQ(kvm_mmu_split_nr_page_tables(k1G + k2M), 515u);
  EXPECT_TRUE(kvm_is_block_size_supported(PAGE_SIZE));
  EXPECT_TRUE(kvm_is_block_size_supported(k2M));
  EXPECT_TRUE(kvm_is_block_size_supported(k1G));
  EXPECT_FALSE(kvm_is_block_size_supported(0));
  EXPECT_FALSE(kvm_is_block_size_supported(64 * 1024));
  EXPECT_FALSE(kvm_is_block_size_supported(3 * k2M));
}

// By hand: two 2 MiB blocks, chunk 2 MiB. Enabling logging protects both blocks
// (flush_all), then splits: chunk 1 tops the cache up to 2 and uses 1, chunk 2 tops
// up 1 more and uses 1; one broadcast per-IPA flush per block broken.
TEST(EagerSplit, GoldenEnableTimeSplitOfTwoBlocks) {
  SplitVm vm(k2M, 1024);
  std::vector<Xlat> before;
  for (gfn_t g = 0; g < 1024; ++g) before.push_back(xlat(vm.kvm, ModernVm::ipa_of(g)));
  WpStats wp;
  SplitStats split;
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 64, nullptr, &wp, &split), 0);
  EXPECT_EQ(wp.blocks_write_protected, 2u);
  EXPECT_EQ(vm.tlb.flush_all, 1u);
  EXPECT_EQ(split.chunks, 2u);
  EXPECT_EQ(split.topups, 2u);
  EXPECT_EQ(split.pages_topped_up, 3u);
  EXPECT_EQ(split.blocks_split_2m, 2u);
  EXPECT_EQ(split.blocks_split_1g, 0u);
  EXPECT_EQ(split.tables_allocated, 2u);
  EXPECT_EQ(split.tlbi_ipa, 2u);
  EXPECT_FALSE(split.enomem);
  EXPECT_EQ(vm.tlb.flush_ipa, 2u);
  EXPECT_EQ(vm.kvm.split_page_cache, 1u);
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 0u);
  EXPECT_EQ(vm.kvm.pgtable.mapped_pages(), 1024u);
  for (gfn_t g = 0; g < 1024; ++g) {
    const S2Lookup l = vm.lookup(g);
    ASSERT_EQ(l.level, 3);
    ASSERT_FALSE(l.desc.writable());
    Xlat want = before[g];
    want.attrs = kvm_set_s2pte_readonly(S2Desc{want.attrs}).raw;  // protected before the split
    ASSERT_EQ(xlat(vm.kvm, ModernVm::ipa_of(g)), want) << "gfn " << g;
  }
}

// The split removes the fault-time split: a write relaxes one pte in place (6.6: a
// local flush) instead of breaking the block (broadcast flush) and mapping one page.
TEST(EagerSplit, WriteAfterSplitRelaxesInPlaceWithoutItDissolvesTheBlock) {
  SplitVm with(k2M, 512);
  ASSERT_EQ(kvm_enable_dirty_logging(with.kvm, 0, 64), 0);
  const CountingTlbMaintenance before = with.tlb;
  EXPECT_EQ(kvm_handle_guest_abort(with.kvm, ModernVm::ipa_of(5), Access::Write, nullptr, 0).outcome,
            FaultOutcome::MadeWritable);
  EXPECT_EQ(with.tlb.flush_ipa, before.flush_ipa);
  EXPECT_EQ(with.tlb.flush_ipa_local, before.flush_ipa_local + 1);
  EXPECT_TRUE(with.writable(5));
  EXPECT_TRUE(with.lookup(6).mapped);  // the neighbours stay mapped (read-only)

  SplitVm without(0, 512);
  ASSERT_EQ(kvm_enable_dirty_logging(without.kvm, 0, 64), 0);
  const CountingTlbMaintenance b2 = without.tlb;
  EXPECT_EQ(kvm_handle_guest_abort(without.kvm, ModernVm::ipa_of(5), Access::Write, nullptr, 0).outcome,
            FaultOutcome::BlockDissolved);
  EXPECT_EQ(without.tlb.flush_ipa, b2.flush_ipa + 1);
  EXPECT_FALSE(without.lookup(6).mapped);  // the other 511 pages fault back in
}

// MANUAL_PROTECT2 + INITIALLY_SET: nothing at enable; the first CLEAR of a range
// protects its block whole (stage2_wp_range) and then splits it.
TEST(EagerSplit, ClearSplitsTheBlocksOfTheClearedRangeOnly) {
  SplitVm vm(k2M, 1024, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 64), 0);
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 2u);
  EXPECT_EQ(vm.tlb.flush_all + vm.tlb.flush_ipa, 0u);
  RangeWalker w;
  ClearDirtyLog call(vm.kvm, ClearDirtyLogArgs{0, 64, 64, {1}}, w);
  ASSERT_EQ(call.run(), 0);
  EXPECT_EQ(call.wp_stats().blocks_write_protected, 1u);
  EXPECT_EQ(call.split_stats().blocks_split_2m, 1u);
  EXPECT_EQ(call.split_stats().tables_allocated, 1u);
  EXPECT_EQ(vm.tlb.flush_ipa, 1u);
  EXPECT_EQ(vm.tlb.flush_all, 1u);
  for (gfn_t g = 0; g < 512; ++g) {
    ASSERT_EQ(vm.lookup(g).level, 3);
    ASSERT_FALSE(vm.writable(g));
  }
  EXPECT_EQ(vm.lookup(512).level, 2);  // the second block: untouched, writable
  EXPECT_TRUE(vm.writable(700));
}

// A 1 GiB block with a 2 MiB chunk: the cache (capacity 2) cannot map it down to ptes,
// so it becomes a table of 2 MiB blocks, of which those in the range are split next.
// With a 1 GiB chunk (capacity 513) it is mapped to ptes in one go.
TEST(EagerSplit, OneGigabyteBlockSplitsByLevelsAsTheCacheAllows) {
  for (const std::uint64_t chunk : {k2M, k1G}) {
    SCOPED_TRACE(chunk);
    ModernVm vm;
    ASSERT_EQ(kvm_enable_eager_split_chunk_size(vm.kvm, chunk), 0);
    const phys_addr_t pa = 4 * k1G;
    vm.kvm.pgtable.map_block(k1G, pa, 1, kRw);
    const ipa_t end = chunk == k2M ? k1G + 2 * k2M : 2 * k1G;
    SplitStats st;
    ASSERT_EQ(kvm_mmu_split_huge_pages(vm.kvm, k1G, end, &st), 0);
    EXPECT_EQ(st.blocks_split_1g, 1u);
    EXPECT_EQ(st.blocks_split_2m, chunk == k2M ? 2u : 0u);
    EXPECT_EQ(st.tables_allocated, chunk == k2M ? 3u : 513u);
    EXPECT_EQ(st.tlbi_ipa, chunk == k2M ? 3u : 1u);
    EXPECT_EQ(vm.tlb.flush_ipa, st.tlbi_ipa);
    EXPECT_EQ(vm.kvm.pgtable.lookup(k1G + 3 * PAGE_SIZE).level, 3);
    EXPECT_EQ(vm.kvm.pgtable.lookup(k1G + 2 * k2M).level, chunk == k2M ? 2 : 3);
    for (ipa_t ipa = k1G; ipa < 2 * k1G; ipa += 97 * PAGE_SIZE)
      ASSERT_EQ(xlat(vm.kvm, ipa), (Xlat{true, pa + (ipa - k1G), kRw & ~desc::TYPE_MASK}));
  }
}

// Best effort: a top-up that cannot reach the chunk's capacity ends the split with
// -ENOMEM; the blocks stay, and a write fault dissolves them as without eager split.
TEST(EagerSplit, ShortTopUpStopsTheSplitBestEffort) {
  SplitVm vm(k2M, 1024);
  vm.kvm.split_topup_budget = 3;  // two chunks need 2 + 1; a third would need one more
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 64), 0);
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 0u);
  SplitVm poor(k2M, 1024);
  poor.kvm.split_topup_budget = 1;
  SplitStats st;
  ASSERT_EQ(kvm_enable_dirty_logging(poor.kvm, 0, 64, nullptr, nullptr, &st), 0);
  EXPECT_TRUE(st.enomem);
  EXPECT_EQ(st.blocks_split_2m, 0u);
  EXPECT_EQ(poor.kvm.pgtable.mapped_blocks(), 2u);
  EXPECT_EQ(kvm_mmu_split_memory_region(poor.kvm, 0), -kENOMEM);
  EXPECT_EQ(kvm_handle_guest_abort(poor.kvm, ModernVm::ipa_of(3), Access::Write, nullptr, 0).outcome,
            FaultOutcome::BlockDissolved);
}

// Random layouts of 1 GiB blocks, 2 MiB blocks and pages, random permissions and XN;
// a random range split with a random chunk size. Every page keeps its translation and
// attributes; every mapped page inside the range ends at level 3.
TEST(EagerSplitProperty, SplitKeepsEveryTranslationAndPermission) {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    ModernVm vm;
    const std::uint64_t chunks[] = {PAGE_SIZE, k2M, k1G};
    ASSERT_EQ(kvm_enable_eager_split_chunk_size(vm.kvm, chunks[rng() % 3]), 0);
    auto attrs = [&] {
      return desc::PAGE_S2_ATTRS | (rng() % 2 ? desc::L_PTE_S2_RDWR : 0) | (rng() % 4 == 0 ? desc::XN : 0);
    };
    constexpr ipa_t kSpan = 2 * k1G;
    for (ipa_t g1 = 0; g1 < kSpan; g1 += k1G) {
      if (rng() % 2) {
        vm.kvm.pgtable.map_block(g1, 8 * k1G + g1, 1, attrs());
        continue;
      }
      for (ipa_t m = g1; m < g1 + k1G; m += k2M) {
        const unsigned kind = rng() % 4;
        if (kind == 1) vm.kvm.pgtable.map_block(m, 8 * k1G + m, 2, attrs());
        if (kind == 2)
          for (int i = 0; i < 8; ++i) {
            const ipa_t p = m + (rng() % PMD_PAGES) * PAGE_SIZE;
            vm.kvm.pgtable.map_page(p, 16 * k1G + p, attrs());
          }
      }
    }
    std::vector<Xlat> before;
    for (ipa_t ipa = 0; ipa < kSpan; ipa += PAGE_SIZE) before.push_back(xlat(vm.kvm, ipa));
    const ipa_t a = (rng() % (kSpan / PAGE_SIZE)) * PAGE_SIZE;
    const ipa_t b = a + PAGE_SIZE + (rng() % ((kSpan - a) / PAGE_SIZE)) * PAGE_SIZE;
    SplitStats st;
    ASSERT_EQ(kvm_mmu_split_huge_pages(vm.kvm, a, b, &st), 0);
    EXPECT_EQ(vm.tlb.flush_ipa, st.blocks_split_1g + st.blocks_split_2m);
    for (ipa_t ipa = 0; ipa < kSpan; ipa += PAGE_SIZE) {
      ASSERT_EQ(xlat(vm.kvm, ipa), before[ipa / PAGE_SIZE]) << std::hex << ipa;
      if (ipa >= a && ipa < b && before[ipa / PAGE_SIZE].mapped) {
        ASSERT_EQ(vm.kvm.pgtable.lookup(ipa).level, 3) << std::hex << ipa;
      }
    }
  }
}

// A slot backed by 1 GiB pages gets each GiB as one aligned, contiguous allocation on
// first touch (so a 1 GiB block can map it); 2 MiB chunks skipped for the alignment
// are never handed out.
TEST(HugeBacking, OneGigabytePagesAreContiguousAndAligned) {
  ModernVm vm;
  // Adding a slot may move the others: each is looked up again once all are added.
  vm.add_slot(0, 0, PUD_PAGES, true);
  vm.add_slot(1, PUD_PAGES, PMD_PAGES, true);
  vm.add_slot(2, 2 * PUD_PAGES, PUD_PAGES, true);
  Memslot& giant = *vm.kvm.memslots.by_id(0);
  Memslot& small = *vm.kvm.memslots.by_id(1);
  Memslot& giant2 = *vm.kvm.memslots.by_id(2);
  giant.huge_shift = PUD_SHIFT;
  giant2.huge_shift = PUD_SHIFT;
  const phys_addr_t p0 = vm.kvm.gfn_to_pa(giant, 5);
  EXPECT_EQ(p0 & (k1G - 1), 5 * PAGE_SIZE);
  EXPECT_EQ(vm.kvm.gfn_to_pa(giant, 3 * PMD_PAGES + 1), p0 - 5 * PAGE_SIZE + 3 * k2M + PAGE_SIZE);
  EXPECT_EQ(vm.kvm.gfn_to_pa(giant, PUD_PAGES - 1), p0 - 5 * PAGE_SIZE + k1G - PAGE_SIZE);
  const phys_addr_t p1 = vm.kvm.gfn_to_pa(small, PUD_PAGES);
  EXPECT_EQ(p1, p0 - 5 * PAGE_SIZE + k1G);  // the next 2 MiB chunk
  const phys_addr_t p2 = vm.kvm.gfn_to_pa(giant2, 2 * PUD_PAGES);
  EXPECT_EQ(p2 & (k1G - 1), 0u);
  EXPECT_EQ(p2, p1 + k1G);  // the GiB after the small chunk's, aligned up
}
