// Stage-2 hardware dirty state (mmu/dbm.h): golden encodings against the ARM ARM
// layout (S2AP [7:6], AF [10], DBM [51]; VTCR_EL2 HA 21, HD 22, HDBSS 45), the
// walker's update rule, the HDBSS entry and buffer, and the RFC's scan-and-clean.
#include <gtest/gtest.h>

#include "mmu/dbm.h"
#include "mmu/dirty_log.h"
#include "mmu/stage2_unmap.h"
#include "mmu/wp_walker.h"
#include "modern_vm.h"

using namespace s2sim::mmu;
using s2sim::mmu::testing::ModernVm;

namespace {
// A 4 KiB page at PA 0x80001000, normal WB, inner shareable, AF set, read-only.
constexpr S2Desc kRoPage = make_page(0x80001000, desc::PAGE_S2_ATTRS);

void clear_bitmap(Memslot& slot) {
  for (std::uint64_t i = 0; i < slot.dirty_bitmap->nwords(); ++i) slot.dirty_bitmap->xchg_word(i);
}
}  // namespace

TEST(Dbm, GoldenBitPositions) {
  EXPECT_EQ(desc::DBM, 0x0008000000000000ull);  // bit 51
  EXPECT_EQ(vtcr::HA, 0x200000ull);             // bit 21
  EXPECT_EQ(vtcr::HD, 0x400000ull);             // bit 22
  EXPECT_EQ(vtcr::HDBSS, 0x200000000000ull);    // bit 45
  EXPECT_EQ(vtcr_hw_bits(HwDirty::None), 0u);
  EXPECT_EQ(vtcr_hw_bits(HwDirty::Dbm), 0x600000ull);
  EXPECT_EQ(vtcr_hw_bits(HwDirty::Hdbss), 0x200000600000ull);
  // PAGE_S2: type 0b11, MemAttr 0xF [5:2], S2AP 01 [7:6], SH 11 [9:8], AF [10].
  EXPECT_EQ(kRoPage.raw, 0x8000177Full);
}

TEST(Dbm, StatesAreTheArchitecturesEncodings) {
  const S2Desc clean = kvm_set_s2pte_dbm(kRoPage);
  EXPECT_EQ(clean.raw, 0x000800008000177Full);  // DBM [51], S2AP 01
  EXPECT_TRUE(s2_writable_clean(clean));
  EXPECT_FALSE(s2_writable_dirty(clean));
  const S2Desc dirty = S2Desc{clean.raw | desc::L_PTE_S2_RDWR};
  EXPECT_EQ(dirty.raw, 0x00080000800017FFull);  // S2AP 11
  EXPECT_TRUE(s2_writable_dirty(dirty));
  EXPECT_EQ(kvm_s2pte_clean(dirty), clean);      // only S2AP[1] goes
  EXPECT_FALSE(s2_writable_clean(kRoPage));      // no DBM: plain read-only
}

TEST(Dbm, HardwareSetsWritePermissionOnlyForADbmLeafWithHd) {
  const std::uint64_t hd = vtcr_hw_bits(HwDirty::Dbm);
  const S2Desc clean = kvm_set_s2pte_dbm(kRoPage);
  const auto upd = hw_update(clean, Access::Write, FaultKind::Permission, hd);
  ASSERT_TRUE(upd.has_value());
  EXPECT_EQ(upd->raw, clean.raw | 0x80);  // S2AP[1] = bit 7
  // The write still faults: no DBM, no HD, a read, or a translation fault.
  EXPECT_FALSE(hw_update(kRoPage, Access::Write, FaultKind::Permission, hd));
  EXPECT_FALSE(hw_update(clean, Access::Write, FaultKind::Permission, 0));
  EXPECT_FALSE(hw_update(clean, Access::Read, FaultKind::Permission, hd));
  EXPECT_FALSE(hw_update(S2Desc{}, Access::Write, FaultKind::Translation, hd));
  // S2AP 00 (no access) with DBM: the permission fault stands.
  EXPECT_FALSE(hw_update(S2Desc{clean.raw & ~desc::S2AP_MASK}, Access::Write, FaultKind::Permission, hd));
}

TEST(Dbm, HardwareSetsTheAccessFlagWithHa) {
  const S2Desc no_af{kRoPage.raw & ~desc::AF};
  const auto upd = hw_update(no_af, Access::Read, FaultKind::AccessFlag, vtcr::HA);
  ASSERT_TRUE(upd.has_value());
  EXPECT_EQ(upd->raw, kRoPage.raw);  // bit 10 set, nothing else
  EXPECT_FALSE(hw_update(no_af, Access::Read, FaultKind::AccessFlag, 0));
}

TEST(Hdbss, EntryLayout) {
  // IPA [55:12], TTWL [3:1], valid [0].
  EXPECT_EQ(hdbss::make_entry(0x12345678ABCull, 3), 0x12345678000ull | (3u << 1) | 1u);
  EXPECT_EQ(hdbss::entry_ipa(hdbss::make_entry(0x00FFFFFFFFFFF000ull, 2)), 0x00FFFFFFFFFFF000ull);
  EXPECT_EQ(hdbss::entry_level(hdbss::make_entry(0x200000, 2)), 2);
  EXPECT_EQ(hdbss::size_field(4096), 0u);
  EXPECT_EQ(hdbss::size_field(8192), 1u);
  EXPECT_EQ(hdbss::size_field(2u << 20), 9u);
}

TEST(Hdbss, BufferFillsDrainsAndRefuses) {
  ModernVm vm;
  Memslot& slot = vm.add_slot(0, 0, 1024);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 64), 0);
  clear_bitmap(slot);
  HdbssBuffer buf(4096);
  EXPECT_EQ(buf.capacity(), 512u);
  for (gfn_t g = 0; g < 512; ++g) EXPECT_TRUE(buf.append(g << PAGE_SHIFT, 3));
  EXPECT_TRUE(buf.full());
  EXPECT_FALSE(buf.append(600 << PAGE_SHIFT, 3));  // the HDBSSF abort: nothing written
  EXPECT_EQ(buf.index(), 512u);
  EXPECT_EQ(buf.drain(vm.kvm, slot, 0), 512u);
  EXPECT_EQ(buf.index(), 0u);
  for (gfn_t g = 0; g < 1024; ++g) EXPECT_EQ(slot.dirty_bitmap->test(g), g < 512) << g;
}

TEST(DbmScan, CollectsWritableLeavesAndCleansThem) {
  ModernVm vm;
  Memslot& slot = vm.add_slot(0, 0, 2048);
  for (gfn_t g = 0; g < 2048; g += 3) vm.guest_write(g);  // writable, no DBM
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 64), 0);   // all read-only now
  clear_bitmap(slot);
  // A fault-made writable pte gets DBM in the relaxing store.
  vm.guest_write(7);  // was never mapped: translation fault then write
  EXPECT_TRUE(dbm_arm_after_write_fault(vm.kvm, ModernVm::ipa_of(7)));
  vm.guest_write(9);  // mapped read-only: permission fault
  EXPECT_TRUE(dbm_arm_after_write_fault(vm.kvm, ModernVm::ipa_of(9)));
  clear_bitmap(slot);
  CountingSink sink;
  const DbmScanStats st = dbm_scan_clean(vm.kvm, slot, 0, 2048, &sink);
  EXPECT_EQ(st.ptes_cleaned, 2u);
  EXPECT_EQ(st.pages_dirty, 2u);
  EXPECT_EQ(sink.total_stores(), 2u);
  EXPECT_EQ(sink.loads[3], st.ptes_scanned);
  EXPECT_EQ(st.ptes_scanned, 2048u);  // every pte of the four pte tables, present or not
  for (gfn_t g = 0; g < 2048; ++g) EXPECT_EQ(slot.dirty_bitmap->test(g), g == 7 || g == 9) << g;
  EXPECT_TRUE(s2_writable_clean(vm.lookup(7).desc));
  EXPECT_TRUE(s2_writable_clean(vm.lookup(9).desc));
  // A second scan finds nothing new.
  clear_bitmap(slot);
  EXPECT_EQ(dbm_scan_clean(vm.kvm, slot, 0, 2048, nullptr).pages_dirty, 0u);
  // The walker's update (what a vCPU's write does now) is found by the next scan.
  const S2Lookup l = vm.lookup(9);
  const auto upd = hw_update(l.desc, Access::Write, FaultKind::Permission, vtcr_hw_bits(HwDirty::Dbm));
  ASSERT_TRUE(upd.has_value());
  vm.kvm.pgtable.mem().store64(l.desc_pa, upd->raw);
  EXPECT_EQ(dbm_scan_clean(vm.kvm, slot, 0, 2048, nullptr).pages_dirty, 1u);
  EXPECT_TRUE(slot.dirty_bitmap->test(9));
}

TEST(DbmScan, WritableBlockIsProtectedWholeAndAllItsPagesDirty) {
  ModernVm vm;
  Memslot& slot = vm.add_slot(0, 0, 1024, /*huge=*/true);
  vm.guest_write(5);  // maps the first 2 MiB block read/write
  ASSERT_EQ(vm.lookup(5).level, 2);
  ASSERT_TRUE(vm.writable(5));
  ASSERT_EQ(kvm_start_dirty_logging(vm.kvm, 0, 64), 0);  // logging on, nothing protected
  clear_bitmap(slot);
  const DbmScanStats st = dbm_scan_clean(vm.kvm, slot, 0, 1024, nullptr);
  EXPECT_EQ(st.blocks_protected, 1u);
  EXPECT_EQ(st.pages_dirty, 512u);
  EXPECT_FALSE(vm.writable(5));
  EXPECT_FALSE(vm.lookup(5).desc.dbm());  // no DBM on blocks
}

// Why the DBM mode cleans only in the scan: a write-protect walk over [ffs, fls]
// (stage2_wp_range, what CLEAR and GET use) also cleans a page between the set bits
// that the hardware dirtied after the scan, and no later scan can find that write.
TEST(DbmScan, AWriteProtectWalkBetweenSetBitsWouldHideAHardwareDirtiedPage) {
  ModernVm vm;
  Memslot& slot = vm.add_slot(0, 0, 512);
  for (gfn_t g = 0; g < 64; ++g) vm.guest_write(g);
  ASSERT_EQ(kvm_start_dirty_logging(vm.kvm, 0, 64), 0);
  (void)dbm_scan_clean(vm.kvm, slot, 0, 512, nullptr);  // all 64 writable-clean now
  clear_bitmap(slot);
  // The guest writes pages 0, 5 and 63 through the hardware; the next scan reports them.
  for (gfn_t g : {0u, 5u, 63u}) {
    const S2Lookup l = vm.lookup(g);
    vm.kvm.pgtable.mem().store64(
        l.desc_pa, hw_update(l.desc, Access::Write, FaultKind::Permission, vtcr_hw_bits(HwDirty::Dbm))->raw);
  }
  EXPECT_EQ(dbm_scan_clean(vm.kvm, slot, 0, 512, nullptr).pages_dirty, 3u);
  // Page 30 is dirtied by the hardware after that scan; a range walk for the mask of
  // pages 0 and 63 then cleans it too.
  const S2Lookup l30 = vm.lookup(30);
  vm.kvm.pgtable.mem().store64(
      l30.desc_pa, hw_update(l30.desc, Access::Write, FaultKind::Permission, vtcr_hw_bits(HwDirty::Dbm))->raw);
  ASSERT_TRUE(s2_writable_dirty(vm.lookup(30).desc));
  S2Walk w(vm.kvm.pgtable, nullptr, nullptr, "range");
  WpStats st;
  stage2_wp_range(w, 0, 64 << PAGE_SHIFT, st);
  EXPECT_TRUE(s2_writable_clean(vm.lookup(30).desc)) << "cleaned without being reported";
  clear_bitmap(slot);
  EXPECT_EQ(dbm_scan_clean(vm.kvm, slot, 0, 512, nullptr).pages_dirty, 0u) << "page 30's write is gone";
}

// An unmap of a writable-dirty pte (an MMU-notifier invalidation between two scans)
// keeps its dirty state in the bitmap.
TEST(DbmScan, UnmappingAWritableDirtyPteMarksItDirty) {
  ModernVm vm;
  Memslot& slot = vm.add_slot(0, 0, 512);
  vm.guest_write(12);
  vm.guest_write(13);
  ASSERT_EQ(kvm_start_dirty_logging(vm.kvm, 0, 64), 0);
  (void)dbm_scan_clean(vm.kvm, slot, 0, 512, nullptr);
  clear_bitmap(slot);
  const S2Lookup l = vm.lookup(12);
  vm.kvm.pgtable.mem().store64(
      l.desc_pa, hw_update(l.desc, Access::Write, FaultKind::Permission, vtcr_hw_bits(HwDirty::Dbm))->raw);
  EXPECT_TRUE(kvm_unmap_gfn(vm.kvm, 12));
  EXPECT_TRUE(kvm_unmap_gfn(vm.kvm, 13));  // writable-clean: nothing to save
  EXPECT_TRUE(slot.dirty_bitmap->test(12));
  EXPECT_FALSE(slot.dirty_bitmap->test(13));
}
