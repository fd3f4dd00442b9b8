// Cache model: hit levels and exact cycle figures for hand-worked sequences on the
// Cortex-A15 geometry (L1D 32 KiB 2-way 64 B, 4 cycles; L2 1 MiB 16-way 64 B,
// 21 cycles; DRAM 208 cycles).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "sim/timing/cache_model.h"

namespace s2sim::sim {
namespace {

const CacheLevelConfig kL1{32 * 1024, 2, 64, 4};
const CacheLevelConfig kL2{1024 * 1024, 16, 64, 21};
constexpr std::uint64_t kDram = 208;
// L1: 32 KiB / (2 x 64 B) = 256 sets, so addresses 16 KiB apart share a set.
constexpr std::uint64_t kL1SetStride = 256 * 64;

CacheHierarchy a15(unsigned cores = 2) { return CacheHierarchy(cores, kL1, kL2, kDram); }

TEST(CacheLevelConfig, Validate) {
  EXPECT_EQ(kL1.validate(), "");
  EXPECT_EQ(kL1.sets(), 256u);
  EXPECT_EQ(kL2.sets(), 1024u);
  EXPECT_NE((CacheLevelConfig{32 * 1024, 2, 0, 4}).validate(), "");      // zero line
  EXPECT_NE((CacheLevelConfig{32 * 1024, 2, 48, 4}).validate(), "");     // line not a power of two
  EXPECT_NE((CacheLevelConfig{48 * 1024, 2, 64, 4}).validate().find("power of two"), std::string::npos);  // 384 sets
  EXPECT_NE((CacheLevelConfig{64, 2, 64, 4}).validate(), "");            // smaller than one set
  EXPECT_NE((CacheLevelConfig{std::uint64_t{2} << 30, 16, 64, 4}).validate(), "");  // > 1 GiB
  EXPECT_NE((CacheLevelConfig{32 * 1024, 0, 64, 4}).validate(), "");
  EXPECT_THROW(CacheHierarchy(1, CacheLevelConfig{32 * 1024, 2, 48, 4}, kL2, kDram), std::invalid_argument);
  EXPECT_THROW(CacheHierarchy(0, kL1, kL2, kDram), std::invalid_argument);
}

TEST(CacheHierarchy, ColdMissGoesToDramThenHitsL1) {
  CacheHierarchy c = a15();
  EXPECT_EQ(c.access(0, 0x80001000, false), (CacheAccess{208, 3}));
  EXPECT_EQ(c.access(0, 0x80001000, false), (CacheAccess{4, 1}));
  EXPECT_EQ(c.access(0, 0x80001038, false), (CacheAccess{4, 1}));  // same 64-byte line
  EXPECT_EQ(c.access(0, 0x80001040, false), (CacheAccess{208, 3}));  // next line
  EXPECT_TRUE(c.l1_contains(0, 0x80001000));
  EXPECT_TRUE(c.l2_contains(0x80001000));
  EXPECT_FALSE(c.l1_contains(1, 0x80001000));
  const CacheCoreStats& s = c.stats(0);
  EXPECT_EQ(s.loads.dram, 2u);
  EXPECT_EQ(s.loads.l1, 2u);
  EXPECT_EQ(s.loads.total(), 4u);
}

TEST(CacheHierarchy, OtherCoreHitsTheSharedL2) {
  CacheHierarchy c = a15();
  EXPECT_EQ(c.access(0, 0x1000, false).cycles, 208u);
  EXPECT_EQ(c.access(1, 0x1000, false), (CacheAccess{21, 2}));  // L2 hit, fills core 1's L1
  EXPECT_EQ(c.access(1, 0x1000, false), (CacheAccess{4, 1}));
}

TEST(CacheHierarchy, ConflictEvictionInATwoWaySet) {
  CacheHierarchy c = a15(1);
  const std::uint64_t A = 0, B = kL1SetStride, C = 2 * kL1SetStride;  // one L1 set
  std::uint64_t total = 0;
  total += c.access(0, A, false).cycles;  // 208, DRAM
  total += c.access(0, B, false).cycles;  // 208, DRAM
  total += c.access(0, A, false).cycles;  // 4, L1 (A becomes MRU)
  total += c.access(0, C, false).cycles;  // 208, DRAM, evicts B from L1
  EXPECT_EQ(total, 208u + 208 + 4 + 208);
  EXPECT_FALSE(c.l1_contains(0, B));
  EXPECT_TRUE(c.l1_contains(0, A));
  EXPECT_EQ(c.access(0, B, false), (CacheAccess{21, 2}));  // still in L2; evicts A (LRU now)
  EXPECT_EQ(c.access(0, C, false), (CacheAccess{4, 1}));
  EXPECT_EQ(c.access(0, A, false), (CacheAccess{21, 2}));
}

TEST(CacheHierarchy, StoreInvalidatesOtherCoresL1) {
  CacheHierarchy c = a15();
  const std::uint64_t pte = 0x12345008;
  EXPECT_EQ(c.access(0, pte, false).cycles, 208u);  // core 0 loads: DRAM
  EXPECT_EQ(c.access(1, pte, false).cycles, 21u);   // core 1 loads: L2
  EXPECT_EQ(c.access(1, pte, false).cycles, 4u);    // core 1: L1
  EXPECT_EQ(c.access(0, pte, true), (CacheAccess{4, 1}));  // core 0 stores: L1 hit, invalidates core 1's copy
  EXPECT_FALSE(c.l1_contains(1, pte));
  EXPECT_TRUE(c.l1_contains(0, pte));
  EXPECT_EQ(c.access(1, pte, false), (CacheAccess{21, 2}));  // core 1's next load: L2
  EXPECT_EQ(c.stats(1).l1_invalidations_received, 1u);
  EXPECT_EQ(c.stats(0).stores.l1, 1u);
  EXPECT_EQ(c.stats(0).l1_invalidations_received, 0u);
}

TEST(CacheHierarchy, NoOtherL1KeepsALineAStoreWrote) {
  // Write-invalidate with many cores, where the copy filter lets most stores skip the
  // other L1s: after every store no other core holds the line, whatever sharing,
  // evictions (two-way L1 sets, few hot sets) and flushes came before. Cross-checked:
  // a core's L1 invalidations received are exactly the copies it held when another
  // core stored (l1_contains before the store).
  for (unsigned cores : {2u, 9u, 66u}) {
    CacheHierarchy c = a15(cores);
    std::mt19937_64 rng(cores);
    std::vector<std::uint64_t> expected_invalidations(cores, 0);
    for (int i = 0; i < 40000; ++i) {
      const auto core = static_cast<unsigned>(rng() % cores);
      // 48 lines over three L1 sets: constant sharing and conflict evictions.
      const std::uint64_t pa = (rng() % 3) * 64 + (rng() % 16) * kL1SetStride + (rng() % 8) * 8;
      const bool store = rng() % 4 == 0;
      if (rng() % 5000 == 0) c.flush_all();
      if (store)
        for (unsigned o = 0; o < cores; ++o) expected_invalidations[o] += o != core && c.l1_contains(o, pa);
      (void)c.access(core, pa, store);
      if (!store) continue;
      for (unsigned o = 0; o < cores; ++o) ASSERT_EQ(c.l1_contains(o, pa), o == core) << "access " << i << ", core " << o;
    }
    for (unsigned o = 0; o < cores; ++o)
      EXPECT_EQ(c.stats(o).l1_invalidations_received, expected_invalidations[o]) << cores << " cores, core " << o;
  }
}

// A plain true-LRU model of the same hierarchy, for the randomized comparison below:
// each set a list of lines, most recently used first; L1s non-inclusive of the shared
// L2; a store takes the line from every other L1.
class ReferenceCaches {
 public:
  ReferenceCaches(unsigned cores, const CacheLevelConfig& l1, const CacheLevelConfig& l2)
      : l1_(cores, Level(l1)), l2_(l2), invalidations_(cores, 0) {}
  unsigned access(unsigned core, std::uint64_t pa, bool store) {
    const std::uint64_t line = pa / 64;
    unsigned level = 1;
    if (!l1_[core].touch(line)) {
      level = l2_.touch(line) ? 2 : 3;
      if (level == 3) l2_.fill(line);
      l1_[core].fill(line);
    }
    if (store)
      for (unsigned c = 0; c < l1_.size(); ++c) invalidations_[c] += c != core && l1_[c].drop(line);
    return level;
  }
  void flush_all() {
    for (Level& l : l1_) l.sets.assign(l.sets.size(), {});
    l2_.sets.assign(l2_.sets.size(), {});
  }
  std::uint64_t invalidations(unsigned core) const { return invalidations_[core]; }

 private:
  struct Level {
    explicit Level(const CacheLevelConfig& c) : sets(c.size_bytes / (c.ways * 64)), ways(c.ways) {}
    std::vector<std::vector<std::uint64_t>> sets;
    unsigned ways;
    std::vector<std::uint64_t>& set(std::uint64_t line) { return sets[line % sets.size()]; }
    bool touch(std::uint64_t line) {
      auto& s = set(line);
      for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] == line) {
          s.erase(s.begin() + static_cast<std::ptrdiff_t>(i));
          s.insert(s.begin(), line);
          return true;
        }
      return false;
    }
    void fill(std::uint64_t line) {
      auto& s = set(line);
      if (s.size() == ways) s.pop_back();
      s.insert(s.begin(), line);
    }
    bool drop(std::uint64_t line) {
      auto& s = set(line);
      for (std::size_t i = 0; i < s.size(); ++i)
        if (s[i] == line) {
          s.erase(s.begin() + static_cast<std::ptrdiff_t>(i));
          return true;
        }
      return false;
    }
  };
  std::vector<Level> l1_;
  Level l2_;
  std::vector<std::uint64_t> invalidations_;
};

TEST(CacheHierarchy, MatchesAPlainLruModel) {
  // Random runs of one line (as walks and write protection read several descriptors
  // of a line in a row), broken by other cores' loads and stores of it, conflicts in
  // two-way L1 and four-way L2 sets and flushes, against a plain model: every
  // access's level and cycles, every core's invalidations received.
  const CacheLevelConfig small_l2{64 * 1024, 4, 64, 21};  // 256 sets: L2 conflicts too
  for (unsigned cores : {1u, 2u, 5u}) {
    CacheHierarchy c(cores, kL1, small_l2, kDram);
    ReferenceCaches ref(cores, kL1, small_l2);
    std::mt19937_64 rng(100 + cores);
    std::uint64_t pa = 0;
    unsigned core = 0;
    for (int i = 0; i < 60000; ++i) {
      const std::uint64_t r = rng() % 16;
      if (r < 9) {
        pa = (pa & ~std::uint64_t{63}) | (rng() % 8) * 8;  // the same line again
      } else if (r < 12) {
        core = static_cast<unsigned>(rng() % cores);  // another core, the same line
      } else {
        pa = (rng() % 4) * 64 + (rng() % 24) * kL1SetStride + (rng() % 8) * 8;  // any of 96 lines
      }
      const bool store = rng() % 5 == 0;
      if (rng() % 7000 == 0) {
        c.flush_all();
        ref.flush_all();
      }
      const unsigned level = ref.access(core, pa, store);
      const CacheAccess got = c.access(core, pa, store);
      ASSERT_EQ(got.level, static_cast<int>(level)) << cores << " cores, access " << i;
      ASSERT_EQ(got.cycles, level == 1 ? kL1.latency_cycles : level == 2 ? small_l2.latency_cycles : kDram);
    }
    for (unsigned o = 0; o < cores; ++o)
      EXPECT_EQ(c.stats(o).l1_invalidations_received, ref.invalidations(o)) << cores << " cores, core " << o;
  }
}

TEST(CacheHierarchy, PrefetchIsOnlyAHostHint) {
  // prefetch() changes nothing the model sees: the same accesses give the same levels,
  // contents and statistics with and without it, and a core out of range is ignored.
  CacheHierarchy plain = a15(3), hinted = a15(3);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 5000; ++i) {
    const auto core = static_cast<unsigned>(rng() % 3);
    const std::uint64_t pa = (rng() % 4096) * 8 + (rng() % 4) * kL1SetStride;
    const bool store = rng() % 3 == 0;
    hinted.prefetch(core, pa);
    hinted.prefetch(7, pa);
    ASSERT_EQ(hinted.access(core, pa, store), plain.access(core, pa, store)) << "access " << i;
  }
  for (unsigned core = 0; core < 3; ++core) EXPECT_EQ(hinted.stats(core), plain.stats(core));
}

TEST(CacheHierarchy, StoreMissAllocates) {
  CacheHierarchy c = a15(1);
  EXPECT_EQ(c.access(0, 0x5000, true), (CacheAccess{208, 3}));
  EXPECT_EQ(c.access(0, 0x5000, false), (CacheAccess{4, 1}));
  EXPECT_EQ(c.stats(0).stores.dram, 1u);
  EXPECT_EQ(c.stats(0).loads.l1, 1u);
}

TEST(CacheHierarchy, L2EvictionLeavesL1Copies) {
  // Tiny caches to force an L2 eviction: L1 1 set x 2 ways, L2 1 set x 2 ways.
  CacheHierarchy c(1, CacheLevelConfig{128, 2, 64, 1}, CacheLevelConfig{128, 2, 64, 10}, 100);
  c.access(0, 0x000, false);
  c.access(0, 0x040, false);
  c.access(0, 0x080, false);  // evicts 0x000 from both L1 and L2 (LRU in each)
  EXPECT_FALSE(c.l2_contains(0x000));
  EXPECT_EQ(c.access(0, 0x040, false), (CacheAccess{1, 1}));
  EXPECT_EQ(c.access(0, 0x000, false), (CacheAccess{100, 3}));  // evicts 0x080 from L1, 0x040 from L2
  EXPECT_FALSE(c.l2_contains(0x040));
  EXPECT_TRUE(c.l1_contains(0, 0x040));  // non-inclusive: the L1 copy stays
  EXPECT_EQ(c.access(0, 0x040, false), (CacheAccess{1, 1}));
}

TEST(CacheHierarchy, FlushAllEmptiesEverything) {
  CacheHierarchy c = a15();
  c.access(0, 0x1000, false);
  c.access(1, 0x2000, false);
  c.flush_all();
  EXPECT_FALSE(c.l1_contains(0, 0x1000));
  EXPECT_FALSE(c.l2_contains(0x2000));
  EXPECT_EQ(c.access(0, 0x1000, false).level, 3);
  EXPECT_EQ(c.total_stats().loads.dram, 3u);
  c.reset_stats();
  EXPECT_EQ(c.total_stats(), CacheCoreStats{});
}

TEST(CacheHierarchy, DifferentLineSizesPerLevel) {
  // 32-byte L1 lines under a 64-byte L2 line: the second half of an L2 line is an L2 hit.
  CacheHierarchy c(1, CacheLevelConfig{1024, 2, 32, 2}, CacheLevelConfig{8192, 4, 64, 10}, 50);
  EXPECT_EQ(c.access(0, 0x100, false).level, 3);
  EXPECT_EQ(c.access(0, 0x120, false), (CacheAccess{10, 2}));
  EXPECT_EQ(c.access(0, 0x13f, false), (CacheAccess{2, 1}));
}

TEST(CacheHierarchy, BadCoreThrows) {
  CacheHierarchy c = a15(2);
  EXPECT_THROW(c.access(2, 0, false), std::out_of_range);
}

}  // namespace
}  // namespace s2sim::sim
