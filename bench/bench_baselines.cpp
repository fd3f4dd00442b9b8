// Physical limits, in the same binary so that ratios against them are read from one run:
//
//   BM_Baseline_GuestOpsBitmap  the cheapest possible "guest": a uniform random page
//                               stream over 4 GiB (workloads::Rng::below(): xoshiro256**
//                               seeded by SplitMix64, as the `uniform` generator
//                               draws its pages; write_ratio 1.0 as in
//                               configs/default.json), each op setting its page's bit
//                               in a plain bitmap. items_per_second = guest ops/s; the
//                               simulator's ops/s can never exceed it.
//   BM_Baseline_FlatWp1M        1M 64-bit page descriptors in a flat array, bits [7:6]
//                               set to 0b01 (read-only) in one pass: what write-protecting
//                               4 GiB costs with no table walk at all. items = descriptors.
//   BM_RangeWp4GiBFull          stage2_wp_range() over a fully mapped, fully writable
//                               4 GiB slot (1M present ptes in 2048 pte tables), pages
//                               re-made read/write with the timer paused. items =
//                               descriptors, so its items_per_second over the flat
//                               baseline's is the price of walking real tables.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bench/bench_fixtures.h"
#include "bench/bench_machine.h"
#include "sim/timing/cycle_sink.h"
#include "mmu/descriptor.h"
#include "mmu/wp_walker.h"
#include "workloads/prng.h"

namespace s2sim::bench {
namespace {

using namespace s2sim::mmu;

constexpr std::uint64_t kOpsPerIteration = 4096;

void BM_Baseline_GuestOpsBitmap(benchmark::State& state) {
  const std::uint64_t npages = kPages4GiB;
  std::vector<std::uint64_t> bitmap(npages / 64, 0);
  workloads::Rng pages(workloads::derive_seed(1, 0, 1));
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < kOpsPerIteration; ++i) {
      const std::uint64_t rel = pages.below(npages);
      bitmap[rel >> 6] |= std::uint64_t{1} << (rel & 63);  // set_bit_le(rel, bitmap)
    }
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(bitmap.data());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kOpsPerIteration));
}
BENCHMARK(BM_Baseline_GuestOpsBitmap)->Unit(benchmark::kMicrosecond);

void BM_Baseline_FlatWp1M(benchmark::State& state) {
  const std::uint64_t n = kPages4GiB;
  std::vector<std::uint64_t> descs(n);
  for (std::uint64_t i = 0; i < n; ++i)
    descs[i] = make_page(0x100000000ull + (i << PAGE_SHIFT), desc::PAGE_S2_ATTRS | desc::L_PTE_S2_RDWR).raw;
  for (auto _ : state) {
    // Unconditional read-modify-write of [7:6]: the same work whether or not a page is
    // already read-only, so no re-arming is needed between passes.
    benchmark::DoNotOptimize(descs.data());
    for (std::uint64_t& d : descs) d = (d & ~desc::S2AP_MASK) | desc::L_PTE_S2_RDONLY;
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(n * sizeof(std::uint64_t)));
}
BENCHMARK(BM_Baseline_FlatWp1M)->Unit(benchmark::kMicrosecond);

void BM_RangeWp4GiBFull(benchmark::State& state) {
  SlotFixture& f = fixture(dirty_log_spec(kPages4GiB));
  const std::vector<std::uint64_t*>& leaves = slot_leaves(f);
  Kvm& kvm = *f.kvm;
  const ipa_t start = f.slot().base_gfn << PAGE_SHIFT, end = f.slot().end_gfn() << PAGE_SHIFT;
  WpStats stats;
  for (auto _ : state) {
    state.PauseTiming();
    make_writable(leaves);  // fully dirty: every pte writable again
    state.ResumeTiming();
    S2Walk w(kvm.pgtable, nullptr, &kvm.hazards, "range");
    stage2_wp_range(w, start, end, stats);
  }
  benchmark::DoNotOptimize(stats);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kPages4GiB));

  // Accounting pass (untimed), cold Cortex-A15 caches; leaves every page read-only.
  make_writable(leaves);
  sim::CacheHierarchy cache = make_cache(default_machine());
  sim::CycleSink cycles(cache, 0);
  CountingSink counts;
  TeeSink tee(counts, cycles);
  WpStats one;
  S2Walk w(kvm.pgtable, &tee, &kvm.hazards, "range");
  stage2_wp_range(w, start, end, one);
  auto num = [](std::uint64_t v) { return benchmark::Counter(static_cast<double>(v)); };
  state.counters["sim_cycles"] = num(cycles.cycles);
  state.counters["ptes_wp"] = num(one.ptes_write_protected);
  state.counters["loads"] = num(counts.total_loads());
  state.counters["upper_level_loads"] = num(counts.upper_level_loads());
  state.counters["stores"] = num(counts.total_stores());
}
BENCHMARK(BM_RangeWp4GiBFull)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace s2sim::bench
