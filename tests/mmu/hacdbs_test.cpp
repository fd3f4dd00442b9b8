// FEAT_HACDBS (mmu/hacdbs.h): golden encodings of HACDBSBR_EL2 and HACDBSCONS_EL2
// (ARM ARM D24.2.58 / D24.2.59), the PE's processing of a list (D8.5.2.4: what it
// cleans, what it leaves, where it stops and why), and the RFC's list walker: rounds
// of one page of entries, the stop entry, the fallback to write protection after an
// error, and a write after the clean dirtying the leaf again.
#include <gtest/gtest.h>

#include "mmu/dirty_log.h"
#include "mmu/hacdbs.h"
#include "mmu/wp_walker.h"
#include "modern_vm.h"

using namespace s2sim::mmu;
using s2sim::mmu::testing::ModernVm;

namespace {

// Maps gfn `g` writable with DBM set: writable-dirty, as after a hardware update.
void make_writable_dirty(ModernVm& vm, gfn_t g) {
  vm.guest_write(g);
  const S2Lookup l = vm.lookup(g);
  vm.kvm.pgtable.mem().store64(l.desc_pa, kvm_set_s2pte_dbm(l.desc).raw);
}

// HACDBSBR_EL2 for a one-page list at the RFC's page, EN set.
constexpr std::uint64_t kBr = hacdbs::make_br(hacdbs::kRfcListPa, 4096);

std::vector<std::uint64_t> page_list(std::initializer_list<gfn_t> gfns) {
  std::vector<std::uint64_t> l;
  for (gfn_t g : gfns) l.push_back(hdbss::make_entry(g << PAGE_SHIFT, 3));
  l.push_back(hacdbs::STOP_ENTRY);
  return l;
}

}  // namespace

TEST(Hacdbs, GoldenRegisterFields) {
  // HACDBSBR_EL2: BADDR [55:12], EN [11], SZ [3:0].
  EXPECT_EQ(hacdbs::BR_BADDR_MASK, 0x00FFFFFFFFFFF000ull);
  EXPECT_EQ(hacdbs::BR_EN, 0x800ull);
  EXPECT_EQ(hacdbs::make_br(0x80000000, 4096), 0x80000800ull);
  EXPECT_EQ(hacdbs::make_br(0x80200000, 2u << 20), 0x80200809ull);  // SZ 0b1001: 2 MiB
  EXPECT_EQ(hacdbs::capacity(0), 512u);                              // 4 KiB / 8
  EXPECT_EQ(hacdbs::capacity(9), 262144u);
  // HACDBSCONS_EL2: ERR_REASON [63:62], INDEX [18:0].
  EXPECT_EQ(hacdbs::make_cons(5, hacdbs::Err::IpaHacF), 0xC000000000000005ull);
  EXPECT_EQ(hacdbs::make_cons(0x7FFFF, hacdbs::Err::None), 0x7FFFFull);
  EXPECT_EQ(hacdbs::make_cons(1, hacdbs::Err::StructF), 0x4000000000000001ull);
  EXPECT_EQ(hacdbs::make_cons(2, hacdbs::Err::IpaF), 0x8000000000000002ull);
  EXPECT_EQ(hacdbs::cons_index(0x8000000000000123ull), 0x123u);
  EXPECT_EQ(hacdbs::cons_err(0x8000000000000123ull), hacdbs::Err::IpaF);
  // The RFC's stop entry: valid, TTWL 4.
  EXPECT_EQ(hacdbs::STOP_ENTRY, 0x9ull);
  EXPECT_EQ(hacdbs::kRfcListEntries, 512u);
}

TEST(Hacdbs, CleansWritableDirtyLeavesCleanOnesAndStopsAtTheStopEntry) {
  ModernVm vm;
  vm.add_slot(0, 0, 1024);
  make_writable_dirty(vm, 3);
  make_writable_dirty(vm, 4);
  {
    const S2Lookup l = vm.lookup(4);  // already writable-clean
    vm.kvm.pgtable.mem().store64(l.desc_pa, kvm_s2pte_clean(l.desc).raw);
  }
  std::vector<std::uint64_t> list = page_list({3, 4});
  list.insert(list.begin() + 1, 0);  // an invalid entry: skipped, INDEX moves on
  CountingSink sink;
  const HacdbsRun run = hacdbs_process(vm.kvm, kBr, list, &sink);
  EXPECT_EQ(run.cleaned, 1u);
  EXPECT_EQ(run.already_clean, 1u);
  EXPECT_TRUE(s2_writable_clean(vm.lookup(3).desc));
  EXPECT_TRUE(s2_writable_clean(vm.lookup(4).desc));
  // The stop entry (index 3) raised IPAHACF: the RFC's end of a short list.
  EXPECT_EQ(hacdbs::cons_index(run.cons), 3u);
  EXPECT_EQ(hacdbs::cons_err(run.cons), hacdbs::Err::IpaHacF);
  EXPECT_EQ(run.entries_read, 4u);
  // Two full walks of a three-level table (pgd, pmd, pte) and one store.
  EXPECT_EQ(sink.total_loads(), 6u);
  EXPECT_EQ(run.desc_loads, 6u);
  EXPECT_EQ(sink.total_stores(), 1u);
  EXPECT_EQ(sink.stores[3], 1u);
  // The only change is S2AP[1]: DBM stays, so the next write dirties it in hardware.
  const S2Lookup l3 = vm.lookup(3);
  const auto upd = hw_update(l3.desc, Access::Write, FaultKind::Permission, vtcr_hw_bits(HwDirty::Hacdbs));
  ASSERT_TRUE(upd.has_value());
  EXPECT_TRUE(s2_writable_dirty(*upd));
}

TEST(Hacdbs, AFullListEndsWithoutAnError) {
  ModernVm vm;
  vm.add_slot(0, 0, 1024);
  std::vector<std::uint64_t> list;
  for (gfn_t g = 0; g < 512; ++g) {
    make_writable_dirty(vm, g);
    list.push_back(hdbss::make_entry(g << PAGE_SHIFT, 3));
  }
  // EN clear: processing is disabled, nothing is read or cleaned.
  EXPECT_EQ(hacdbs_process(vm.kvm, kBr & ~hacdbs::BR_EN, list, nullptr).entries_read, 0u);
  EXPECT_TRUE(s2_writable_dirty(vm.lookup(0).desc));
  const HacdbsRun run = hacdbs_process(vm.kvm, kBr, list, nullptr);
  EXPECT_EQ(run.cons, hacdbs::make_cons(512, hacdbs::Err::None));  // INDEX >= 2^(SZ+12)/8: finished
  EXPECT_EQ(run.cleaned, 512u);
}

TEST(Hacdbs, ErrorsNameTheEntryAndItsReason) {
  ModernVm vm;
  vm.add_slot(0, 0, 1024);
  vm.add_slot(1, 2048, 1024, /*huge=*/true);
  make_writable_dirty(vm, 1);
  vm.guest_write(2);  // writable without DBM: not writable-clean or writable-dirty
  vm.guest_write(2048 + 5);  // a 2 MiB block: level 2, not the entry's TTWL 3
  ASSERT_EQ(vm.lookup(2048 + 5).level, 2);
  struct Case {
    gfn_t gfn;
    hacdbs::Err err;
  };
  for (const Case c : {Case{2, hacdbs::Err::IpaHacF}, Case{700, hacdbs::Err::IpaF},  // 700: never mapped
                       Case{2048 + 5, hacdbs::Err::IpaHacF}}) {
    const HacdbsRun run = hacdbs_process(vm.kvm, kBr, page_list({1, c.gfn, 1}), nullptr);
    EXPECT_EQ(run.cons, hacdbs::make_cons(1, c.err)) << c.gfn;
  }
  // A Contiguous leaf is refused too.
  const S2Lookup l = vm.lookup(1);
  vm.kvm.pgtable.mem().store64(l.desc_pa, l.desc.raw | desc::CONT);
  EXPECT_EQ(hacdbs_process(vm.kvm, kBr, page_list({1}), nullptr).cons, hacdbs::make_cons(0, hacdbs::Err::IpaHacF));
}

TEST(HacdbsWalker, ListsPagesAndHandsEachFullPageOfEntriesToTheHardware) {
  ModernVm vm;
  Memslot& slot = vm.add_slot(0, 0, 2048);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 64), 0);
  for (gfn_t g = 0; g < 1300; ++g) {
    vm.guest_write(g);  // the logging fault relaxes the pte
    ASSERT_TRUE(dbm_arm_after_write_fault(vm.kvm, ModernVm::ipa_of(g)));
  }
  HacdbsWalker walker(vm.kvm, make_wp_walker("range"));
  GetDirtyLog call(vm.kvm, 0, walker, DirtyLogOptions{});
  call.run();
  // 1,300 pages: two full lists of 512, then the last 276 at the end of the word loop.
  EXPECT_EQ(walker.stats().entries_listed, 1300u);
  EXPECT_EQ(walker.stats().rounds, 3u);
  EXPECT_EQ(walker.stats().cleaned, 1300u);
  EXPECT_EQ(walker.stats().errors, 0u);
  EXPECT_EQ(walker.stats().entries_read, 512u + 512u + 277u);  // the stop entry read and refused
  EXPECT_TRUE(walker.list().empty());
  for (gfn_t g = 0; g < 1300; ++g) ASSERT_TRUE(s2_writable_clean(vm.lookup(g).desc)) << g;
  EXPECT_EQ(call.pages_reported(), 1300u);
  EXPECT_EQ(vm.kvm.hazards.total(), 0u);
  (void)slot;
}

TEST(HacdbsWalker, AnErrorLeavesTheRestOfTheCallToWriteProtection) {
  ModernVm vm;
  vm.add_slot(0, 0, 1024);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 64), 0);
  for (gfn_t g : {1, 2, 4, 70, 71}) {
    vm.guest_write(g);
    if (g != 4) {  // 4: writable, no DBM
      ASSERT_TRUE(dbm_arm_after_write_fault(vm.kvm, ModernVm::ipa_of(g)));
    }
  }
  HacdbsWalker walker(vm.kvm, make_wp_walker("range"));
  GetDirtyLog call(vm.kvm, 0, walker, DirtyLogOptions{});
  call.run();
  // One list (1, 2, 4, 70, 71): 1 and 2 cleaned, 4 stops it (IPAHACF) and it and the
  // entries after it are write-protected by the software routine.
  EXPECT_EQ(walker.stats().rounds, 1u);
  EXPECT_EQ(walker.stats().errors, 1u);
  EXPECT_EQ(walker.stats().cleaned, 2u);
  EXPECT_EQ(walker.stats().fallback_pages, 3u);
  EXPECT_TRUE(s2_writable_clean(vm.lookup(1).desc));
  EXPECT_TRUE(s2_writable_clean(vm.lookup(2).desc));
  for (gfn_t g : {4, 70, 71}) EXPECT_FALSE(vm.lookup(g).desc.writable()) << g;
  EXPECT_EQ(call.pages_reported(), 5u);
  EXPECT_EQ(vm.kvm.hazards.total(), 0u);
}
