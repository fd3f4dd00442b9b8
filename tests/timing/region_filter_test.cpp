// The region filter lets a TLB or walk cache skip an invalidation by IPA when no entry
// of the IPA's 1 GiB region is held. Skipping must never change what is dropped: on
// random fills, evictions, invalidations by IPA, VMID and all, over regions that share
// a bucket (256 GiB apart) and entries of every size and level, each invalidate_ipa
// drops exactly the entries a scan of the structure finds covering the IPA, and
// afterwards nothing covering it is left.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "sim/timing/region_filter.h"
#include "sim/timing/tlb.h"
#include "sim/timing/walk_cache.h"

namespace s2sim::sim {
namespace {

constexpr std::uint64_t GiB = std::uint64_t{1} << 30;

// An IPA in one of a few regions, two of which share a bucket.
mmu::ipa_t random_ipa(std::mt19937_64& rng) {
  const std::uint64_t regions[] = {0, 1, 2, RegionFilter::kBuckets + 1, 7};
  return regions[rng() % std::size(regions)] * GiB + (rng() % (GiB >> 12) << 12);
}

TEST(RegionFilter, CountsByRegion) {
  RegionFilter f;
  EXPECT_FALSE(f.may_hold(0));
  f.add(3 * GiB);
  EXPECT_TRUE(f.may_hold(3 * GiB + 12345));
  EXPECT_FALSE(f.may_hold(2 * GiB));
  EXPECT_TRUE(f.may_hold((3 + RegionFilter::kBuckets) * GiB)) << "same bucket: may hold";
  f.remove(3 * GiB);
  EXPECT_FALSE(f.may_hold(3 * GiB));
  f.add(GiB);
  f.clear();
  EXPECT_FALSE(f.may_hold(GiB));
}

TEST(RegionFilter, TlbInvalidateIpaDropsWhatAScanFinds) {
  for (const TlbConfig size : {TlbConfig{32, 32}, TlbConfig{64, 4}}) {
    Tlb tlb(size);
    std::mt19937_64 rng(size.ways);
    for (int step = 0; step < 20000; ++step) {
      const std::uint16_t vmid = static_cast<std::uint16_t>(1 + rng() % 2);
      const mmu::ipa_t ipa = random_ipa(rng);
      const unsigned what = static_cast<unsigned>(rng() % 100);
      if (what < 60) {
        const unsigned shifts[] = {12, 12, 12, 21, 30};
        tlb.insert(TlbEntry::make(vmid, ipa, shifts[rng() % std::size(shifts)], ipa, true, true));
      } else if (what < 97) {
        unsigned covering = 0;
        for (const TlbEntry& e : tlb.entries()) covering += e.vmid == vmid && e.covers(ipa);
        ASSERT_EQ(tlb.invalidate_ipa(vmid, ipa), covering) << "step " << step;
        ASSERT_EQ(tlb.probe(vmid, ipa), nullptr) << "step " << step;
      } else if (what < 99) {
        tlb.invalidate_vmid(vmid);
      } else {
        tlb.invalidate_all();
      }
    }
  }
}

TEST(RegionFilter, WalkCacheInvalidateIpaLeavesNothingCoveringIt) {
  WalkCache wc(TlbConfig{16, 4});
  std::mt19937_64 rng(3);
  for (int step = 0; step < 20000; ++step) {
    const std::uint16_t vmid = static_cast<std::uint16_t>(1 + rng() % 2);
    const mmu::ipa_t ipa = random_ipa(rng);
    const unsigned what = static_cast<unsigned>(rng() % 100);
    if (what < 60) {
      wc.insert(vmid, static_cast<mmu::level_t>(rng() % 3), ipa, 0x1000 * (1 + rng() % 100));
    } else if (what < 97) {
      const unsigned before = wc.size();
      const unsigned dropped = wc.invalidate_ipa(vmid, ipa);
      ASSERT_EQ(wc.size(), before - dropped) << "step " << step;
      ASSERT_FALSE(wc.probe(vmid, ipa).has_value()) << "step " << step;
    } else if (what < 99) {
      wc.invalidate_vmid(vmid);
    } else {
      wc.invalidate_all();
    }
  }
}

}  // namespace
}  // namespace s2sim::sim
