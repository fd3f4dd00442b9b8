// The zipf workload needs no per-page memory: its sampler draws ranks by rejection-
// inversion and its scattering of ranks over pages is an affine map, so a region of
// 2^28 pages (the whole 40-bit IPA space) costs what a region of 4,096 pages does. This
// file replaces the global operator new of this test executable with one that counts
// the bytes asked for, and compares the two.
#include <atomic>
#include <cstdlib>
#include <new>

#include "workloads/workload_test_support.h"

namespace {
std::atomic<std::uint64_t> g_bytes{0};
}  // namespace

// Replacements of the global allocation functions ([new.delete.single]); the array and
// nothrow forms of libstdc++ call these. GCC, inlining them into new-expressions, sees
// malloc paired with operator delete and warns (-Wmismatched-new-delete); the pairing
// is by construction our own.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
  g_bytes.fetch_add(n, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace s2sim::workloads {
namespace {

// Bytes allocated to build a zipf workload over `pages` pages (the whole slot) and draw
// 1,000 operations from it.
std::uint64_t bytes_for(std::uint64_t pages, bool permute) {
  const WorkloadEnv env = test::make_env(1, 1, 0, pages);
  const std::string spec = std::string(R"({"kind": "zipf", "ops": 1000, "permute": )") + (permute ? "true" : "false") + "}";
  const std::uint64_t before = g_bytes.load();
  {
    auto src = test::make(spec, env);
    GuestOp op;
    std::uint64_t n = 0;
    while (src->next(0, op)) {
      EXPECT_LT(op.ipa >> mmu::PAGE_SHIFT, pages);
      ++n;
    }
    EXPECT_EQ(n, 1000u);
  }
  return g_bytes.load() - before;
}

TEST(ZipfMemory, AHugeRegionAllocatesNoMoreThanASmallOne) {
  for (bool permute : {true, false}) {
    SCOPED_TRACE(permute ? "ranks scattered" : "ranks in page order");
    const std::uint64_t small = bytes_for(4096, permute);
    const std::uint64_t huge = bytes_for(std::uint64_t{1} << 28, permute);
    // A bit per page of the huge region would be 32 MiB; it allocates what the small
    // one does (a few KiB of workload objects), give or take a few strings' lengths.
    RecordProperty(permute ? "bytes_scattered" : "bytes_in_order", std::to_string(small) + " / " + std::to_string(huge));
    EXPECT_GT(small, 0u);
    EXPECT_LE(huge, small + 256) << "small region " << small << " bytes, huge region " << huge << " bytes";
  }
}

}  // namespace
}  // namespace s2sim::workloads
