// LruList: the O(1) replacement state must pick exactly the victim the rule it
// replaced picks ("lowest free way, else the least recently used valid way"), kept
// here as a plain per-way stamp model, for every shape the owners use.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

#include "sim/timing/lru_list.h"

namespace s2sim::sim {
namespace {

// The replacement rule as it was written before LruList: a valid flag and an LRU
// stamp per way, the stamp taken from a clock that ticks on every touch.
class StampModel {
 public:
  StampModel(std::size_t sets, unsigned ways) : ways_(ways), valid_(sets * ways, false), stamp_(sets * ways, 0) {}

  void touch(std::size_t slot) {
    valid_[slot] = true;
    stamp_[slot] = ++clock_;
  }
  void release(std::size_t slot) { valid_[slot] = false; }
  void clear() { std::fill(valid_.begin(), valid_.end(), false); }
  bool is_free(std::size_t slot) const { return !valid_[slot]; }

  std::size_t victim(std::size_t set) const {
    const std::size_t first = set * ways_;
    for (std::size_t s = first; s < first + ways_; ++s)
      if (!valid_[s]) return s;
    std::size_t lru = first;
    for (std::size_t s = first + 1; s < first + ways_; ++s)
      if (stamp_[s] < stamp_[lru]) lru = s;
    return lru;
  }

 private:
  unsigned ways_;
  std::vector<bool> valid_;
  std::vector<std::uint64_t> stamp_;
  std::uint64_t clock_ = 0;
};

// --- Hand-worked cases ---------------------------------------------------------------

TEST(LruList, FreshSetTakesWayZero) {
  LruList lru(4, 3);
  EXPECT_EQ(lru.ways(), 3u);
  for (std::size_t set = 0; set < 4; ++set) {
    EXPECT_EQ(lru.victim(set), set * 3);
    for (unsigned way = 0; way < 3; ++way) EXPECT_TRUE(lru.is_free(set, set * 3 + way));
  }
}

TEST(LruList, FullSetTakesTheLeastRecentlyUsedWay) {
  LruList lru(1, 3);
  lru.touch(0, 0);
  EXPECT_EQ(lru.victim(0), 1u);  // free ways go first, lowest first
  lru.touch(0, 1);
  lru.touch(0, 2);
  EXPECT_FALSE(lru.is_free(0, 2));
  EXPECT_EQ(lru.victim(0), 0u);  // full: the oldest touch
  lru.touch(0, 0);
  EXPECT_EQ(lru.victim(0), 1u);
  lru.touch(0, 0);  // touching the most recent way again changes nothing
  EXPECT_EQ(lru.victim(0), 1u);
  lru.release(0, 1);
  EXPECT_TRUE(lru.is_free(0, 1));
  EXPECT_EQ(lru.victim(0), 1u);  // free beats LRU
  lru.touch(0, 1);
  EXPECT_EQ(lru.victim(0), 2u);
  lru.release(0, 2);
  lru.release(0, 0);
  EXPECT_EQ(lru.victim(0), 0u);  // lowest free, not the first released
  lru.clear();
  for (unsigned way = 0; way < 3; ++way) EXPECT_TRUE(lru.is_free(0, way));
  EXPECT_EQ(lru.victim(0), 0u);
}

TEST(LruList, TakeVictimFillsAndMakesTheWayMostRecent) {
  LruList lru(1, 3);
  EXPECT_EQ(lru.take_victim(0), 0u);
  EXPECT_FALSE(lru.is_free(0, 0));
  EXPECT_EQ(lru.take_victim(0), 1u);
  EXPECT_EQ(lru.take_victim(0), 2u);
  EXPECT_EQ(lru.take_victim(0), 0u);  // full: the LRU way, now the most recent
  EXPECT_EQ(lru.victim(0), 1u);
  lru.touch(0, 1);
  EXPECT_EQ(lru.take_victim(0), 2u);
  EXPECT_EQ(lru.take_victim(0), 0u);
  EXPECT_EQ(lru.take_victim(0), 1u);
  lru.release(0, 2);
  EXPECT_EQ(lru.take_victim(0), 2u);  // free first
  EXPECT_EQ(lru.victim(0), 0u);
  // One way: it is both the head and the tail, and stays valid.
  LruList one(2, 1);
  EXPECT_EQ(one.take_victim(1), 1u);
  EXPECT_EQ(one.take_victim(1), 1u);
  EXPECT_FALSE(one.is_free(1, 1));
  EXPECT_TRUE(one.is_free(0, 0));
}

TEST(LruList, SetsAreIndependent) {
  LruList lru(2, 2);
  lru.touch(1, 2);
  lru.touch(1, 3);
  EXPECT_EQ(lru.victim(0), 0u);  // set 0 untouched
  EXPECT_EQ(lru.victim(1), 2u);
  lru.touch(0, 1);
  lru.touch(0, 0);
  EXPECT_EQ(lru.victim(0), 1u);
  EXPECT_EQ(lru.victim(1), 2u);
  lru.release(1, 3);
  EXPECT_EQ(lru.victim(1), 3u);
  EXPECT_EQ(lru.victim(0), 1u);
}

TEST(LruList, MoreThan64WaysSpanSeveralFreeWords) {
  // 130 ways: three bitmap words, the last holding only ways 128 and 129.
  LruList lru(2, 130);
  const std::size_t base = 130;  // work in set 1 so slot arithmetic is exercised
  for (unsigned way = 0; way < 70; ++way) lru.touch(1, base + way);
  EXPECT_EQ(lru.victim(1), base + 70);  // first free way is in the second word
  for (unsigned way = 70; way < 128; ++way) lru.touch(1, base + way);
  EXPECT_EQ(lru.victim(1), base + 128);  // ... then in the third
  lru.touch(1, base + 128);
  EXPECT_EQ(lru.victim(1), base + 129);
  EXPECT_TRUE(lru.is_free(1, base + 129));
  EXPECT_FALSE(lru.is_free(1, base + 63));
  EXPECT_FALSE(lru.is_free(1, base + 64));
  lru.touch(1, base + 129);
  EXPECT_EQ(lru.victim(1), base + 0);  // full: the oldest
  lru.release(1, base + 100);
  EXPECT_EQ(lru.victim(1), base + 100);
  lru.release(1, base + 129);
  lru.release(1, base + 5);
  EXPECT_EQ(lru.victim(1), base + 5);
  EXPECT_EQ(lru.victim(0), 0u);  // set 0 still empty
  lru.clear();
  EXPECT_EQ(lru.victim(1), base);
  for (unsigned way = 0; way < 130; ++way) EXPECT_TRUE(lru.is_free(1, base + way));
}

TEST(LruList, ExactlySixtyFourWaysHaveNoSpareBits) {
  // A full word: every bit is a way, and a full set falls back to the list.
  LruList lru(1, 64);
  for (unsigned way = 0; way < 64; ++way) {
    EXPECT_EQ(lru.victim(0), way);
    lru.touch(0, way);
  }
  EXPECT_EQ(lru.victim(0), 0u);
  lru.touch(0, 0);
  EXPECT_EQ(lru.victim(0), 1u);
}

// --- Property: same victims as the stamp model ----------------------------------------

class LruListProperty : public ::testing::TestWithParam<std::tuple<std::size_t, unsigned, std::uint64_t>> {};

TEST_P(LruListProperty, MatchesTheStampModel) {
  // Plain variables, not a structured binding: lambdas below capture them (C++20
  // allows capturing bindings, clang 14 does not).
  const std::size_t sets = std::get<0>(GetParam());
  const unsigned ways = std::get<1>(GetParam());
  const std::uint64_t seed = std::get<2>(GetParam());
  LruList lru(sets, ways);
  StampModel ref(sets, ways);
  std::mt19937_64 rng(seed);
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  // Ways of `set` that are free (or valid) in the model.
  const auto ways_where = [&](std::size_t set, bool free) {
    std::vector<std::size_t> out;
    for (unsigned w = 0; w < ways; ++w)
      if (ref.is_free(set * ways + w) == free) out.push_back(set * ways + w);
    return out;
  };
  const int steps = 20000;
  for (int step = 0; step < steps; ++step) {
    const std::size_t set = pick(sets);
    const unsigned what = static_cast<unsigned>(pick(1000));
    if (what < 200) {
      // A fill in one step: take_victim() must take what the rule picks.
      const std::size_t slot = ref.victim(set);
      ASSERT_EQ(lru.take_victim(set), slot) << "step " << step << ", set " << set;
      ref.touch(slot);
    } else if (what < 350) {
      // A fill in two: ask for the victim, then touch it.
      const std::size_t slot = ref.victim(set);
      lru.touch(set, slot);
      ref.touch(slot);
    } else if (what < 600) {
      // A hit: touch a valid way (the most recent one included).
      const auto valid = ways_where(set, false);
      if (valid.empty()) continue;
      const std::size_t slot = valid[pick(valid.size())];
      lru.touch(set, slot);
      ref.touch(slot);
    } else if (what < 750) {
      // A fill into a free way that is not the victim (a caller's own choice).
      const auto free = ways_where(set, true);
      if (free.empty()) continue;
      const std::size_t slot = free[pick(free.size())];
      lru.touch(set, slot);
      ref.touch(slot);
    } else if (what < 995) {
      // An invalidation.
      const auto valid = ways_where(set, false);
      if (valid.empty()) continue;
      const std::size_t slot = valid[pick(valid.size())];
      lru.release(set, slot);
      ref.release(slot);
    } else {
      lru.clear();
      ref.clear();
    }
    ASSERT_EQ(lru.victim(set), ref.victim(set)) << "step " << step << ", set " << set;
    for (unsigned w = 0; w < ways; ++w)
      ASSERT_EQ(lru.is_free(set, set * ways + w), ref.is_free(set * ways + w)) << "step " << step << ", way " << w;
  }
  // Every set ends up agreeing, not only the ones just probed.
  for (std::size_t set = 0; set < sets; ++set) EXPECT_EQ(lru.victim(set), ref.victim(set)) << "set " << set;
}

// The owners' shapes and the edges of the free bitmap: 1 way, a full 64-bit word,
// one way past it, and more than two words.
INSTANTIATE_TEST_SUITE_P(Shapes, LruListProperty,
                         ::testing::Combine(::testing::Values(std::size_t{1}), ::testing::Values(1u, 2u, 16u, 32u, 65u, 130u),
                                            ::testing::Values(std::uint64_t{1}, std::uint64_t{2}, std::uint64_t{3},
                                                              std::uint64_t{0xC0FFEE})));
INSTANTIATE_TEST_SUITE_P(MultiSet, LruListProperty,
                         ::testing::Values(std::make_tuple(std::size_t{4}, 4u, std::uint64_t{1}),
                                           std::make_tuple(std::size_t{4}, 4u, std::uint64_t{7}),
                                           std::make_tuple(std::size_t{2}, 64u, std::uint64_t{1}),
                                           std::make_tuple(std::size_t{2}, 64u, std::uint64_t{9}),
                                           std::make_tuple(std::size_t{8}, 3u, std::uint64_t{1}),
                                           std::make_tuple(std::size_t{8}, 3u, std::uint64_t{5})));

}  // namespace
}  // namespace s2sim::sim
