// TLB shootdown: what a request does to every attached vCPU's TLBs, what it costs,
// and whom it charges: the agent named by the innermost live Charge, no one without.
#include <gtest/gtest.h>

#include "sim/engine/tlb_shootdown.h"
#include "sim/timing/machine.h"

namespace s2sim::sim {
namespace {

using mmu::Access;

TlbEntry page(std::uint16_t vmid, mmu::ipa_t ipa) { return TlbEntry::make(vmid, ipa, 12, ipa, true, true); }

// The shootdown reads the machine's flush when it is built: set it before.
MachineConfig a15_flushing(bool by_ipa, bool drops_combined) {
  MachineConfig m = cortex_a15();
  m.tlbi_by_ipa = by_ipa;
  m.ipa_flush_drops_combined = drops_combined;
  return m;
}

struct Rig {
  explicit Rig(bool by_ipa = false, bool drops_combined = true) : machine(a15_flushing(by_ipa, drops_combined)) {
    cpu0.fill(page(1, 0x1000), Access::Write);
    cpu0.fill(page(1, 0x2000), Access::Write);
    cpu1.fill(page(1, 0x1000), Access::Read);
    cpu1.fill(page(2, 0x1000), Access::Read);  // another VM's entry
    shootdown.attach(cpu0);
    shootdown.attach(cpu1);
  }
  MachineConfig machine;
  TlbHierarchy cpu0{cortex_a15().tlb}, cpu1{cortex_a15().tlb};
  TlbShootdown shootdown{machine, 1, nullptr};
};

TEST(TlbShootdown, FlushRemoteTlbsEmptiesTheVmOnEveryVcpu) {
  Rig r;
  r.shootdown.flush_remote_tlbs();
  EXPECT_EQ(r.cpu0.main().size(), 0u);
  EXPECT_EQ(r.cpu1.main().size(), 1u);  // VMID 2's entry stays
  EXPECT_EQ(r.cpu0.stats().invalidations, 1u);
  EXPECT_EQ(r.cpu1.stats().invalidations, 1u);
  EXPECT_EQ(r.cpu0.stats().entries_invalidated, 4u);  // two pages, in main and the store micro TLB
  EXPECT_EQ(r.shootdown.stats(), (TlbShootdownStats{1, 0, 0, 1, 0}));
}

TEST(TlbShootdown, ArmV7HasNoInvalidateByIpa) {
  Rig v7;
  v7.shootdown.flush_vmid_ipa(0x1000);
  EXPECT_EQ(v7.cpu0.main().size(), 0u);  // TLBIALLIS: the other page went too
  // Whatever ipa_flush_drops_combined says: it describes arm64's per-IPA sequence, and
  // a machine without TLBI by IPA never issues one.
  Rig v7_flag_off(false, false);
  v7_flag_off.shootdown.flush_vmid_ipa(0x1000);
  EXPECT_EQ(v7_flag_off.cpu0.main().size(), 0u);
  EXPECT_EQ(v7_flag_off.cpu1.main().size(), 1u);  // VMID 2's entry stays
  // arm64 KVM (__kvm_tlb_flush_vmid_ipa, Linux 3.11-4.5 arch/arm64/kvm/hyp.S): TLBI
  // IPAS2E1IS, then TLBI VMALLE1IS: every entry of the VMID combining both stages --
  // all of them here -- goes; another VM's stays.
  Rig v8(true);
  v8.shootdown.flush_vmid_ipa(0x1000);
  EXPECT_EQ(v8.cpu0.main().size(), 0u);
  EXPECT_EQ(v8.cpu1.main().size(), 1u);
  EXPECT_NE(v8.cpu1.main().probe(2, 0x1000), nullptr);
  EXPECT_EQ(v8.shootdown.stats(), (TlbShootdownStats{0, 1, 0, 2, 0}));  // two broadcasts
  // The what-if without the VMALLE1IS: only that IPA.
  Rig ipa_only(true, false);
  ipa_only.shootdown.flush_vmid_ipa(0x1000);
  EXPECT_EQ(ipa_only.cpu0.main().size(), 1u);
  EXPECT_NE(ipa_only.cpu0.main().probe(1, 0x2000), nullptr);
  EXPECT_EQ(ipa_only.shootdown.stats(), (TlbShootdownStats{0, 1, 0, 1, 0}));
}

TEST(TlbShootdown, ChargesTheAgentOfTheLiveCharge) {
  Rig r;
  r.machine.costs.trap_to_hyp = 20;  // kvm_call_hyp, with every request
  r.machine.costs.tlbi_all_is = 1000;
  r.machine.costs.tlbi_ipa_is = 300;
  Agent a, b;
  r.shootdown.flush_remote_tlbs();  // no Charge: free (tables populated before time starts)
  EXPECT_EQ(r.shootdown.charged(), nullptr);
  {
    TlbShootdown::Charge charge(r.shootdown, a);
    EXPECT_EQ(r.shootdown.charged(), &a);
    r.shootdown.flush_remote_tlbs();
    r.shootdown.flush_vmid_ipa(0x1000);  // ARMv7: a whole-VMID flush, tlbi_all_is too
    {
      TlbShootdown::Charge inner(r.shootdown, b);
      r.shootdown.flush_remote_tlbs();
    }
    EXPECT_EQ(r.shootdown.charged(), &a);  // the outer charge is back
  }
  EXPECT_EQ(r.shootdown.charged(), nullptr);
  EXPECT_EQ(a.time, 2040u);
  EXPECT_EQ(b.time, 1020u);
  EXPECT_EQ(flush_remote_tlbs_cycles(r.machine), 1020u);
  EXPECT_EQ(flush_vmid_ipa_cycles(r.machine), 1020u);
  r.machine.tlbi_by_ipa = true;
  // arm64 KVM: TLBI IPAS2E1IS and TLBI VMALLE1IS, each waited for by a DSB.
  EXPECT_EQ(flush_vmid_ipa_cycles(r.machine), 1320u);
  r.machine.ipa_flush_drops_combined = false;
  EXPECT_EQ(flush_vmid_ipa_cycles(r.machine), 320u);
}

TEST(TlbShootdownStats, DifferenceCountsTheRequestsBetween) {
  Rig r;
  const TlbShootdownStats before = r.shootdown.stats();
  r.shootdown.flush_remote_tlbs();
  r.shootdown.flush_vmid_ipa(0x3000);
  r.shootdown.flush_vmid_ipa(0x4000);
  const TlbShootdownStats d = r.shootdown.stats() - before;
  EXPECT_EQ(d, (TlbShootdownStats{1, 2, 0, 3, 0}));
  EXPECT_EQ(d.requests(), 3u);
}

}  // namespace
}  // namespace s2sim::sim
