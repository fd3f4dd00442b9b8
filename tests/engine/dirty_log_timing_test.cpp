// get_dirty_log timing: the cost model's charge for each step (the one costing the
// engine and bench/bench_dirty_log.cpp share), and a whole call on the migration
// thread's clock whose phases add up to its span.
#include <gtest/gtest.h>

#include "mmu/dirty_log.h"
#include "sim/engine/dirty_log_timing.h"
#include "tests/engine/engine_parts_test.h"

namespace s2sim::sim {
namespace {

using S = mmu::GetDirtyLog::Step;

mmu::GetDirtyLog::StepInfo info(S step, std::uint64_t mask = 0, bool flushed = false) {
  mmu::GetDirtyLog::StepInfo i;
  i.step = step;
  i.mask = mask;
  i.flushed = flushed;
  return i;
}

TEST(DirtyLogCostModel, ChargesEachStepToItsPhase) {
  const MachineConfig m = cortex_a15();  // scan 4, xchg 30, flush 27 + 1000, 1 a byte, ioctl 1000
  const DirtyLogCostModel model(m);
  const mmu::DirtyBitmap bitmap(512, 32);  // 16 words, 64 bytes
  auto expect = [&](const DirtyLogCharge& c, std::uint64_t GetDirtyLogPhases::*phase, std::uint64_t cycles) {
    EXPECT_EQ(c.phase, phase);
    EXPECT_EQ(c.cycles, cycles);
  };
  expect(model.entry(), &GetDirtyLogPhases::entry, 1000);
  expect(model.step(info(S::Validate), bitmap), &GetDirtyLogPhases::entry, 0);
  expect(model.step(info(S::ZeroBuffer), bitmap), &GetDirtyLogPhases::entry, 16 * 4);
  expect(model.step(info(S::LockSlots), bitmap), &GetDirtyLogPhases::lock, 0);  // lock arbitration charges
  expect(model.step(info(S::LockMmu), bitmap), &GetDirtyLogPhases::lock, 0);
  expect(model.step(info(S::Word, 0), bitmap), &GetDirtyLogPhases::words, 4);
  expect(model.step(info(S::Word, 0x10), bitmap), &GetDirtyLogPhases::words, 4 + 30);
  expect(model.step(info(S::Flush, 0, false), bitmap), &GetDirtyLogPhases::flush, 0);
  expect(model.step(info(S::Flush, 0, true), bitmap), &GetDirtyLogPhases::flush, 27 + 1000);
  expect(model.step(info(S::UnlockMmu), bitmap), &GetDirtyLogPhases::lock, 0);
  expect(model.step(info(S::Snapshot), bitmap), &GetDirtyLogPhases::snapshot, 4 + 30);
  expect(model.step(info(S::CopyOut), bitmap), &GetDirtyLogPhases::copy_out, 64);
  expect(model.step(info(S::UnlockSlots), bitmap), &GetDirtyLogPhases::lock, 0);
}

TEST(TimedGetDirtyLog, PhasesAddUpToTheCallsSpan) {
  test::Parts p(true);
  ASSERT_EQ(mmu::kvm_enable_dirty_logging(p.kvm, 0, 32), 0);
  p.kvm.mark_page_dirty(test::kBaseGfn);
  p.kvm.mark_page_dirty(test::kBaseGfn + 40);  // a second word
  const TlbShootdownStats flushes = p.shootdown.stats();
  const std::unique_ptr<mmu::WpWalker> walker = mmu::make_wp_walker("range");
  Agent& a = p.migration_agent();
  a.time = 5000;
  TimedGetDirtyLog call(*p.ctx, *walker, a);
  EXPECT_EQ(call.start(), 5000u);
  unsigned steps = 0;
  while (!call.step(a, 1)) ++steps;
  EXPECT_GT(steps, 16u);  // at least one step per bitmap word
  EXPECT_EQ(call.call().pages_reported(), 2u);

  const GetDirtyLogPhases& ph = p.res.dl_phases;
  EXPECT_EQ(ph.entry, 1000u + 16 * 4);
  EXPECT_EQ(ph.lock, 2 * 40u);
  EXPECT_EQ(ph.lock_wait, 0u);
  EXPECT_EQ(ph.words, 16 * 4u + 2 * 30);
  EXPECT_EQ(ph.flush, 27 + 1000u);
  EXPECT_EQ(ph.snapshot, 0u);
  EXPECT_EQ(ph.copy_out, 64u);
  EXPECT_EQ(ph.total(), a.time - 5000);
  EXPECT_EQ(p.res.dl_cycles, ph.work());
  // Nothing is mapped: the walker reads upper-level descriptors and finds no pte.
  EXPECT_EQ(p.res.dl_loads.leaf(), 0u);
  EXPECT_EQ(p.res.dl_loads_where.total(), p.res.dl_loads.total());
  EXPECT_EQ(p.locks.mmu_lock.owner(), SimLock::kNone);
  EXPECT_EQ(p.locks.slots_lock.owner(), SimLock::kNone);
  EXPECT_EQ((p.shootdown.stats() - flushes).flush_all, 1u);
}

}  // namespace
}  // namespace s2sim::sim
