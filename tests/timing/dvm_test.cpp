// The DVM queue: broadcasts occupy one shared resource for op + pe_count x per_pe
// cycles each, start when issued or when the one ahead ends, and the issuer's DSB
// completes at the end of its own. Schedules worked out by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/timing/dvm.h"

namespace s2sim::sim {
namespace {

DvmConfig config(std::uint64_t pes) {
  DvmConfig c;
  c.pe_count = pes;
  c.dvm_op_cycles = 300;
  c.dvm_per_pe_cycles = 5;
  c.tlbi_local_cycles = 100;
  return c;
}

TEST(DvmQueue, AnUncontendedBroadcastCostsOpPlusPerPe) {
  DvmQueue q(config(80));
  EXPECT_EQ(config(80).broadcast_cycles(), 700u);  // 300 + 80 x 5
  EXPECT_EQ(q.broadcast(1000), 1700u);
  EXPECT_EQ(q.free_at(), 1700u);
  // Issued after the resource is free again: no queueing.
  EXPECT_EQ(q.broadcast(5000), 5700u);
  EXPECT_EQ(q.stats().broadcasts, 2u);
  EXPECT_EQ(q.stats().queued_cycles, 0u);
  EXPECT_EQ(q.stats().busy_cycles, 1400u);
}

TEST(DvmQueue, TwoBroadcastersTenCyclesApartQueue) {
  DvmQueue q(config(80));
  // PE A issues at 1000, PE B at 1010: B's starts when A's ends (1700) and B's DSB
  // completes at 2400, 1390 cycles after it issued instead of 700.
  EXPECT_EQ(q.broadcast(1000), 1700u);
  EXPECT_EQ(q.broadcast(1010), 2400u);
  EXPECT_EQ(q.stats().queued_cycles, 690u);
  // A third at 1020 waits for both.
  EXPECT_EQ(q.broadcast(1020), 3100u);
  EXPECT_EQ(q.stats().queued_cycles, 690u + 1380u);
}

TEST(DvmQueue, CostGrowsWithThePeCount) {
  std::uint64_t last = 0;
  for (const std::uint64_t pes : {1u, 4u, 80u, 160u}) {
    DvmQueue q(config(pes));
    const std::uint64_t cost = q.broadcast(0);
    EXPECT_EQ(cost, 300 + 5 * pes);
    EXPECT_GT(cost, last);
    last = cost;
  }
}

TEST(DvmFields, NameTheFourMachineKeys) {
  std::vector<std::string> names;
  for (const DvmField& f : dvm_fields()) names.emplace_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"pe_count", "dvm_op_cycles", "dvm_per_pe_cycles", "tlbi_local_cycles"}));
}

}  // namespace
}  // namespace s2sim::sim
