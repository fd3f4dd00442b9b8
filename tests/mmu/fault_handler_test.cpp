// kvm_handle_guest_abort() -> user_mem_abort() with dirty logging (arch/arm/kvm/mmu.c,
// the form Linux 4.0 merged), and the host-side unmaps an MMU notifier performs.
#include <gtest/gtest.h>

#include <vector>

#include "mmu/dirty_log.h"
#include "mmu/fault_handler.h"
#include "mmu/granule.h"
#include "mmu/kvm.h"

using namespace s2sim::mmu;

namespace {

constexpr unsigned kIpaBits = 40;
constexpr ipa_t ipa_of(gfn_t g) { return g << PAGE_SHIFT; }
constexpr std::uint64_t kRO = desc::PAGE_S2_ATTRS;                         // PAGE_S2
constexpr std::uint64_t kRW = desc::PAGE_S2_ATTRS | desc::L_PTE_S2_RDWR;  // PAGE_S2 + S2AP 0b11

// A VM whose TLB maintenance requests are counted.
struct Vm {
  explicit Vm(BlockPolicy policy = BlockPolicy::Dissolve, SetPteOrder order = SetPteOrder::WriteThenFlush)
      : kvm(options(policy, order), &tlb) {}
  static KvmOptions options(BlockPolicy p, SetPteOrder order) {
    KvmOptions o;
    o.block_policy = p;
    o.set_pte_order = order;
    return o;
  }
  Memslot& add_slot(unsigned id, gfn_t base, std::uint64_t npages, bool huge) {
    EXPECT_EQ(kvm.memslots.add(id, base, npages, huge, kIpaBits), "");
    return *kvm.memslots.by_id(id);
  }
  FaultResult fault(gfn_t g, Access a) { return kvm_handle_guest_abort(kvm, ipa_of(g) + 0x123, a); }
  S2Lookup at(gfn_t g) const { return kvm.pgtable.lookup(ipa_of(g)); }

  CountingTlbMaintenance tlb;
  Kvm kvm;
};

// Records what a TLB flush sees in memory at the moment it is requested, so the order
// of stage2_set_pte() (the new entry before the flush, or 0 while it runs) can be checked.
class ProbeTlb final : public TlbMaintenance {
 public:
  void flush_remote_tlbs() override { ++flush_all; }
  void flush_vmid_ipa(ipa_t ipa) override {
    flushed_ipas.push_back(ipa);
    if (mem && probe_pa) seen_at_flush.push_back(mem->load64(probe_pa));
  }
  const PhysMem* mem = nullptr;
  phys_addr_t probe_pa = 0;
  std::uint64_t flush_all = 0;
  std::vector<ipa_t> flushed_ipas;
  std::vector<std::uint64_t> seen_at_flush;
};

}  // namespace

// --- translation faults --------------------------------------------------------------

// 4.0 user_mem_abort(): while the slot is logging a read fault's `writable` is forced
// false, so the page is mapped PAGE_S2, read-only.
TEST(FaultHandler, ReadTranslationFaultWhileLoggingMapsReadOnlyPageS2) {
  Vm vm;
  Memslot& slot = vm.add_slot(0, 256, 512, false);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  const std::uint64_t flush_all0 = vm.tlb.flush_all;
  const FaultResult r = vm.fault(300, Access::Read);
  EXPECT_EQ(r.outcome, FaultOutcome::MappedPage);
  EXPECT_EQ(r.pages_marked_dirty, 0u);
  const S2Lookup l = vm.at(300);
  ASSERT_TRUE(l.mapped);
  EXPECT_EQ(l.level, 3);
  // PAGE_S2: normal write-back, inner shareable, AF set, S2AP read-only.
  EXPECT_EQ(l.desc.raw, make_page(vm.kvm.gfn_to_pa(slot, 300), kRO).raw);
  EXPECT_TRUE(l.desc.readable());
  EXPECT_FALSE(l.desc.writable());
  EXPECT_TRUE(kvm_s2pte_readonly(l.desc));
  EXPECT_TRUE(l.desc.af());
  EXPECT_EQ(l.desc.memattr(), desc::MEMATTR_NORMAL_WB);
  EXPECT_EQ(l.desc.sh(), desc::SH_INNER);
  EXPECT_EQ(vm.kvm.pgtable.mapped_pages(), 1u);
  EXPECT_FALSE(vm.at(301).mapped);  // only the faulting page
  // A fresh mapping over an invalid entry needs no TLB maintenance.
  EXPECT_EQ(vm.tlb.flush_ipa, 0u);
  EXPECT_EQ(vm.tlb.flush_all, flush_all0);
}

// 3.10-4.0 user_mem_abort(): gfn_to_pfn_prot(kvm, gfn, write_fault, &writable) maps a
// read fault writable when the host page is writable ("map read fault as writable if
// possible", hva_to_pfn), as it is for guest RAM; and `if (writable)` sets S2AP
// read/write. Only while logging is a read fault's `writable` forced false. Nothing is
// marked: 4.0's mark_page_dirty() finds no bitmap.
TEST(FaultHandler, ReadTranslationFaultWhenNotLoggingMapsReadWrite) {
  Vm vm;
  Memslot& slot = vm.add_slot(0, 256, 512, false);
  const FaultResult r = vm.fault(300, Access::Read);
  EXPECT_EQ(r.outcome, FaultOutcome::MappedPage);
  EXPECT_EQ(r.pages_marked_dirty, 0u);
  EXPECT_EQ(vm.at(300).desc.raw, make_page(vm.kvm.gfn_to_pa(slot, 300), kRW).raw);
  // So a later write to it takes no fault at all.
  EXPECT_TRUE(vm.at(300).desc.writable());
  EXPECT_EQ(vm.tlb.flush_ipa + vm.tlb.flush_all, 0u);
  // Enabling logging write-protects it like any other present leaf.
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  EXPECT_FALSE(vm.at(300).desc.writable());
}

TEST(FaultHandler, WriteTranslationFaultMapsReadWriteAndMarksDirtyOnlyWhileLogging) {
  Vm vm;
  Memslot& slot = vm.add_slot(0, 256, 512, false);
  // Not logging: read/write page, nothing marked (there is no bitmap).
  FaultResult r = vm.fault(300, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::MappedPage);
  EXPECT_EQ(r.pages_marked_dirty, 0u);
  EXPECT_EQ(vm.at(300).desc.raw, make_page(vm.kvm.gfn_to_pa(slot, 300), kRW).raw);
  EXPECT_TRUE(vm.at(300).desc.writable());

  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  // Logging: a write fault maps read/write and sets the page's bit.
  r = vm.fault(400, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::MappedPage);
  EXPECT_EQ(r.pages_marked_dirty, 1u);
  EXPECT_TRUE(vm.at(400).desc.writable());
  EXPECT_TRUE(slot.dirty_bitmap->test(400 - 256));
  // A read fault while logging maps read-only and marks nothing.
  r = vm.fault(401, Access::Read);
  EXPECT_EQ(r.outcome, FaultOutcome::MappedPage);
  EXPECT_EQ(r.pages_marked_dirty, 0u);
  EXPECT_FALSE(vm.at(401).desc.writable());
  EXPECT_EQ(slot.dirty_bitmap->count_set(), 1u);
}

TEST(FaultHandler, HugepageSlotNotLoggingMapsA2MiBBlock) {
  Vm vm;
  // [512, 1536): 2 MiB regions 1 and 2 (gfns 512..1023, 1024..1535) lie wholly inside.
  Memslot& slot = vm.add_slot(0, 512, 1024, true);
  FaultResult r = vm.fault(700, Access::Read);
  EXPECT_EQ(r.outcome, FaultOutcome::MappedBlock);
  S2Lookup l = vm.at(700);
  ASSERT_TRUE(l.mapped);
  EXPECT_EQ(l.level, 2);
  EXPECT_EQ(l.desc.type(2), DescType::Block);
  // The block maps the whole region from its 2 MiB-aligned backing chunk; read/write
  // although it was a read (not logging: the host page is writable).
  EXPECT_EQ(l.desc.raw, make_block(vm.kvm.gfn_to_pa(slot, 512), kRW).raw);
  EXPECT_EQ(l.desc.output_address() % PMD_SIZE, 0u);
  for (gfn_t g : {512, 1023}) EXPECT_EQ(vm.at(g).desc_pa, l.desc_pa) << g;
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 1u);
  EXPECT_EQ(vm.kvm.pgtable.mapped_pages(), 0u);

  // A write fault in the other region maps a read/write block.
  r = vm.fault(1100, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::MappedBlock);
  EXPECT_EQ(r.pages_marked_dirty, 0u);
  l = vm.at(1100);
  EXPECT_EQ(l.level, 2);
  EXPECT_TRUE(l.desc.writable());
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 2u);

  // The first block is now mapped: a read elsewhere in it has nothing to do but
  // invalidate the IPA (stage2_set_pmd_huge() over a present pmd), which drops any
  // entry older than the block.
  EXPECT_EQ(vm.tlb.flush_ipa, 0u);
  EXPECT_EQ(vm.fault(1000, Access::Read).outcome, FaultOutcome::Spurious);
  EXPECT_EQ(vm.tlb.flush_ipa, 1u);
}

TEST(FaultHandler, HugepageSlotWithUnalignedEdgesMapsPagesAtTheEdges) {
  Vm vm;
  // [500, 1100): region 0 (0..511) only partly inside, region 1 (512..1023) wholly,
  // region 2 (1024..1535) only partly.
  vm.add_slot(0, 500, 600, true);
  EXPECT_EQ(vm.fault(505, Access::Write).outcome, FaultOutcome::MappedPage);
  EXPECT_EQ(vm.at(505).level, 3);
  EXPECT_EQ(vm.fault(511, Access::Read).outcome, FaultOutcome::MappedPage);
  EXPECT_EQ(vm.fault(600, Access::Read).outcome, FaultOutcome::MappedBlock);
  EXPECT_EQ(vm.at(600).level, 2);
  EXPECT_EQ(vm.fault(1024, Access::Read).outcome, FaultOutcome::MappedPage);
  EXPECT_EQ(vm.fault(1099, Access::Write).outcome, FaultOutcome::MappedPage);
  EXPECT_EQ(vm.at(1099).level, 3);
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 1u);
  EXPECT_EQ(vm.kvm.pgtable.mapped_pages(), 4u);
}

TEST(FaultHandler, HugepageSlotWhileLoggingMapsOnly4KiBPages) {
  Vm vm;
  Memslot& slot = vm.add_slot(0, 512, 1024, true);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  FaultResult r = vm.fault(700, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::MappedPage);  // force_pte while logging
  EXPECT_EQ(vm.at(700).level, 3);
  EXPECT_TRUE(vm.at(700).desc.writable());
  EXPECT_EQ(r.pages_marked_dirty, 1u);
  EXPECT_TRUE(slot.dirty_bitmap->test(700 - 512));
  r = vm.fault(1200, Access::Read);
  EXPECT_EQ(r.outcome, FaultOutcome::MappedPage);
  EXPECT_EQ(vm.at(1200).level, 3);
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 0u);
  EXPECT_EQ(vm.kvm.pgtable.mapped_pages(), 2u);
  EXPECT_FALSE(vm.at(701).mapped);
}

// --- permission faults ---------------------------------------------------------------

TEST(FaultHandler, PermissionFaultOnReadOnlyPageMakesItWritableWithOneFlush) {
  Vm vm;
  Memslot& slot = vm.add_slot(0, 256, 512, false);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  ASSERT_EQ(vm.fault(300, Access::Read).outcome, FaultOutcome::MappedPage);
  const S2Lookup before = vm.at(300);
  ASSERT_FALSE(before.desc.writable());
  const std::uint64_t flush_all0 = vm.tlb.flush_all;

  const FaultResult r = vm.fault(300, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::MadeWritable);
  EXPECT_EQ(r.pages_marked_dirty, 1u);
  const S2Lookup after = vm.at(300);
  EXPECT_EQ(after.desc_pa, before.desc_pa);
  // Only S2AP changed: read-only (01) -> read/write (11).
  EXPECT_EQ(after.desc.raw, before.desc.raw | desc::L_PTE_S2_RDWR);
  EXPECT_TRUE(after.desc.writable());
  // Replacing a present pte: one per-IPA flush (after the write up to 2016, between
  // the clear and the write since).
  EXPECT_EQ(vm.tlb.flush_ipa, 1u);
  EXPECT_EQ(vm.tlb.flush_all, flush_all0);
  EXPECT_TRUE(slot.dirty_bitmap->test(300 - 256));
  EXPECT_EQ(slot.dirty_bitmap->count_set(), 1u);
}

// What the one flush of a permission fault sees in the pte, for both orders of
// stage2_set_pte(), and the stores each makes.
struct SetPteSeen {
  std::vector<std::uint64_t> at_flush;
  std::uint64_t stores = 0;
  std::uint64_t final_pte = 0;
};
SetPteSeen permission_fault_with(SetPteOrder order) {
  ProbeTlb probe;
  KvmOptions o;
  o.set_pte_order = order;
  Kvm kvm(o, &probe);
  EXPECT_EQ(kvm.memslots.add(0, 256, 512, false, kIpaBits), "");
  EXPECT_EQ(kvm_enable_dirty_logging(kvm, 0, 32), 0);
  EXPECT_EQ(kvm_handle_guest_abort(kvm, ipa_of(300), Access::Read).outcome, FaultOutcome::MappedPage);
  probe.mem = &kvm.mem;
  probe.probe_pa = kvm.pgtable.lookup(ipa_of(300)).desc_pa;
  CountingSink sink;
  EXPECT_EQ(kvm_handle_guest_abort(kvm, ipa_of(300), Access::Write, &sink).outcome, FaultOutcome::MadeWritable);
  EXPECT_EQ(probe.flushed_ipas, (std::vector<ipa_t>{ipa_of(300)}));
  return {probe.seen_at_flush, sink.stores[3], kvm.mem.load64(probe.probe_pa)};
}

// 3.10 and 3.17 stage2_set_pte(): old_pte = *pte; kvm_set_pte(pte, new); if the old
// one was present, kvm_tlb_flush_vmid_ipa(). The flush sees the new writable pte.
TEST(FaultHandler, TheEraStage2SetPteWritesTheNewPteThenFlushes) {
  EXPECT_EQ(KvmOptions{}.set_pte_order, SetPteOrder::WriteThenFlush);  // the model's kernels
  const SetPteSeen s = permission_fault_with(SetPteOrder::WriteThenFlush);
  ASSERT_EQ(s.at_flush.size(), 1u);
  EXPECT_EQ(s.at_flush[0], s.final_pte);
  EXPECT_TRUE(S2Desc{s.at_flush[0]}.writable());
  EXPECT_EQ(s.stores, 1u);
  EXPECT_STREQ(to_string(SetPteOrder::WriteThenFlush), "write_then_flush");
}

// 2016, "Enforce Break-Before-Make on Stage-2 page tables" (4.8 stage2_set_pte): write
// 0, flush, then the new pte. The flush sees an invalid entry.
TEST(FaultHandler, BreakBeforeMakeClearsFlushesThenWrites) {
  const SetPteSeen s = permission_fault_with(SetPteOrder::BreakBeforeMake);
  EXPECT_EQ(s.at_flush, (std::vector<std::uint64_t>{0}));
  EXPECT_TRUE(S2Desc{s.final_pte}.writable());
  EXPECT_EQ(s.stores, 2u);
  EXPECT_STREQ(to_string(SetPteOrder::BreakBeforeMake), "break_before_make");
}

TEST(FaultHandler, PermissionFaultWhenNotLoggingMarksNothing) {
  Vm vm;
  Memslot& slot = vm.add_slot(0, 256, 512, false);
  // A page left read-only, as logging leaves them when it is switched off.
  vm.kvm.pgtable.map_page(ipa_of(300), vm.kvm.gfn_to_pa(slot, 300), kRO);
  const FaultResult r = vm.fault(300, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::MadeWritable);
  EXPECT_EQ(r.pages_marked_dirty, 0u);
  EXPECT_EQ(vm.tlb.flush_ipa, 1u);
}

TEST(FaultHandler, WriteToReadOnlyBlockWhileLoggingDissolvesIt) {
  Vm vm(BlockPolicy::Dissolve);
  Memslot& slot = vm.add_slot(0, 512, 512, true);  // exactly 2 MiB region 1
  // Before logging: a read/write block; enabling logging write-protects it whole.
  ASSERT_EQ(vm.fault(600, Access::Write).outcome, FaultOutcome::MappedBlock);
  const phys_addr_t pmd_pa = vm.at(600).desc_pa;
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  ASSERT_EQ(vm.at(600).level, 2);
  ASSERT_FALSE(vm.at(600).desc.writable());
  const std::uint64_t flush_ipa0 = vm.tlb.flush_ipa, flush_all0 = vm.tlb.flush_all;

  const FaultResult r = vm.fault(600, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::BlockDissolved);
  EXPECT_EQ(r.pages_marked_dirty, 1u);
  // stage2_dissolve_pmd: the pmd now points to a pte table holding one read/write pte.
  const S2Desc pmd{vm.kvm.mem.load64(pmd_pa)};
  EXPECT_EQ(pmd.type(2), DescType::Table);
  EXPECT_EQ(vm.kvm.mem.kind(pmd.output_address()), FrameKind::PageTable);
  const S2Lookup l = vm.at(600);
  ASSERT_TRUE(l.mapped);
  EXPECT_EQ(l.level, 3);
  EXPECT_EQ(l.desc.raw, make_page(vm.kvm.gfn_to_pa(slot, 600), kRW).raw);
  // Same backing frame the block mapped for this gfn.
  EXPECT_EQ(l.desc.output_address(), vm.kvm.gfn_to_pa(slot, 512) + (600 - 512) * PAGE_SIZE);
  // The other 511 pages fault back in lazily.
  unsigned still_mapped = 0;
  for (gfn_t g = 512; g < 1024; ++g)
    if (g != 600 && vm.at(g).mapped) ++still_mapped;
  EXPECT_EQ(still_mapped, 0u);
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 0u);
  EXPECT_EQ(vm.kvm.pgtable.mapped_pages(), 1u);
  // One per-IPA flush for clearing the block; no VM-wide flush.
  EXPECT_EQ(vm.tlb.flush_ipa, flush_ipa0 + 1);
  EXPECT_EQ(vm.tlb.flush_all, flush_all0);
  EXPECT_EQ(slot.dirty_bitmap->count_set(), 1u);
  EXPECT_TRUE(slot.dirty_bitmap->test(600 - 512));
}

TEST(FaultHandler, WriteToReadOnlyBlockWhileLoggingWithKeepPolicyMakesBlockWritable) {
  Vm vm(BlockPolicy::Keep);
  Memslot& slot = vm.add_slot(0, 512, 512, true);
  ASSERT_EQ(vm.fault(600, Access::Write).outcome, FaultOutcome::MappedBlock);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  const S2Lookup before = vm.at(600);
  ASSERT_FALSE(before.desc.writable());
  const std::uint64_t flush_ipa0 = vm.tlb.flush_ipa;

  const FaultResult r = vm.fault(600, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::BlockMadeWritable);
  const S2Lookup after = vm.at(600);
  EXPECT_EQ(after.level, 2);
  EXPECT_EQ(after.desc_pa, before.desc_pa);
  EXPECT_EQ(after.desc.raw, before.desc.raw | desc::L_PTE_S2_RDWR);
  EXPECT_EQ(vm.tlb.flush_ipa, flush_ipa0 + 1);  // stage2_set_pmd_huge() over a present pmd
  // Later writes anywhere in the block will not fault: all 512 pages are marked now.
  EXPECT_EQ(r.pages_marked_dirty, 512u);
  EXPECT_EQ(slot.dirty_bitmap->count_set(), 512u);
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 1u);
}

// --- access flag, spurious, MMIO -----------------------------------------------------

TEST(FaultHandler, AccessFlagFaultSetsAfOnly) {
  Vm vm;
  Memslot& slot = vm.add_slot(0, 256, 512, false);
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  vm.kvm.pgtable.map_page(ipa_of(300), vm.kvm.gfn_to_pa(slot, 300), kRO & ~desc::AF);
  const S2Lookup before = vm.at(300);
  ASSERT_TRUE(before.mapped);
  ASSERT_FALSE(before.desc.af());

  FaultResult r = vm.fault(300, Access::Read);
  EXPECT_EQ(r.outcome, FaultOutcome::AccessFlagSet);
  EXPECT_EQ(vm.at(300).desc.raw, before.desc.raw | desc::AF);  // nothing else changes
  EXPECT_EQ(vm.tlb.flush_ipa, 0u);

  // A write to an AF=0 read-only page: the access flag fault comes first (it takes
  // priority over the permission fault); the retried write then makes it writable.
  vm.kvm.pgtable.map_page(ipa_of(301), vm.kvm.gfn_to_pa(slot, 301), kRO & ~desc::AF);
  r = vm.fault(301, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::AccessFlagSet);
  EXPECT_EQ(r.pages_marked_dirty, 0u);
  EXPECT_FALSE(vm.at(301).desc.writable());
  r = vm.fault(301, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::MadeWritable);
  EXPECT_EQ(r.pages_marked_dirty, 1u);
}

TEST(FaultHandler, WriteToWritableLeafIsSpuriousAndStillMarksDirtyWhileLogging) {
  Vm vm;
  Memslot& slot = vm.add_slot(0, 256, 512, false);
  ASSERT_EQ(vm.fault(300, Access::Write).outcome, FaultOutcome::MappedPage);
  const S2Lookup before = vm.at(300);
  // Not logging: spurious, nothing to mark.
  FaultResult r = vm.fault(300, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::Spurious);
  EXPECT_EQ(r.pages_marked_dirty, 0u);
  EXPECT_EQ(vm.fault(300, Access::Read).outcome, FaultOutcome::Spurious);

  // Logging (enable protects it; make it writable again as another vCPU would have).
  ASSERT_EQ(kvm_enable_dirty_logging(vm.kvm, 0, 32), 0);
  ASSERT_EQ(vm.fault(300, Access::Write).outcome, FaultOutcome::MadeWritable);
  const std::uint64_t flush_ipa0 = vm.tlb.flush_ipa;
  slot.dirty_bitmap->xchg_word((300 - 256) / 32);  // as if get_dirty_log had just taken the bit
  ASSERT_FALSE(slot.dirty_bitmap->test(300 - 256));
  r = vm.fault(300, Access::Write);
  EXPECT_EQ(r.outcome, FaultOutcome::Spurious);
  EXPECT_EQ(r.pages_marked_dirty, 1u);
  EXPECT_TRUE(slot.dirty_bitmap->test(300 - 256));
  EXPECT_EQ(vm.at(300).desc.raw, before.desc.raw);  // tables untouched
  EXPECT_EQ(vm.tlb.flush_ipa, flush_ipa0 + 1);      // the IPA invalidated: no stale entry survives
  // A read of a writable page marks nothing.
  slot.dirty_bitmap->xchg_word((300 - 256) / 32);
  r = vm.fault(300, Access::Read);
  EXPECT_EQ(r.outcome, FaultOutcome::Spurious);
  EXPECT_EQ(r.pages_marked_dirty, 0u);
  EXPECT_EQ(slot.dirty_bitmap->count_set(), 0u);
}

TEST(FaultHandler, IpaOutsideEverySlotIsMmioAndChangesNothing) {
  Vm vm;
  vm.add_slot(0, 256, 256, false);   // [256, 512)
  vm.add_slot(1, 1024, 256, false);  // [1024, 1280)
  const std::uint64_t tables = vm.kvm.mem.table_frames();
  for (gfn_t g : {gfn_t{0}, gfn_t{255}, gfn_t{512}, gfn_t{1000}, gfn_t{1280}, gfn_t{1} << 27}) {
    for (Access a : {Access::Read, Access::Write}) {
      const FaultResult r = vm.fault(g, a);
      EXPECT_EQ(r.outcome, FaultOutcome::Mmio) << g;
      EXPECT_EQ(r.pages_marked_dirty, 0u);
    }
  }
  EXPECT_EQ(vm.kvm.mem.table_frames(), tables);
  EXPECT_EQ(vm.kvm.pgtable.mapped_pages(), 0u);
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 0u);
  EXPECT_EQ(vm.kvm.mem.guest_chunks(), 0u);
  EXPECT_EQ(vm.tlb.flush_ipa + vm.tlb.flush_all, 0u);
  EXPECT_STREQ(to_string(FaultOutcome::Mmio), "mmio");
}

// --- host unmaps ---------------------------------------------------------------------

TEST(FaultHandler, UnmapGfnClearsTheLeafAndFlushesItsIpa) {
  Vm vm;
  vm.add_slot(0, 256, 512, false);
  ASSERT_EQ(vm.fault(300, Access::Write).outcome, FaultOutcome::MappedPage);
  ASSERT_EQ(vm.fault(301, Access::Write).outcome, FaultOutcome::MappedPage);
  const phys_addr_t pte_table = vm.at(300).desc_pa & PAGE_MASK;

  EXPECT_TRUE(kvm_unmap_gfn(vm.kvm, 300));
  EXPECT_FALSE(vm.at(300).mapped);
  EXPECT_EQ(vm.at(300).level, 3);  // the pte table stays: only the leaf went
  EXPECT_TRUE(vm.at(301).mapped);
  EXPECT_EQ(vm.kvm.mem.kind(pte_table), FrameKind::PageTable);
  EXPECT_EQ(vm.kvm.pgtable.mapped_pages(), 1u);
  EXPECT_EQ(vm.tlb.flush_ipa, 1u);
  // Nothing there any more: no change, no flush.
  EXPECT_FALSE(kvm_unmap_gfn(vm.kvm, 300));
  EXPECT_FALSE(kvm_unmap_gfn(vm.kvm, 5000));
  EXPECT_EQ(vm.tlb.flush_ipa, 1u);
}

TEST(FaultHandler, UnmapGfnInsideABlockClearsTheBlock) {
  Vm vm;
  vm.add_slot(0, 512, 512, true);
  ASSERT_EQ(vm.fault(600, Access::Write).outcome, FaultOutcome::MappedBlock);
  EXPECT_TRUE(kvm_unmap_gfn(vm.kvm, 777));
  EXPECT_FALSE(vm.at(600).mapped);
  EXPECT_FALSE(vm.at(777).mapped);
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 0u);
  // The block, then clear_pud_entry() for the pmd table it leaves empty.
  EXPECT_EQ(vm.tlb.flush_ipa, 2u);
}

TEST(FaultHandler, UnmapPmdRangeClearsThePmdAndFreesItsPteTable) {
  Vm vm;
  vm.add_slot(0, 256, 1024, false);  // [256, 1280): regions 0, 1, 2
  for (gfn_t g = 512; g < 520; ++g) ASSERT_EQ(vm.fault(g, Access::Write).outcome, FaultOutcome::MappedPage);
  ASSERT_EQ(vm.fault(300, Access::Write).outcome, FaultOutcome::MappedPage);   // region 0
  ASSERT_EQ(vm.fault(1100, Access::Write).outcome, FaultOutcome::MappedPage);  // region 2
  const phys_addr_t pte_table = vm.at(515).desc_pa & PAGE_MASK;
  const phys_addr_t pmd_pa = vm.kvm.pgtable.entry_pa(ipa_of(515), 2);
  const std::uint64_t tables = vm.kvm.mem.table_frames();
  ASSERT_EQ(vm.kvm.pgtable.mapped_pages(), 10u);

  EXPECT_TRUE(kvm_unmap_pmd_range(vm.kvm, 700));  // any gfn of region 1
  EXPECT_EQ(vm.kvm.mem.load64(pmd_pa), 0u);
  EXPECT_EQ(vm.kvm.mem.kind(pte_table), FrameKind::Free);
  EXPECT_EQ(vm.kvm.mem.table_frames(), tables - 1);
  for (gfn_t g = 512; g < 520; ++g) EXPECT_FALSE(vm.at(g).mapped) << g;
  EXPECT_EQ(vm.at(515).level, 2);  // the walk now stops at the empty pmd
  EXPECT_TRUE(vm.at(300).mapped);  // neighbouring regions untouched
  EXPECT_TRUE(vm.at(1100).mapped);
  EXPECT_EQ(vm.kvm.pgtable.mapped_pages(), 2u);
  // unmap_ptes() invalidates each of the 8 ptes it clears, clear_pmd_entry() the pmd:
  // with by-IPA invalidation nothing else would drop those pages' TLB entries.
  EXPECT_EQ(vm.tlb.flush_ipa, 9u);

  EXPECT_FALSE(kvm_unmap_pmd_range(vm.kvm, 700));  // already empty
  EXPECT_EQ(vm.tlb.flush_ipa, 9u);
}

TEST(FaultHandler, UnmapPmdRangeOfABlockClearsTheBlock) {
  Vm vm;
  vm.add_slot(0, 512, 512, true);
  ASSERT_EQ(vm.fault(600, Access::Read).outcome, FaultOutcome::MappedBlock);
  const std::uint64_t tables = vm.kvm.mem.table_frames();
  EXPECT_TRUE(kvm_unmap_pmd_range(vm.kvm, 1023));
  EXPECT_FALSE(vm.at(600).mapped);
  EXPECT_EQ(vm.kvm.pgtable.mapped_blocks(), 0u);
  // No pte table existed; the pmd table the block leaves empty goes with its level-1
  // entry (one flush for the block, one for that entry).
  EXPECT_EQ(vm.kvm.mem.table_frames(), tables - 1);
  EXPECT_EQ(vm.tlb.flush_ipa, 2u);
}
