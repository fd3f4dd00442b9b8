// PageVersions: the lost-write verifier's per-page versions over one lazily committed
// array, and the per-chunk bits the verifier skips unwritten chunks by.
#include "sim/engine/page_versions.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace s2sim::sim {
namespace {

TEST(PageVersions, UnwrittenPagesReadZeroAndNoChunkIsTouched) {
  const PageVersions v(4096, true);
  EXPECT_EQ(v.get(0), 0u);
  EXPECT_EQ(v.get(4095), 0u);
  EXPECT_EQ(v.last_write(17), 0u);
  EXPECT_FALSE(v.chunk_touched(0));
  EXPECT_EQ(v.touched_chunks(), 0u);
}

TEST(PageVersions, BumpCountsWritesAndReportsTheFirstOnly) {
  PageVersions v(4096, true);
  EXPECT_TRUE(v.bump(700, 5000));
  EXPECT_FALSE(v.bump(700, 9000));
  EXPECT_EQ(v.get(700), 2u);
  EXPECT_EQ(v.get(699), 0u);
  EXPECT_EQ(v.get(701), 0u);
  // The last write's time, rounded down to 1,024 cycles.
  EXPECT_EQ(v.last_write(700), 9000u / 1024 * 1024);
}

TEST(PageVersions, WriteTimeSaturatesAt32Bits) {
  PageVersions v(8, true);
  v.bump(3, ~std::uint64_t{0});
  EXPECT_EQ(v.last_write(3), std::uint64_t{UINT32_MAX} << PageVersions::kWhenShift);
}

TEST(PageVersions, ChunkBitsFollowTheWritesAtChunkGranularity) {
  PageVersions v(3 * PageVersions::kChunk + 5, false);
  v.set(PageVersions::kChunk + 1, 7);               // chunk 1
  v.set(3 * PageVersions::kChunk + 4, 9);           // chunk 3, the partial last one
  EXPECT_FALSE(v.chunk_touched(0));
  EXPECT_TRUE(v.chunk_touched(PageVersions::kChunk));          // any page of chunk 1
  EXPECT_TRUE(v.chunk_touched(2 * PageVersions::kChunk - 1));
  EXPECT_FALSE(v.chunk_touched(2 * PageVersions::kChunk));
  EXPECT_TRUE(v.chunk_touched(3 * PageVersions::kChunk));
  EXPECT_EQ(v.touched_chunks(), 2u);
  EXPECT_EQ(v.get(PageVersions::kChunk + 1), 7u);
  EXPECT_EQ(v.get(3 * PageVersions::kChunk + 4), 9u);
  // Without write times a page holds its version alone: neighbours stay zero.
  EXPECT_EQ(v.get(PageVersions::kChunk + 2), 0u);
  EXPECT_EQ(v.last_write(PageVersions::kChunk + 1), 0u);
}

TEST(PageVersions, AHugeSlotCostsOnlyWhatIsWritten) {
  // 2^28 pages (a 1 TiB guest): 2 GiB of address space, of which the writes below
  // commit two host pages. Its last page is as reachable as its first.
  const std::uint64_t n = std::uint64_t{1} << 28;
  PageVersions v(n, true);
  EXPECT_TRUE(v.bump(0, 1));
  EXPECT_TRUE(v.bump(n - 1, 2048));
  EXPECT_EQ(v.get(n - 1), 1u);
  EXPECT_EQ(v.last_write(n - 1), 2048u);
  EXPECT_EQ(v.touched_chunks(), 2u);
  v.prefetch(n / 2);  // a hint into a page never written: no effect
  EXPECT_EQ(v.get(n / 2), 0u);
}

}  // namespace
}  // namespace s2sim::sim
