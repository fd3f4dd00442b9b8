// unmap_stage2_range() as arch/arm/kvm/mmu.c has it from Linux 3.15 (unmap_ptes /
// unmap_pmds / unmap_puds with kvm_pte_table_empty / kvm_pmd_table_empty, then
// clear_pmd_entry / clear_pud_entry), and what freeing emptied tables makes reachable:
// v4's walk_non_present after single-page unmaps, and its mask_abandoned when a window
// straddles a 1 GiB boundary whose lower level-1 entry the unmaps cleared.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "mmu/dirty_log.h"
#include "mmu/fault_handler.h"
#include "mmu/kvm.h"
#include "mmu/pgtable_accessors.h"
#include "mmu/stage2_unmap.h"
#include "mmu/wp_walkers.h"

using namespace s2sim::mmu;

namespace {

constexpr unsigned kIpaBits = 40;
constexpr gfn_t kGiBPages = gfn_t{1} << 18;  // gfns per level-1 entry (1 GiB)
constexpr ipa_t ipa_of(gfn_t g) { return g << PAGE_SHIFT; }

struct Vm {
  explicit Vm(const Geometry& g = Geometry::armv7_lpae()) : kvm(options(g), &tlb) {}
  static KvmOptions options(const Geometry& g) {
    KvmOptions o;
    o.geometry = g;
    return o;
  }
  Memslot& add_slot(gfn_t base, std::uint64_t npages, bool huge = false) {
    EXPECT_EQ(kvm.memslots.add(0, base, npages, huge, kvm.options.geometry.ipa_bits), "");
    return *kvm.memslots.by_id(0);
  }
  // A guest store: it faults only while the tables do not allow it (an untimed
  // stand-in for the hardware walk); a writable page takes it silently.
  void write(gfn_t g) {
    for (int faults = 0; !writable(g); ++faults) {
      ASSERT_LT(faults, 3) << "gfn " << g << " keeps faulting";
      ASSERT_NE(kvm_handle_guest_abort(kvm, ipa_of(g), Access::Write).outcome, FaultOutcome::Mmio);
    }
  }
  S2Lookup at(gfn_t g) const { return kvm.pgtable.lookup(ipa_of(g)); }
  // The level-1 entry covering gfn (the pgd entry on ARMv7 LPAE, the pud entry on a
  // 4-level geometry).
  std::uint64_t level1_entry(gfn_t g) const { return kvm.mem.load64(kvm.pgtable.entry_pa(ipa_of(g), 1)); }
  bool writable(gfn_t g) const { return at(g).mapped && at(g).desc.writable(); }

  CountingTlbMaintenance tlb;
  Kvm kvm;
};

}  // namespace

// 3.15+ unmap_ptes(): the pte that empties its table makes kvm_pte_table_empty() true,
// clear_pmd_entry() clears the pmd and frees the pte table; unmap_pmds() then finds the
// pmd table empty and clear_pud_entry() clears the level-1 entry (the folded pud) and
// frees the pmd table. Each clear is followed by kvm_tlb_flush_vmid_ipa().
TEST(Stage2Unmap, TheLastPteOfAPmdTableFreesBothTablesAndClearsTheLevel1Entry) {
  Vm vm;
  vm.add_slot(256, 512);
  vm.write(300);
  vm.write(301);
  const phys_addr_t pte_table = vm.at(300).desc_pa & PAGE_MASK;
  const phys_addr_t pmd_table = vm.kvm.pgtable.entry_pa(ipa_of(300), 2) & PAGE_MASK;
  const std::uint64_t tables = vm.kvm.mem.table_frames();

  EXPECT_TRUE(kvm_unmap_gfn(vm.kvm, 300));
  EXPECT_EQ(vm.at(300).level, 3);  // 301 still holds the pte table
  EXPECT_EQ(vm.tlb.flush_ipa, 1u);
  EXPECT_EQ(vm.kvm.mem.table_frames(), tables);

  EXPECT_TRUE(kvm_unmap_gfn(vm.kvm, 301));
  EXPECT_EQ(vm.level1_entry(301), 0u);
  EXPECT_EQ(vm.at(301).level, 1);  // the hardware walk now stops at level 1
  EXPECT_EQ(vm.kvm.mem.kind(pte_table), FrameKind::Free);
  EXPECT_EQ(vm.kvm.mem.kind(pmd_table), FrameKind::Free);
  EXPECT_EQ(vm.kvm.mem.table_frames(), tables - 2);
  EXPECT_EQ(vm.tlb.flush_ipa, 4u);  // the pte, the pmd, the level-1 entry
  EXPECT_EQ(vm.kvm.pgtable.mapped_pages(), 0u);
  EXPECT_FALSE(kvm_unmap_gfn(vm.kvm, 301));  // nothing left: no store, no flush
  EXPECT_EQ(vm.tlb.flush_ipa, 4u);
}

TEST(Stage2Unmap, TheLevel1EntryStaysWhileAnotherPmdOfItsGiBIsInUse) {
  Vm vm;
  vm.add_slot(256, 1024);  // regions 0, 1 and 2 of the first GiB
  vm.write(300);           // region 0
  vm.write(600);           // region 1
  const std::uint64_t level1 = vm.level1_entry(300);
  EXPECT_TRUE(kvm_unmap_gfn(vm.kvm, 300));
  EXPECT_EQ(vm.kvm.mem.load64(vm.kvm.pgtable.entry_pa(ipa_of(300), 2)), 0u);  // pmd cleared
  EXPECT_EQ(vm.level1_entry(300), level1);
  EXPECT_EQ(vm.at(300).level, 2);
  EXPECT_TRUE(vm.at(600).mapped);
  EXPECT_EQ(vm.tlb.flush_ipa, 2u);  // the pte and the pmd
}

TEST(Stage2Unmap, ABlockGoesWholeAndItsEmptiedPmdTableWithIt) {
  Vm vm;
  vm.add_slot(512, 512, true);
  ASSERT_EQ(kvm_handle_guest_abort(vm.kvm, ipa_of(600), Access::Write).outcome, FaultOutcome::MappedBlock);
  const std::uint64_t tables = vm.kvm.mem.table_frames();
  EXPECT_TRUE(kvm_unmap_gfn(vm.kvm, 777));  // unmap_pmds(): a huge pmd is cleared whole
  EXPECT_FALSE(vm.at(600).mapped);
  EXPECT_EQ(vm.level1_entry(600), 0u);
  EXPECT_EQ(vm.kvm.mem.table_frames(), tables - 1);  // the pmd table
  EXPECT_EQ(vm.tlb.flush_ipa, 2u);
}

// kvm_pud_table_empty() is (0) on ARM and arm64 (3.15-4.x kvm_mmu.h): with four levels
// the pud entry goes with its emptied pmd table, the level-0 pgd entry stays.
TEST(Stage2Unmap, FourLevelsClearThePudEntryButNeverThePgdEntry) {
  Vm vm(Geometry::armv8_4level());
  vm.add_slot(256, 512);
  vm.write(300);
  const phys_addr_t pgd_entry = vm.kvm.pgtable.entry_pa(ipa_of(300), 0);
  const std::uint64_t pgd_before = vm.kvm.mem.load64(pgd_entry);
  ASSERT_NE(pgd_before, 0u);
  EXPECT_TRUE(kvm_unmap_gfn(vm.kvm, 300));
  EXPECT_EQ(vm.level1_entry(300), 0u);
  EXPECT_EQ(vm.kvm.mem.load64(pgd_entry), pgd_before);
  EXPECT_EQ(vm.at(300).level, 1);
  EXPECT_EQ(vm.tlb.flush_ipa, 3u);
}

// A 2 MiB notifier range is one single-page unmap_stage2_range() per page
// (handle_hva_to_gpa, 3.15-4.x): each page's walk starts at the level-1 entry, and
// once the table that held the range is gone the rest stop there.
TEST(Stage2Unmap, APmdRangeIsOneWalkFromTheTopPerPage) {
  Vm vm;
  vm.add_slot(512, 512);
  for (gfn_t g = 512; g < 520; ++g) vm.write(g);
  CountingSink sink;
  EXPECT_TRUE(kvm_unmap_pmd_range(vm.kvm, 700, &sink));
  // 8 pages: level-1 entry, pmd, pte each; the 8th empties both tables (clear_pmd_entry
  // and clear_pud_entry each read their entry once more); 504 more pages read only the
  // now empty level-1 entry.
  EXPECT_EQ(sink.loads[1], 512u + 1);
  EXPECT_EQ(sink.loads[2], 8u + 1);
  EXPECT_EQ(sink.loads[3], 8u);
  EXPECT_EQ(sink.stores[3], 8u);
  EXPECT_EQ(sink.stores[2], 1u);
  EXPECT_EQ(sink.stores[1], 1u);
  EXPECT_EQ(vm.tlb.flush_ipa, 10u);
}

// A freed table frame goes back to simulated physical memory and is the next frame a
// table takes (LIFO), zeroed: a walker still holding the old pointer finds a table of
// another IPA range there, and a store through it is caught as wrong_table_wp; before
// the reuse the frame is free and an access to it is a stray_access.
TEST(Stage2Unmap, AFreedTableFrameIsReusedAndAStalePointerHitsTheNewTable) {
  Vm vm;
  vm.add_slot(256, 2 * kGiBPages);
  vm.write(300);
  const phys_addr_t stale_pte = vm.at(300).desc_pa;
  const phys_addr_t old_pte_table = stale_pte & PAGE_MASK;
  const phys_addr_t old_pmd_table = vm.kvm.pgtable.entry_pa(ipa_of(300), 2) & PAGE_MASK;
  ASSERT_TRUE(kvm_unmap_gfn(vm.kvm, 300));
  ASSERT_EQ(vm.kvm.mem.kind(old_pte_table), FrameKind::Free);
  {
    S2Walk w(vm.kvm.pgtable, nullptr, &vm.kvm.hazards, "test");
    EXPECT_EQ(w.load(stale_pte, 3, ipa_of(300)).raw, 0u);
    EXPECT_EQ(vm.kvm.hazards.count(HazardKind::StrayAccess), 1u);
  }
  // A fault in the second GiB takes the frames back: pmd table first (the last freed),
  // then the pte table.
  const gfn_t g = kGiBPages + 300;
  vm.write(g);
  EXPECT_EQ(vm.kvm.pgtable.entry_pa(ipa_of(g), 2) & PAGE_MASK, old_pmd_table);
  EXPECT_EQ(vm.at(g).desc_pa & PAGE_MASK, old_pte_table);
  EXPECT_EQ(vm.at(g).desc_pa, stale_pte);  // same index in the 2 MiB: the very word
  EXPECT_EQ(vm.kvm.mem.kind(old_pte_table), FrameKind::PageTable);
  EXPECT_EQ(vm.kvm.mem.table_info(old_pte_table).ipa_base, ipa_of(kGiBPages + 0));
  S2Walk w(vm.kvm.pgtable, nullptr, &vm.kvm.hazards, "test");
  const S2Desc seen = w.load(stale_pte, 3, ipa_of(300));
  EXPECT_TRUE(seen.writable());  // gfn g's pte, read as if it were 300's
  w.store(stale_pte, 3, kvm_set_s2pte_readonly(seen), ipa_of(300));
  EXPECT_EQ(vm.kvm.hazards.count(HazardKind::WrongTableWp), 1u);
  EXPECT_FALSE(vm.writable(g));  // the other range's page paid for it
}

// --- what freeing tables makes reachable in the seed's walker -------------------------

// Single-page unmaps (the host's "page" mode) used to leave an empty pte table behind,
// so v4 always found a table. Now the last one clears the pmd, and v4, whose window
// does not cross a pmd, takes a pte-table address from the empty entry.
TEST(Stage2Unmap, PageUnmapsMakeV4WalkANonPresentPmd) {
  for (const char* walker : {"v4", "v4-fixed"}) {
    SCOPED_TRACE(walker);
    Vm vm;
    Memslot& slot = vm.add_slot(512, 1024);  // 2 MiB aligned: no window crosses a pmd
    ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
    vm.write(600);
    vm.write(601);
    vm.write(1100);  // keeps the level-1 entry: only region 1's pmd goes
    for (gfn_t g : {600, 601}) ASSERT_TRUE(kvm_unmap_gfn(vm.kvm, g));
    ASSERT_EQ(vm.at(600).level, 2);
    ASSERT_TRUE(slot.dirty_bitmap->test(600 - 512));  // the bits outlive the mappings
    std::unique_ptr<WpWalker> w = make_wp_walker(walker);
    std::vector<gfn_t> dirty;
    ASSERT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 0, *w, DirtyLogOptions{}, &dirty), 0);
    EXPECT_EQ(dirty, (std::vector<gfn_t>{600, 601, 1100}));
    const std::uint64_t want = std::string(walker) == "v4" ? 2 : 0;  // once per set bit
    EXPECT_EQ(vm.kvm.hazards.count(HazardKind::WalkNonPresent), want);
    EXPECT_EQ(vm.kvm.hazards.total(), want);
    EXPECT_FALSE(vm.writable(1100));
  }
}

// A window straddling a 1 GiB boundary whose lower level-1 entry the unmaps cleared:
// v4 finds the first set bit's level-1 entry empty, falls back to pud_offset(pgd, next)
// -- which, the pud being folded, is the same empty entry -- and returns. The upper
// pages' bits are already in the snapshot; they stay writable: mask_abandoned.
TEST(Stage2Unmap, AWindowAcrossAnEmptiedGiBMakesV4AbandonTheMask) {
  const gfn_t boundary = kGiBPages;
  for (const char* walker : {"v4", "naive", "v4-fixed", "range"}) {
    SCOPED_TRACE(walker);
    Vm vm;
    Memslot& slot = vm.add_slot(boundary - 16, 64);  // the first window: [B-16, B+16)
    ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
    vm.write(boundary - 1);
    for (gfn_t g = boundary + 1; g <= boundary + 5; ++g) vm.write(g);
    ASSERT_TRUE(kvm_unmap_gfn(vm.kvm, boundary - 1));
    ASSERT_EQ(vm.level1_entry(boundary - 1), 0u);
    std::unique_ptr<WpWalker> w = make_wp_walker(walker);
    std::vector<gfn_t> dirty;
    ASSERT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 0, *w, DirtyLogOptions{}, &dirty), 0);
    EXPECT_EQ(dirty.size(), 6u);  // every bit reported, and cleared
    EXPECT_EQ(slot.dirty_bitmap->count_set(), 0u);
    const bool v4 = std::string(walker) == "v4";
    EXPECT_EQ(vm.kvm.hazards.count(HazardKind::MaskAbandoned), v4 ? 5u : 0u);
    EXPECT_EQ(vm.kvm.hazards.total(), v4 ? 5u : 0u);
    for (gfn_t g = boundary + 1; g <= boundary + 5; ++g) EXPECT_EQ(vm.writable(g), v4) << g;
    if (v4) {
      EXPECT_EQ(vm.kvm.hazards.first()[0].ipa, ipa_of(boundary + 1));
      EXPECT_EQ(vm.kvm.hazards.first()[0].level, 3);
      // The lost write: nothing faults, nothing is marked, the next call reports nothing.
      for (gfn_t g = boundary + 1; g <= boundary + 5; ++g) vm.write(g);
      ASSERT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 0, *w, DirtyLogOptions{}, &dirty), 0);
      EXPECT_TRUE(dirty.empty());
    }
  }
}

// The check itself: pages the walk covered are never reported, whatever their state;
// an uncovered page is reported only if it is still mapped writable.
TEST(Stage2Unmap, MaskAbandonedNeedsAnUncoveredWritablePage) {
  Vm vm;
  vm.add_slot(512, 64);
  vm.write(512);  // not logging: read/write
  vm.write(513);
  ASSERT_TRUE(vm.writable(512));
  S2Walk w(vm.kvm.pgtable, nullptr, &vm.kvm.hazards, "test");
  w.track_mask(512, 32);
  w.load(vm.at(512).desc_pa, 3, ipa_of(512));  // covers 512 only
  EXPECT_EQ(w.covered(), 1u);
  w.report_abandoned(0b1111);  // 512 covered, 513 writable, 514 and 515 not mapped
  ASSERT_EQ(vm.kvm.hazards.total(), 1u);
  EXPECT_EQ(vm.kvm.hazards.first()[0].kind, HazardKind::MaskAbandoned);
  EXPECT_EQ(vm.kvm.hazards.first()[0].ipa, ipa_of(513));
  EXPECT_STREQ(to_string(HazardKind::MaskAbandoned), "mask_abandoned");
}

// wrong_table_wp costs at most a needless fault, never a lost write: the page v4 meant
// has no pmd any more (so it is not mapped and its next write faults), and the entry
// it protects instead belongs to a page that then faults once more than it needed to.
// Here that page is in a slot that is not logging; a page of the logging slot would
// have its own bit set and be protected by its own word anyway.
TEST(Stage2Unmap, WrongTableWpCostsANeedlessFaultNeverALostWrite) {
  Vm vm;
  // Slot 0 [496, 1008), logging: its word 0 is gfns 496..527, crossing the pmd at 512.
  // Slot 1 [1008, 1520), not logging: gfn 1008 has pte index 496 in region 1's table.
  ASSERT_EQ(vm.kvm.memslots.add(0, 496, 512, false, kIpaBits), "");
  ASSERT_EQ(vm.kvm.memslots.add(1, 1008, 512, false, kIpaBits), "");
  Memslot& slot = *vm.kvm.memslots.by_id(0);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  vm.write(496);
  vm.write(516);
  vm.write(1008);
  ASSERT_TRUE(kvm_unmap_pmd_range(vm.kvm, 496));  // region 0 goes; region 1 keeps the GiB
  ASSERT_EQ(vm.at(496).level, 2);
  std::unique_ptr<WpWalker> v4 = make_wp_walker("v4");
  std::vector<gfn_t> dirty;
  ASSERT_EQ(kvm_vm_ioctl_get_dirty_log(vm.kvm, 0, *v4, DirtyLogOptions{}, &dirty), 0);
  EXPECT_EQ(dirty, (std::vector<gfn_t>{496, 516}));
  EXPECT_EQ(vm.kvm.hazards.count(HazardKind::WrongTableWp), 1u);
  EXPECT_EQ(vm.kvm.hazards.total(), 1u);
  // No page of the logging slot is writable with its bit clear: nothing can be lost.
  for (gfn_t g = slot.base_gfn; g < slot.end_gfn(); ++g)
    EXPECT_FALSE(vm.writable(g) && !slot.dirty_bitmap->test(g - slot.base_gfn)) << g;
  EXPECT_FALSE(vm.writable(516));
  // 496 is unmapped: its next write faults and is logged.
  ASSERT_EQ(kvm_handle_guest_abort(vm.kvm, ipa_of(496), Access::Write).outcome, FaultOutcome::MappedPage);
  EXPECT_TRUE(slot.dirty_bitmap->test(0));
  // 1008 was protected for nothing: one needless permission fault, nothing to mark.
  EXPECT_FALSE(vm.writable(1008));
  const FaultResult r = kvm_handle_guest_abort(vm.kvm, ipa_of(1008), Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::MadeWritable);
  EXPECT_EQ(r.pages_marked_dirty, 0u);
}
