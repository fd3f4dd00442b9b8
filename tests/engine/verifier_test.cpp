// The lost-write verifier compares exactly the pages the guest wrote: checked_pages
// is their number, a page copied before its last write is a lost write (with the
// round of that write), a page never written is not compared.
#include <gtest/gtest.h>

#include "mmu/memslot.h"
#include "sim/engine/verifier.h"

namespace s2sim::sim {
namespace {

TEST(LostWriteVerifier, ComparesEveryWrittenPageAndOnlyThose) {
  mmu::Memslots slots;
  ASSERT_EQ(slots.add(0, 0x40000, 2048, false, 40), "");
  const mmu::Memslot& slot = *slots.by_id(0);
  LostWriteVerifier v(slot.npages, true);
  EXPECT_TRUE(v.record_write(3, 100));
  EXPECT_FALSE(v.record_write(3, 200));   // not its first write
  EXPECT_TRUE(v.record_write(1500, 300));  // another 512-page chunk
  EXPECT_TRUE(v.record_write(1501, 5000));
  EXPECT_TRUE(v.chunk_written(0));
  EXPECT_FALSE(v.chunk_written(600));
  v.copy(3);
  v.copy(1500);
  v.copy(1501);
  v.copy(7);  // never written: copying it changes nothing
  EXPECT_FALSE(v.record_write(1501, 9000));  // a second version, after the copy: lost
  RunResult res;
  res.rounds.resize(2);
  res.rounds[0].round = 0;
  res.rounds[0].start_cycle = 0;
  res.rounds[1].round = 1;
  res.rounds[1].start_cycle = 8000;
  v.verify(slot, res);
  EXPECT_EQ(res.checked_pages, 3u);  // pages 3, 1500, 1501
  EXPECT_EQ(res.lost_writes, 1u);
  ASSERT_EQ(res.first_lost.size(), 1u);
  EXPECT_EQ(res.first_lost[0].gfn, 0x40000u + 1501);
  EXPECT_EQ(res.first_lost[0].source_version, 2u);
  EXPECT_EQ(res.first_lost[0].copied_version, 1u);
  EXPECT_EQ(res.first_lost[0].round, 1u);  // the write at ~9000 fell in round 1
}

TEST(LostWriteVerifier, WithoutMigrationItCountsFirstWrites) {
  LostWriteVerifier v(100, false);
  EXPECT_TRUE(v.record_write(64, 1));
  EXPECT_FALSE(v.record_write(64, 2));
  EXPECT_TRUE(v.record_write(65, 3));
  EXPECT_TRUE(v.record_write(0, 4));
}

}  // namespace
}  // namespace s2sim::sim
