// Kernel behaviour profiles (mmu/kernel_profile.h) and the fault handler following
// them: the default ARMv7 profile is today's behaviour, field for field; the arm64
// profiles relax permissions in place with the TLBI of their version.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mmu/kernel_profile.h"
#include "modern_vm.h"

using namespace s2sim::mmu;
using s2sim::mmu::testing::ModernVm;

namespace {

KernelProfile profile(const std::string& name) {
  KernelProfile p;
  EXPECT_TRUE(find_kernel_profile(name, &p)) << name;
  return p;
}

// Records every descriptor store (address, value written) in order.
struct StoreLog final : AccessSink {
  explicit StoreLog(const Kvm& k) : kvm(k) {}
  void on_load(phys_addr_t, level_t) override {}
  void on_store(phys_addr_t pa, level_t) override { values.push_back(kvm.mem.load64(pa)); }
  const Kvm& kvm;
  std::vector<std::uint64_t> values;
};

}  // namespace

TEST(KernelProfile, RegistryListsTheFiveProfilesInOrderWithDescriptions) {
  const std::vector<std::string> expected = {"seed-2014-armv7", "linux-4.0-armv7", "linux-5.17-arm64",
                                             "linux-5.18-arm64", "linux-6.6-arm64"};
  EXPECT_EQ(kernel_profile_registry().names(), expected);
  const std::vector<KernelProfileListing> listing = list_kernel_profiles();
  ASSERT_EQ(listing.size(), expected.size());
  for (std::size_t i = 0; i < listing.size(); ++i) {
    EXPECT_EQ(listing[i].name, expected[i]);
    EXPECT_FALSE(listing[i].description.empty());
    EXPECT_EQ(listing[i].description.find('\n'), std::string::npos);
    EXPECT_EQ(profile(expected[i]).name, expected[i]);  // the factory builds what it is named
  }
  EXPECT_EQ(kDefaultArmv7Profile, "seed-2014-armv7");
}

TEST(KernelProfile, UnknownNameIsNotFoundAndHasASuggestion) {
  KernelProfile p;
  p.name = "untouched";
  EXPECT_FALSE(find_kernel_profile("linux-6.6", &p));
  EXPECT_EQ(p.name, "untouched");
  EXPECT_EQ(kernel_profile_registry().closest("linux-6.6-arm"), "linux-6.6-arm64");
}

// The default ARMv7 profile must give exactly the options every existing run uses.
TEST(KernelProfile, DefaultArmv7ProfileIsTodaysOptionsFieldForField) {
  const KernelProfile p = profile(std::string(kDefaultArmv7Profile));
  const KvmOptions want;
  const KvmOptions got = kvm_options_from_profile(p, Geometry::armv7_lpae());
  EXPECT_EQ(got.geometry.name, want.geometry.name);
  EXPECT_EQ(got.vmid, want.vmid);
  EXPECT_EQ(got.block_policy, want.block_policy);
  EXPECT_EQ(got.set_pte_order, want.set_pte_order);
  EXPECT_EQ(got.perm_relax, want.perm_relax);
  EXPECT_EQ(got.relax_tlbi, want.relax_tlbi);
  EXPECT_EQ(got.relax_tlbi_on_eagain, want.relax_tlbi_on_eagain);
  EXPECT_EQ(got.mmu_lock, want.mmu_lock);
  EXPECT_EQ(got.fault_locking, want.fault_locking);
  EXPECT_EQ(got.memcache_topup, want.memcache_topup);
  EXPECT_EQ(got.apis, want.apis);
  const DirtyLogOptions dl = dirty_log_options_from_profile(p);
  const DirtyLogOptions dwant;
  EXPECT_EQ(dl.bits_per_long, dwant.bits_per_long);
  EXPECT_EQ(dl.flush_placement, dwant.flush_placement);
  EXPECT_EQ(dl.flush_tlbs, dwant.flush_tlbs);
  EXPECT_EQ(dl.snapshot, dwant.snapshot);
  // 4.0 differs from the seed only in where GET_DIRTY_LOG flushes.
  EXPECT_EQ(dirty_log_options_from_profile(profile("linux-4.0-armv7")).flush_placement, FlushPlacement::Merged);
}

TEST(KernelProfile, Arm64ProfilesHoldTheirKernelsBehaviour) {
  const KernelProfile a = profile("linux-5.17-arm64");
  EXPECT_EQ(a.arch, KernelArch::Arm64);
  EXPECT_EQ(a.bits_per_long, 64u);
  EXPECT_EQ(a.mmu_lock, MmuLockKind::Spinlock);
  EXPECT_EQ(a.fault_lock, FaultLocking::Exclusive);
  EXPECT_EQ(a.perm_relax, PermRelax::InPlace);
  EXPECT_EQ(a.relax_tlbi, RelaxTlbi::Broadcast);
  EXPECT_EQ(a.ipa_flush, IpaFlushInsn::Ipas2e1isVmalle1is);
  EXPECT_EQ(a.flush_all, FlushAllInsn::Vmalls12e1is);
  EXPECT_TRUE(a.apis.clear_dirty_log);
  EXPECT_TRUE(a.apis.initially_set);
  EXPECT_FALSE(a.apis.dirty_ring);
  EXPECT_FALSE(a.apis.eager_split);

  // 5.18: the rwlock, read only for a logging write fault on a 4 KiB leaf.
  const KernelProfile m = profile("linux-5.18-arm64");
  EXPECT_EQ(m.mmu_lock, MmuLockKind::Rwlock);
  EXPECT_EQ(m.fault_lock, FaultLocking::ReadForRelax);
  EXPECT_EQ(m.relax_tlbi, RelaxTlbi::Broadcast);
  EXPECT_TRUE(m.apis.clear_dirty_log && m.apis.initially_set);
  EXPECT_FALSE(m.apis.dirty_ring || m.apis.eager_split);
  EXPECT_STREQ(to_string(m.fault_lock), "relax_only");

  const KernelProfile b = profile("linux-6.6-arm64");
  EXPECT_EQ(b.mmu_lock, MmuLockKind::Rwlock);
  EXPECT_EQ(b.fault_lock, FaultLocking::ReadAll);
  EXPECT_EQ(b.perm_relax, PermRelax::InPlace);
  EXPECT_EQ(b.relax_tlbi, RelaxTlbi::Local);
  EXPECT_TRUE(b.relax_tlbi_on_eagain);
  EXPECT_TRUE(b.apis.clear_dirty_log && b.apis.initially_set && b.apis.dirty_ring && b.apis.eager_split);
  EXPECT_STREQ(to_string(b.mmu_lock), "rwlock");
  EXPECT_STREQ(to_string(b.fault_lock), "all");
  EXPECT_STREQ(to_string(b.relax_tlbi), "local");

  const KvmOptions o = kvm_options_from_profile(b, Geometry::armv8_4level());
  EXPECT_EQ(o.geometry.name, Geometry::armv8_4level().name);
  EXPECT_EQ(o.perm_relax, PermRelax::InPlace);
  EXPECT_EQ(o.relax_tlbi, RelaxTlbi::Local);
  EXPECT_EQ(o.fault_locking, FaultLocking::ReadAll);
  EXPECT_EQ(o.set_pte_order, SetPteOrder::BreakBeforeMake);
  EXPECT_EQ(o.apis, b.apis);
  EXPECT_EQ(dirty_log_options_from_profile(b).bits_per_long, 64u);
}

// A write to a read-only pte, by hand: which stores, which TLB requests.
// Every case makes one store, the writable pte (no zero in between).
struct RelaxCase {
  const char* profile;
  std::uint64_t flush_ipa, flush_ipa_local;
};

TEST(FaultRelax, WriteToReadOnlyPteFollowsTheProfile) {
  const RelaxCase cases[] = {
      // ARMv7 2014/4.0: stage2_set_pte writes the new pte, then flushes (TLBIALLIS).
      {"seed-2014-armv7", 1, 0},
      // arm64 5.17: in place (one store, no zero first), broadcast per-IPA flush.
      {"linux-5.17-arm64", 1, 0},
      // arm64 5.18: in place under read_lock, still the broadcast per-IPA flush.
      {"linux-5.18-arm64", 1, 0},
      // arm64 6.6: in place, local flush only.
      {"linux-6.6-arm64", 0, 1},
  };
  for (const RelaxCase& c : cases) {
    SCOPED_TRACE(c.profile);
    const bool armv7 = std::string(c.profile).find("armv7") != std::string::npos;
    ModernVm vm(c.profile, armv7 ? Geometry::armv7_lpae() : Geometry::armv8_3level());
    vm.add_slot(0, 0, 64);
    vm.guest_write(7);  // mapped read/write
    ASSERT_TRUE(vm.kvm.pgtable.set_readonly(ModernVm::ipa_of(7)));
    const std::uint64_t ro = vm.lookup(7).desc.raw;
    const CountingTlbMaintenance before = vm.tlb;
    StoreLog log(vm.kvm);
    const FaultResult r = kvm_handle_guest_abort(vm.kvm, ModernVm::ipa_of(7), Access::Write, &log, 0);
    EXPECT_EQ(r.outcome, FaultOutcome::MadeWritable);
    const std::uint64_t rw = vm.lookup(7).desc.raw;
    EXPECT_EQ(rw, kvm_set_s2pte_writable(S2Desc{ro}).raw);
    EXPECT_EQ(log.values, std::vector<std::uint64_t>{rw});
    EXPECT_EQ(vm.tlb.flush_ipa - before.flush_ipa, c.flush_ipa);
    EXPECT_EQ(vm.tlb.flush_ipa_local - before.flush_ipa_local, c.flush_ipa_local);
    EXPECT_EQ(vm.tlb.flush_all, before.flush_all);
  }
}

// After 2016 (break-before-make) stage2_set_pte writes zero, flushes, then writes:
// the in-place relaxation of arm64 never goes through zero.
TEST(FaultRelax, BreakBeforeMakeGoesThroughZeroButInPlaceDoesNot) {
  ModernVm vm("linux-4.0-armv7", Geometry::armv7_lpae());
  vm.kvm.options.set_pte_order = SetPteOrder::BreakBeforeMake;
  vm.add_slot(0, 0, 64);
  vm.guest_write(3);
  ASSERT_TRUE(vm.kvm.pgtable.set_readonly(ModernVm::ipa_of(3)));
  StoreLog log(vm.kvm);
  kvm_handle_guest_abort(vm.kvm, ModernVm::ipa_of(3), Access::Write, &log, 0);
  ASSERT_EQ(log.values.size(), 2u);
  EXPECT_EQ(log.values[0], 0u);
  EXPECT_TRUE(S2Desc{log.values[1]}.writable());
}

// A write fault on a leaf that already allows it (another vCPU relaxed it first):
// relax_perms finds nothing to change and still issues its TLBI; the page is marked.
TEST(FaultRelax, SpuriousWriteFaultOn66IssuesTheLocalFlushAndMarks) {
  ModernVm vm("linux-6.6-arm64");
  vm.add_slot(0, 0, 64);
  vm.guest_write(9);
  const CountingTlbMaintenance before = vm.tlb;
  const FaultResult r = kvm_handle_guest_abort(vm.kvm, ModernVm::ipa_of(9), Access::Write, nullptr, 0);
  EXPECT_EQ(r.outcome, FaultOutcome::Spurious);
  EXPECT_EQ(vm.tlb.flush_ipa_local - before.flush_ipa_local, 1u);
  EXPECT_EQ(vm.tlb.flush_ipa, before.flush_ipa);
}
