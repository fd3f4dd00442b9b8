// PageVersions: the lost-write verifier's per-page records (source version, last write
// time, copied version) over one lazily committed array, and the per-chunk bits by
// which the migration and the verifier skip chunks the guest never wrote to.
#include "sim/engine/page_versions.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace s2sim::sim {
namespace {

constexpr std::uint64_t kChunk = PageVersions::kChunk;

TEST(PageVersions, UnwrittenPagesReadZeroAndNoChunkIsWritten) {
  const PageVersions v(4096);
  EXPECT_EQ(v.version(0), 0u);
  EXPECT_EQ(v.copied(4095), 0u);
  EXPECT_EQ(v.last_write(17), 0u);
  EXPECT_FALSE(v.chunk_written(0));
  EXPECT_FALSE(v.chunk_written(4095));
}

TEST(PageVersions, BumpCountsWritesAndReportsTheFirstOnly) {
  PageVersions v(4096);
  EXPECT_TRUE(v.bump(700, 5000));
  EXPECT_FALSE(v.bump(700, 9000));
  EXPECT_EQ(v.version(700), 2u);
  EXPECT_EQ(v.version(699), 0u);
  EXPECT_EQ(v.version(701), 0u);
  // The last write's time, rounded down to 1,024 cycles; a neighbour's stays zero.
  EXPECT_EQ(v.last_write(700), 9000u / 1024 * 1024);
  EXPECT_EQ(v.last_write(701), 0u);
}

TEST(PageVersions, WriteTimeSaturatesAt32Bits) {
  PageVersions v(8);
  v.bump(3, ~std::uint64_t{0});
  EXPECT_EQ(v.last_write(3), std::uint64_t{UINT32_MAX} << PageVersions::kWhenShift);
}

TEST(PageVersions, ACopyTakesTheCurrentVersionAndALaterWriteMovesAhead) {
  PageVersions v(64);
  v.bump(5, 100);
  v.copy(5);
  EXPECT_EQ(v.copied(5), 1u);
  v.bump(5, 200);
  EXPECT_EQ(v.version(5), 2u);
  EXPECT_EQ(v.copied(5), 1u);  // the destination still holds the first version
  v.copy(5);
  EXPECT_EQ(v.copied(5), 2u);
  v.copy(6);  // never written: nothing to copy
  EXPECT_EQ(v.copied(6), 0u);
  EXPECT_EQ(v.version(6), 0u);
}

TEST(PageVersions, ChunkBitsFollowGuestWritesNotCopies) {
  PageVersions v(3 * kChunk + 5);
  v.bump(kChunk + 1, 1);      // chunk 1
  v.bump(3 * kChunk + 4, 2);  // chunk 3, the partial last one
  v.copy(2 * kChunk + 7);     // a copy alone writes nothing of chunk 2
  EXPECT_FALSE(v.chunk_written(0));
  EXPECT_TRUE(v.chunk_written(kChunk));  // any page of chunk 1
  EXPECT_TRUE(v.chunk_written(2 * kChunk - 1));
  EXPECT_FALSE(v.chunk_written(2 * kChunk));
  EXPECT_TRUE(v.chunk_written(3 * kChunk));
}

TEST(PageVersions, AHugeSlotReachesItsLastPage) {
  // 2^28 pages (a 1 TiB guest): 3 GiB of reserved address space, of which the writes
  // below commit two host pages.
  const std::uint64_t n = std::uint64_t{1} << 28;
  PageVersions v(n);
  EXPECT_TRUE(v.bump(0, 1));
  EXPECT_TRUE(v.bump(n - 1, 2048));
  EXPECT_EQ(v.version(n - 1), 1u);
  EXPECT_EQ(v.last_write(n - 1), 2048u);
  EXPECT_TRUE(v.chunk_written(n - 1));
  EXPECT_FALSE(v.chunk_written(n / 2));
  v.prefetch(n / 2);  // a hint into a page never written: no effect
  EXPECT_EQ(v.version(n / 2), 0u);
}

TEST(PageVersions, AStretchThreeQuartersWrittenIsBackedByAHugePage) {
  // 2 MiB of 12-byte records is 341 chunks of 512 pages; the 256th chunk written in a
  // stretch hands it to the host as a huge page, whose records read as before.
  constexpr std::uint64_t kStretchPages = (std::uint64_t{1} << 21) / 12;
  PageVersions v(3 * kStretchPages);
  for (std::uint64_t c = 0; c < 255; ++c) v.bump(c * kChunk + c % 7, 100 + c * 1024);
  for (std::uint64_t c = 0; c < 255; ++c) v.bump(c * kChunk + c % 7, 200 + c * 1024);  // chunks already written
  EXPECT_EQ(v.huge_stretches(), 0u);
  v.copy(0);
  v.bump(255 * kChunk, 7 << 10);
  EXPECT_EQ(v.huge_stretches(), 1u);
  for (std::uint64_t c = 0; c < 255; ++c) {
    EXPECT_EQ(v.version(c * kChunk + c % 7), 2u);
    EXPECT_EQ(v.last_write(c * kChunk + c % 7), (200 + c * 1024) >> 10 << 10);
  }
  EXPECT_EQ(v.copied(0), 2u);
  EXPECT_EQ(v.version(255 * kChunk), 1u);
  EXPECT_EQ(v.version(255 * kChunk + 1), 0u);  // a page never written, in the huge page
  EXPECT_EQ(v.copied(255 * kChunk + 1), 0u);
  // Writes after the promotion land in it; more chunks of the stretch ask nothing more.
  for (std::uint64_t c = 256; c < 300; ++c) EXPECT_TRUE(v.bump(c * kChunk, 1));
  EXPECT_EQ(v.version(299 * kChunk), 1u);
  EXPECT_EQ(v.huge_stretches(), 1u);
}

TEST(PageVersions, SparseWritesAndThePartialLastStretchStayInSmallPages) {
  // 200 chunks in each of four stretches (of 341): none is promoted.
  constexpr std::uint64_t kStretchPages = (std::uint64_t{1} << 21) / 12;
  PageVersions v(4 * kStretchPages + 300 * kChunk);
  for (std::uint64_t s = 0; s < 4; ++s)
    for (std::uint64_t c = 0; c < 200; ++c) v.bump(s * kStretchPages + (c + 20) * kChunk, 1);
  EXPECT_EQ(v.huge_stretches(), 0u);
  // The last stretch ends 300 chunks in, inside its 2 MiB: every chunk written, not
  // promoted (the chunk straddling the stretches before it is left out).
  for (std::uint64_t p = 4 * kStretchPages + kChunk; p < 4 * kStretchPages + 300 * kChunk; p += kChunk) v.bump(p, 1);
  EXPECT_EQ(v.huge_stretches(), 0u);
  EXPECT_EQ(v.version(4 * kStretchPages + 299 * kChunk), 1u);
}

}  // namespace
}  // namespace s2sim::sim
