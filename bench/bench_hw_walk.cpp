// Host-time cost of the hardware stage-2 walk (translate) over a populated table.
#include <benchmark/benchmark.h>

#include "mmu/granule.h"
#include "mmu/hw_walk.h"
#include "mmu/s2_pgtable.h"

namespace {

using namespace s2sim::mmu;

void BM_HwWalk4K(benchmark::State& state) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  const std::uint64_t pages = static_cast<std::uint64_t>(state.range(0));
  for (std::uint64_t i = 0; i < pages; ++i) pt.map_page(i << PAGE_SHIFT, mem.alloc_guest_frame(), desc::PAGE_S2_ATTRS);
  std::uint64_t x = 88172645463325252ull, sum = 0;
  for (auto _ : state) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;  // xorshift64: a random page each call
    const TranslateResult r = translate(pt, (x % pages) << PAGE_SHIFT, Access::Read);
    sum += r.pa;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HwWalk4K)->Arg(1 << 10)->Arg(static_cast<std::int64_t>(PUD_PAGES));  // 4 MiB, 1 GiB

}  // namespace
