// L1CopyFilter: the count of L1 copies per bucket. A store may skip the other L1s
// only when the writer's own copy is the only one counted; the filter must never say
// "no other copy" while one is held, through adds, removes and clears.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>

#include "sim/timing/l1_copy_filter.h"

namespace s2sim::sim {
namespace {

TEST(L1CopyFilter, OwnCopyAloneIsNotOthers) {
  L1CopyFilter f(1024);
  f.add(0x1234);
  EXPECT_FALSE(f.others_may_hold(0x1234));  // the writer's own copy only
  f.add(0x1234);                            // a second core's copy
  EXPECT_TRUE(f.others_may_hold(0x1234));
  f.remove(0x1234);
  EXPECT_FALSE(f.others_may_hold(0x1234));
  f.clear();
  f.add(0x1234);
  EXPECT_FALSE(f.others_may_hold(0x1234));
}

TEST(L1CopyFilter, NeverMissesAnotherCopy) {
  // Random adds and removes over a small set of lines, with a filter far smaller than
  // asked (4096 buckets, the minimum) so that buckets are shared: whenever a line has
  // two or more copies, others_may_hold() says so.
  L1CopyFilter f(1);
  std::map<std::uint64_t, unsigned> copies;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t line = rng() % 20000;
    unsigned& n = copies[line];
    if (n > 0 && rng() % 2) {
      f.remove(line);
      --n;
    } else {
      f.add(line);
      ++n;
    }
    if (n >= 2) {
      ASSERT_TRUE(f.others_may_hold(line)) << "step " << i;
    }
  }
}

}  // namespace
}  // namespace s2sim::sim
