// TLB shootdown: what a request does to every attached vCPU's TLBs, what it costs,
// and whom it charges: the agent named by the innermost live Charge, no one without.
#include <gtest/gtest.h>

#include "sim/engine/tlb_shootdown.h"
#include "sim/timing/machine.h"

namespace s2sim::sim {
namespace {

using mmu::Access;

TlbEntry page(std::uint16_t vmid, mmu::ipa_t ipa) { return TlbEntry::make(vmid, ipa, 12, ipa, true, true); }

struct Rig {
  explicit Rig(bool by_ipa = false) : machine(cortex_a15()) {
    machine.tlbi_by_ipa = by_ipa;
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
  EXPECT_EQ(r.shootdown.stats(), (TlbShootdownStats{1, 0}));
}

TEST(TlbShootdown, ArmV7HasNoInvalidateByIpa) {
  Rig v7;
  v7.shootdown.flush_vmid_ipa(0x1000);
  EXPECT_EQ(v7.cpu0.main().size(), 0u);  // TLBIALLIS: the other page went too
  Rig v8(true);
  v8.shootdown.flush_vmid_ipa(0x1000);
  EXPECT_EQ(v8.cpu0.main().size(), 1u);  // TLBI IPAS2E1IS: only that IPA
  EXPECT_NE(v8.cpu0.main().probe(1, 0x2000), nullptr);
  EXPECT_EQ(v8.shootdown.stats(), (TlbShootdownStats{0, 1}));
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
  EXPECT_EQ(flush_vmid_ipa_cycles(r.machine), 320u);
}

TEST(TlbShootdownStats, DifferenceCountsTheRequestsBetween) {
  Rig r;
  const TlbShootdownStats before = r.shootdown.stats();
  r.shootdown.flush_remote_tlbs();
  r.shootdown.flush_vmid_ipa(0x3000);
  r.shootdown.flush_vmid_ipa(0x4000);
  const TlbShootdownStats d = r.shootdown.stats() - before;
  EXPECT_EQ(d, (TlbShootdownStats{1, 2}));
  EXPECT_EQ(d.requests(), 3u);
}

}  // namespace
}  // namespace s2sim::sim
