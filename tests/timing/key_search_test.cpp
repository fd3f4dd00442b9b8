// find_fingerprint: the sixteen- and four-at-a-time SSE2 match must answer exactly
// as the plain loop, at every length, start and match position; a fingerprint equal
// to the one sought in some bytes only is not a match. fingerprint() must never
// give 0 (the owners' mark of a free way).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "sim/timing/key_search.h"

namespace s2sim::sim {
namespace {

// The plain loop: the first index in [from, n) holding `fp`, else -1.
int reference_find(const std::vector<std::uint32_t>& fps, unsigned n, std::uint32_t fp, unsigned from) {
  for (unsigned i = from; i < n; ++i)
    if (fps[i] == fp) return static_cast<int>(i);
  return -1;
}

constexpr std::uint32_t kFp = 0x9ABCDEF1;
// Equal to kFp in every byte but one: the movemask reads bytes, so a byte-wise
// mistake would show here.
constexpr std::uint32_t kNearMisses[] = {kFp ^ 0x01, kFp ^ 0x100, kFp ^ 0x10000, kFp ^ 0x80000000, kFp ^ 0xFFFF0000,
                                         kFp ^ 0x0000FFFF};

TEST(KeySearch, EmptyAndStartAtEnd) {
  const std::vector<std::uint32_t> fps(32, kFp);
  EXPECT_EQ(find_fingerprint(nullptr, 0, kFp), -1);
  EXPECT_EQ(find_fingerprint(fps.data(), 0, kFp), -1);
  EXPECT_EQ(find_fingerprint(fps.data(), 32, kFp, 32), -1);
  EXPECT_EQ(find_fingerprint(fps.data(), 32, kFp, 31), 31);
  EXPECT_EQ(find_fingerprint(fps.data(), 32, kFp), 0);
}

TEST(KeySearch, MatchAtEveryPositionOfEveryLength) {
  // Near misses everywhere else, so a partial compare that leaked would be found first.
  for (unsigned n = 1; n <= 70; ++n) {
    for (unsigned at = 0; at < n; ++at) {
      std::vector<std::uint32_t> fps(n);
      for (unsigned i = 0; i < n; ++i) fps[i] = kNearMisses[i % std::size(kNearMisses)];
      fps[at] = kFp;
      SCOPED_TRACE(testing::Message() << "n " << n << ", at " << at);
      ASSERT_EQ(find_fingerprint(fps.data(), n, kFp), static_cast<int>(at));
      for (unsigned from = 0; from <= n; ++from)
        ASSERT_EQ(find_fingerprint(fps.data(), n, kFp, from), from <= at ? static_cast<int>(at) : -1) << "from " << from;
    }
  }
}

TEST(KeySearch, FirstOfSeveralMatchesInOneBlock) {
  // Several matches in one sixteen-wide block and one four-wide block: the lowest wins.
  std::vector<std::uint32_t> fps(40, 0);
  fps[17] = fps[21] = fps[30] = fps[31] = fps[34] = fps[35] = kFp;
  EXPECT_EQ(find_fingerprint(fps.data(), 40, kFp), 17);
  EXPECT_EQ(find_fingerprint(fps.data(), 40, kFp, 18), 21);
  EXPECT_EQ(find_fingerprint(fps.data(), 40, kFp, 22), 30);
  EXPECT_EQ(find_fingerprint(fps.data(), 40, kFp, 31), 31);
  EXPECT_EQ(find_fingerprint(fps.data(), 40, kFp, 32), 34);  // past the 16-wide steps
  EXPECT_EQ(find_fingerprint(fps.data(), 40, kFp, 36), -1);
  EXPECT_EQ(find_fingerprint(fps.data(), 35, kFp, 35), -1);
}

TEST(KeySearch, NearMissesNeverMatch) {
  for (std::uint32_t miss : kNearMisses) {
    for (unsigned n = 0; n <= 40; ++n) {
      const std::vector<std::uint32_t> fps(n, miss);
      EXPECT_EQ(find_fingerprint(fps.data(), n, kFp), -1) << std::hex << miss << std::dec << " n " << n;
    }
  }
}

TEST(KeySearch, ZeroFindsFreeWays) {
  // Free ways hold 0; searching for 0 must find them like any other value.
  std::vector<std::uint32_t> fps(20, 0xFFFFFFFFu);
  fps[17] = 0;
  EXPECT_EQ(find_fingerprint(fps.data(), 20, 0), 17);
  EXPECT_EQ(find_fingerprint(fps.data(), 17, 0), -1);
  EXPECT_EQ(find_fingerprint(fps.data(), 20, 0xFFFFFFFFu), 0);
  EXPECT_EQ(find_fingerprint(fps.data(), 20, 0xFFFFFFFFu, 17), 18);
}

TEST(KeySearch, UnalignedStartPointer) {
  // Owners pass a set's first fingerprint, which need not be 16-byte aligned.
  std::vector<std::uint32_t> fps(40, kNearMisses[0]);
  fps[3 + 25] = kFp;
  EXPECT_EQ(find_fingerprint(fps.data() + 3, 32, kFp), 25);
  EXPECT_EQ(find_fingerprint(fps.data() + 3, 25, kFp), -1);
  EXPECT_EQ(find_fingerprint(fps.data() + 1, 36, kFp, 20), 27);
}

TEST(KeySearch, RandomArraysMatchThePlainLoop) {
  // A tiny alphabet (the value, its near misses, 0 and all ones), so duplicates and
  // partial matches are both common.
  std::vector<std::uint32_t> alphabet = {kFp, 0, 0xFFFFFFFFu, 1};
  alphabet.insert(alphabet.end(), std::begin(kNearMisses), std::end(kNearMisses));
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    std::mt19937_64 rng(seed);
    for (int round = 0; round < 5000; ++round) {
      const unsigned n = static_cast<unsigned>(rng() % 71);
      // A few symbols per array make repeats likely; sometimes the whole alphabet.
      const std::size_t symbols = 1 + rng() % alphabet.size();
      std::vector<std::uint32_t> fps(n);
      for (auto& f : fps) f = alphabet[rng() % symbols];
      const unsigned from = static_cast<unsigned>(rng() % (n + 1));
      // Mostly values from the alphabet (present or not), sometimes one nowhere in it.
      const std::uint32_t fp = (rng() % 8 == 0) ? static_cast<std::uint32_t>(rng()) : alphabet[rng() % alphabet.size()];
      ASSERT_EQ(find_fingerprint(fps.data(), n, fp, from), reference_find(fps, n, fp, from))
          << "seed " << seed << ", round " << round << ", n " << n << ", from " << from << ", fp " << std::hex << fp;
    }
  }
}

TEST(KeySearch, ForEachValidWayVisitsTheNonZeroWaysInOrder) {
  // Every length around the sixteen-way blocks, every density: the visited indices
  // are exactly the plain loop's, in increasing order, even when the callback frees
  // the way it is called for (as TLB maintenance does).
  std::mt19937_64 rng(17);
  for (int round = 0; round < 4000; ++round) {
    const std::size_t n = rng() % 70;
    const unsigned density = static_cast<unsigned>(rng() % 5);  // 0: none valid, 4: all
    std::vector<std::uint32_t> fps(n);
    for (auto& f : fps) f = rng() % 4 < density ? static_cast<std::uint32_t>(rng()) | 1u : 0u;
    std::vector<std::size_t> expected, seen;
    for (std::size_t i = 0; i < n; ++i)
      if (fps[i] != 0) expected.push_back(i);
    const bool free_as_visited = rng() % 2;
    for_each_valid_way(fps.data(), n, [&](std::size_t i) {
      seen.push_back(i);
      if (free_as_visited) fps[i] = 0;
    });
    ASSERT_EQ(seen, expected) << "round " << round << ", n " << n;
  }
}

TEST(KeySearch, FingerprintIsNeverZeroAndSeesHighBits) {
  std::mt19937_64 rng(11);
  EXPECT_NE(fingerprint(0), 0u);
  EXPECT_NE(fingerprint(~std::uint64_t{0}), 0u);
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t key = rng();
    const std::uint32_t fp = fingerprint(key);
    ASSERT_NE(fp, 0u) << std::hex << key;
    ASSERT_EQ(fp, fingerprint(key));
    // Owners put the VMID in the key's upper bits. Flipping bit b >= 32 leaves the
    // product's low half alone and moves its high half by 2^(b-32) times the odd
    // multiplier: never 0 or +-1, so forcing bit 0 to 1 cannot hide the change.
    for (unsigned bit = 32; bit < 64; ++bit)
      ASSERT_NE(fingerprint(key ^ (std::uint64_t{1} << bit)), fp) << std::hex << key << " bit " << std::dec << bit;
  }
}

}  // namespace
}  // namespace s2sim::sim
