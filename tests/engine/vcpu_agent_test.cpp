// The vCPU agent's one state (VcpuState) through its transitions, step by step:
// NeedOp -> (think) Access -> (fault) InFault -> (handled) Access -> (done) NeedOp,
// Halted for a periodic op's timer tick, stopping for vm_stop, MMIO, end of stream.
#include <gtest/gtest.h>

#include <vector>

#include "sim/engine/host_leaf_prefetch.h"
#include "sim/engine/op_lookahead.h"
#include "sim/engine/vcpu_agent.h"
#include "tests/engine/engine_parts_test.h"

namespace s2sim::sim {
namespace {

using mmu::Access;
using workloads::GuestOp;

// vCPU 0 runs `ops`, in order.
class ScriptedOps final : public workloads::OpSource {
 public:
  explicit ScriptedOps(std::vector<GuestOp> ops) : ops_(std::move(ops)) {}
  bool next(unsigned vcpu, GuestOp& op) override {
    if (vcpu != 0 || pos_ >= ops_.size()) return false;
    op = ops_[pos_++];
    return true;
  }
  std::string describe() const override { return "scripted"; }

 private:
  std::vector<GuestOp> ops_;
  std::size_t pos_ = 0;
};

constexpr mmu::ipa_t kPage = test::kBaseGfn << mmu::PAGE_SHIFT;

struct VcpuRig {
  explicit VcpuRig(std::vector<GuestOp> script)
      : ops(std::move(script)), ahead(ops, 2), leaf(parts.kvm.pgtable), vcpu(*parts.ctx, ahead, leaf) {
    parts.shootdown.attach(vcpu.tlb());
  }
  Agent& agent() { return parts.agents[0]; }

  test::Parts parts;
  ScriptedOps ops;
  OpLookahead ahead;
  HostLeafPrefetch leaf;
  VcpuAgent vcpu;
};

TEST(VcpuAgent, StatesOfAFirstWrite) {
  VcpuRig r({GuestOp{.access = Access::Write, .ipa = kPage, .think_cycles = 100}});
  Agent& a = r.agent();
  EXPECT_EQ(r.vcpu.state(), VcpuState::NeedOp);

  r.vcpu.step(a);  // takes the op and thinks: the access is the next step
  EXPECT_EQ(r.vcpu.state(), VcpuState::Access);
  EXPECT_EQ(a.time, 100u);

  r.vcpu.step(a);  // the access misses, walks, finds nothing mapped: a stage-2 abort
  EXPECT_EQ(r.vcpu.state(), VcpuState::InFault);
  EXPECT_EQ(r.vcpu.stats().translation_faults, 1u);
  EXPECT_EQ(r.vcpu.stats().ops, 0u);

  r.vcpu.step(a);  // user_mem_abort under mmu_lock maps the page
  EXPECT_EQ(r.vcpu.state(), VcpuState::Access);
  EXPECT_EQ(r.parts.locks.mmu_lock.owner(), SimLock::kNone);  // released

  r.vcpu.step(a);  // the retried access completes
  EXPECT_EQ(r.vcpu.state(), VcpuState::NeedOp);
  EXPECT_EQ(r.vcpu.stats().ops, 1u);
  EXPECT_EQ(r.vcpu.stats().writes, 1u);
  EXPECT_EQ(r.parts.res.distinct_pages_written, 1u);

  r.vcpu.step(a);  // the stream is over
  EXPECT_TRUE(a.done);
  EXPECT_EQ(r.vcpu.state(), VcpuState::NeedOp);

  // Both accesses missed every TLB: the TLBs counted it, read at the end.
  const VcpuStats& s = r.vcpu.finish(a, a.time);
  EXPECT_EQ(s.tlb.misses, 2u);
  EXPECT_EQ(s.tlb.hits(), 0u);
  EXPECT_EQ(s.cycles, a.time);
  EXPECT_EQ(s.cycles, s.busy_cycles);
}

TEST(VcpuAgent, WithoutThinkTimeTheAccessIsTheSameStep) {
  VcpuRig r({GuestOp{.access = Access::Write, .ipa = kPage}});
  r.vcpu.step(r.agent());
  EXPECT_EQ(r.vcpu.state(), VcpuState::InFault);  // fetched and accessed in one step
}

TEST(VcpuAgent, HaltedUntilTheTimerTickThenAccess) {
  VcpuRig r({GuestOp{.access = Access::Read, .ipa = kPage, .not_before_cycles = 5000}});
  Agent& a = r.agent();
  a.time = 1000;
  r.vcpu.step(a);
  EXPECT_EQ(r.vcpu.state(), VcpuState::Halted);
  EXPECT_EQ(r.vcpu.idle_from(), 1000u);
  EXPECT_EQ(a.time, 5000u);
  EXPECT_EQ(r.vcpu.stats().idle_cycles, 4000u);
  r.vcpu.step(a);  // the tick has come: the access runs (and faults, nothing is mapped)
  EXPECT_EQ(r.vcpu.state(), VcpuState::InFault);
}

TEST(VcpuAgent, VmStopKicksAHaltedVcpuOutAtOnce) {
  VcpuRig r({GuestOp{.access = Access::Read, .ipa = kPage, .not_before_cycles = 5000}});
  Agent& a = r.agent();
  a.time = 1000;
  r.vcpu.step(a);
  ASSERT_EQ(r.vcpu.state(), VcpuState::Halted);
  EXPECT_FALSE(r.vcpu.kick_if_halted(a, 999));  // halted only from 1000
  EXPECT_TRUE(r.vcpu.kick_if_halted(a, 3000));
  EXPECT_TRUE(a.paused);
  EXPECT_EQ(a.time, 3000u);
  EXPECT_EQ(r.vcpu.paused_at(), 3000u);
  EXPECT_EQ(r.vcpu.stats().idle_cycles, 2000u);  // halted 1000..3000 only
  EXPECT_FALSE(r.vcpu.kick_if_halted(a, 4000));  // already stopped
}

TEST(VcpuAgent, PauseRequestStopsItOutsideAFaultOnly) {
  VcpuRig r({GuestOp{.access = Access::Write, .ipa = kPage}, GuestOp{.access = Access::Write, .ipa = kPage}});
  Agent& a = r.agent();
  r.vcpu.step(a);
  ASSERT_EQ(r.vcpu.state(), VcpuState::InFault);
  r.parts.ctx->pause_requested = true;
  r.vcpu.step(a);  // a fault in progress is finished first
  EXPECT_FALSE(a.paused);
  EXPECT_EQ(r.vcpu.state(), VcpuState::Access);
  r.vcpu.step(a);
  EXPECT_TRUE(a.paused);
  EXPECT_EQ(r.vcpu.paused_at(), a.time);
  EXPECT_EQ(r.vcpu.state(), VcpuState::Access);  // the access waits (for ever: stop-and-copy)
}

TEST(VcpuAgent, AnAccessNothingBacksIsMmioAndTheGuestMovesOn) {
  const mmu::ipa_t outside = kPage + (mmu::ipa_t{512} << mmu::PAGE_SHIFT);  // past the memslot
  VcpuRig r({GuestOp{.access = Access::Read, .ipa = outside}});
  Agent& a = r.agent();
  r.vcpu.step(a);
  EXPECT_EQ(r.vcpu.state(), VcpuState::InFault);
  r.vcpu.step(a);
  EXPECT_EQ(r.vcpu.state(), VcpuState::NeedOp);
  EXPECT_EQ(r.vcpu.stats().mmio, 1u);
  EXPECT_EQ(r.vcpu.stats().ops, 0u);
}

TEST(VcpuAgent, StateNames) {
  EXPECT_STREQ(to_string(VcpuState::NeedOp), "need-op");
  EXPECT_STREQ(to_string(VcpuState::Halted), "halted");
  EXPECT_STREQ(to_string(VcpuState::Access), "access");
  EXPECT_STREQ(to_string(VcpuState::InFault), "in-fault");
}

}  // namespace
}  // namespace s2sim::sim
