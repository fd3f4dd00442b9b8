// TLB shootdown on a machine with DVM parameters: broadcasts queue at the
// interconnect across requesters, the arm64 per-IPA flush is two broadcasts, a local
// per-IPA flush reaches only the requester's TLB and never queues. Hand-worked:
// trap_to_hyp 60, dvm_op 300 + 80 PEs x 5 = 700 cycles a broadcast, local 100.
#include <gtest/gtest.h>

#include "sim/engine/tlb_shootdown.h"
#include "sim/timing/machine.h"

namespace s2sim::sim {
namespace {

using mmu::Access;

TlbEntry page(std::uint16_t vmid, mmu::ipa_t ipa) { return TlbEntry::make(vmid, ipa, 12, ipa, true, true); }

MachineConfig dvm_machine(std::uint64_t pes) {
  MachineConfig m = cortex_a15();
  m.tlbi_by_ipa = true;
  m.costs.trap_to_hyp = 60;
  m.dvm = DvmConfig{pes, 300, 5, 100};
  return m;
}

struct Rig {
  explicit Rig(std::uint64_t pes = 80) : machine(dvm_machine(pes)) {
    for (TlbHierarchy* t : {&cpu0, &cpu1}) {
      t->fill(page(1, 0x1000), Access::Write);
      t->fill(page(1, 0x2000), Access::Write);
      shootdown.attach(*t);
    }
    a.kind = b.kind = Agent::Kind::Vcpu;
    a.index = 0, a.id = 0;
    b.index = 1, b.id = 1;
  }
  MachineConfig machine;
  TlbHierarchy cpu0{cortex_a15().tlb}, cpu1{cortex_a15().tlb};
  TlbShootdown shootdown{machine, 1, nullptr};
  Agent a, b;
};

TEST(TlbShootdownDvm, TwoBroadcastersTenCyclesApartQueue) {
  Rig r;
  r.a.time = 1000;
  r.b.time = 1010;
  {
    TlbShootdown::Charge c(r.shootdown, r.a);
    r.shootdown.flush_remote_tlbs();  // issued at 1060, ends 1760
  }
  {
    TlbShootdown::Charge c(r.shootdown, r.b);
    r.shootdown.flush_remote_tlbs();  // issued at 1070, starts 1760, ends 2460
  }
  EXPECT_EQ(r.a.time, 1760u);
  EXPECT_EQ(r.b.time, 2460u);
  ASSERT_NE(r.shootdown.dvm(), nullptr);
  EXPECT_EQ(r.shootdown.dvm()->stats().queued_cycles, 690u);
  EXPECT_EQ(r.shootdown.stats(), (TlbShootdownStats{2, 0, 0, 2, 0}));
}

TEST(TlbShootdownDvm, PerIpaFlushIsTwoBroadcasts) {
  Rig r;
  r.a.time = 0;
  TlbShootdown::Charge c(r.shootdown, r.a);
  r.shootdown.flush_vmid_ipa(0x1000);  // IPAS2E1IS 60..760, VMALLE1IS 760..1460
  EXPECT_EQ(r.a.time, 1460u);
  EXPECT_EQ(r.cpu1.main().probe(1, 0x1000), nullptr);  // broadcast: every vCPU's TLB
  EXPECT_EQ(r.cpu1.main().probe(1, 0x2000), nullptr);  // VMALLE1IS: the combined entries go too
  EXPECT_EQ(r.shootdown.stats(), (TlbShootdownStats{0, 1, 0, 2, 0}));
}

TEST(TlbShootdownDvm, CostGrowsWithThePeCount) {
  std::uint64_t last = 0;
  for (const std::uint64_t pes : {1u, 64u, 160u}) {
    Rig r(pes);
    r.a.time = 0;
    TlbShootdown::Charge c(r.shootdown, r.a);
    r.shootdown.flush_remote_tlbs();
    EXPECT_EQ(r.a.time, 60 + 300 + 5 * pes);
    EXPECT_GT(r.a.time, last);
    last = r.a.time;
  }
}

TEST(TlbShootdownDvm, LocalFlushReachesOnlyTheRequesterAndNeverQueues) {
  Rig r;
  r.a.time = 1000;
  {
    TlbShootdown::Charge c(r.shootdown, r.a);
    r.shootdown.flush_remote_tlbs();  // the DVM resource is busy until 1760
  }
  r.b.time = 1010;
  {
    TlbShootdown::Charge c(r.shootdown, r.b);
    r.shootdown.flush_vmid_ipa_local(0x1000);
  }
  EXPECT_EQ(r.b.time, 1010u + 60 + 100);  // no wait for a's broadcast
  EXPECT_EQ(r.shootdown.dvm()->stats().broadcasts, 1u);
  EXPECT_EQ(r.shootdown.stats(), (TlbShootdownStats{1, 0, 1, 1, 1}));

  Rig s;
  s.b.time = 0;
  TlbShootdown::Charge c(s.shootdown, s.b);
  s.shootdown.flush_vmid_ipa_local(0x1000);
  EXPECT_EQ(s.cpu1.main().probe(1, 0x1000), nullptr);  // the requester's (vCPU 1) entry went
  EXPECT_NE(s.cpu0.main().probe(1, 0x1000), nullptr);  // vCPU 0's stays
}

TEST(TlbShootdownDvm, WithoutDvmParametersALocalFlushIsTheBroadcastOne) {
  MachineConfig m = cortex_a15();
  TlbHierarchy t0{m.tlb}, t1{m.tlb};
  t0.fill(page(1, 0x1000), Access::Write);
  t1.fill(page(1, 0x1000), Access::Write);
  TlbShootdown sd{m, 1, nullptr};
  sd.attach(t0);
  sd.attach(t1);
  Agent a;
  TlbShootdown::Charge c(sd, a);
  sd.flush_vmid_ipa_local(0x1000);
  EXPECT_EQ(a.time, flush_vmid_ipa_cycles(m));
  EXPECT_EQ(t0.main().size(), 0u);
  EXPECT_EQ(t1.main().size(), 0u);
  EXPECT_EQ(sd.stats(), (TlbShootdownStats{0, 1, 0, 1, 0}));
  EXPECT_EQ(sd.dvm(), nullptr);
}

}  // namespace
}  // namespace s2sim::sim
