// kvm_mmu_write_protect_pt_masked(), one bitmap word at a time, per walker:
//
//   BM_WpMasked/<walker>/<pattern>/<alignment>/<bits>/<mapping>
//     walker     naive | v4 | v4-fixed | range        (make_wp_walker names)
//     pattern    full | single | far2 | rand25       (see MaskPattern)
//     alignment  aligned  - slot 2 MiB aligned: the word's pages share one pmd
//                crossing - slot base 16 pages past a 2 MiB boundary, and only the
//                           word that straddles each boundary is used
//     bits       32 | 64                             (BITS_PER_LONG)
//     mapping    pages  - every page a 4 KiB pte
//                blocks - every 2 MiB region one block (not v4: it follows a block as
//                         if it were a pte table, which is a hazard, not a cost)
//
// State of the tables. Before a call, the pages whose bit is set in the mask are
// read/write (the guest wrote them) and every other page of the window is read-only
// (protected by an earlier pass and not written since): the dirty-log invariant
// "dirty in the bitmap, or write-protected". This matters for `range`, which loads
// every pte between __ffs and __fls but stores only to the writable ones.
//
// Re-arming. A call makes its pages read-only, so calling it again on the same window
// would measure the "already read-only" path (loads, no stores). Instead each
// benchmark owns 1024 distinct windows, one per pmd region of a slot of 1026 x 2 MiB,
// and visits them round-robin; when it wraps, the set-bit leaves of every window are
// made read/write again with the timer paused. That is one Pause/Resume pair per 1024
// calls, and because consecutive calls touch different pte tables the host caches see
// what a KVM_GET_DIRTY_LOG sweep sees, not the same lines over and over.
//
// Counters (per call): descriptor loads per lookup level (l1_loads = the pgd/pud
// entry, l2_loads = pmd, l3_loads = pte on ARMv7 LPAE), upper_level_loads (l1 + l2,
// what crosses_pmd exists to save), stores, ptes/blocks write-protected, and
// simulated cycles from the default Cortex-A15 cache model. They come from an
// untimed accounting sweep over all 1024 windows after the timed loop, not from the
// timed calls themselves: the cache model costs more host time than the walk it
// prices, and a sweep makes the figures exact and independent of the iteration count
// Google Benchmark picks (so they are plain counters already divided per call, not
// kAvgIterations ones). The sweep starts from empty caches: the tables went cold while
// the guest ran between two KVM_GET_DIRTY_LOG calls.
#include <benchmark/benchmark.h>

#include <bit>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_fixtures.h"
#include "bench/bench_machine.h"
#include "sim/timing/cycle_sink.h"
#include "mmu/wp_walker.h"

namespace s2sim::bench {
namespace {

using namespace s2sim::mmu;

constexpr std::size_t kWindows = 1024;
constexpr std::uint64_t kMaskSeed = 0x5EED2014;  // the rand25 masks, same every run

struct MaskedCase {
  std::string walker;
  MaskPattern pattern;
  Alignment alignment;
  unsigned bits;
  Mapping mapping;
};

SlotSpec masked_spec(Alignment a, Mapping m) {
  SlotSpec s;
  // Two spare regions: on a crossing hugepage slot the partial regions at both ends are
  // mapped with ptes, so the words straddling them are not block windows.
  s.npages = (kWindows + 2) * PMD_PAGES;
  s.base_gfn = kRamBaseGfn + (a == Alignment::Crossing ? kCrossingOffset : 0);
  s.mapping = m;
  // Logging on: every leaf starts read-only, as kvm_mmu_wp_memory_region() leaves
  // it; the walker itself reads no bitmap (the masks are given).
  s.logging = true;
  return s;
}

// The windows, masks and leaves one benchmark cycles through.
struct ArmedSet {
  std::vector<Window> windows;
  std::vector<std::uint64_t> masks;
  std::vector<std::uint64_t*> leaves;  // every leaf of every window, to re-arm them
};

const ArmedSet& armed_set(SlotFixture& f, const MaskedCase& c) {
  static std::map<std::string, ArmedSet> cache;
  const std::string key = std::string(to_string(c.alignment)) + "/" + to_string(c.mapping) + "/" +
                          std::to_string(c.bits) + "/" + to_string(c.pattern);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  ArmedSet a;
  a.windows = pick_windows(f, c.bits, kWindows);
  workloads::Rng rng(kMaskSeed);
  for (const Window& w : a.windows) {
    const std::uint64_t mask = pattern_mask(c.pattern, c.bits, rng);
    a.masks.push_back(mask);
    // Only the pages whose bit is set were written; the others stay read-only.
    const gfn_t first = f.slot().base_gfn + w.gfn_offset;
    for (std::uint64_t m = mask; m; m &= m - 1) {
      std::uint64_t* leaf = leaf_descriptor(*f.kvm, first + static_cast<unsigned>(std::countr_zero(m)));
      if (a.leaves.empty() || a.leaves.back() != leaf) a.leaves.push_back(leaf);  // a block once
    }
  }
  return cache.emplace(key, std::move(a)).first->second;
}

void BM_WpMasked(benchmark::State& state, const MaskedCase& c) {
  SlotFixture& f = fixture(masked_spec(c.alignment, c.mapping));
  const ArmedSet& a = armed_set(f, c);
  if (a.windows.size() != kWindows) {
    state.SkipWithError("fixture has too few windows of the requested kind");
    return;
  }
  const std::unique_ptr<WpWalker> walker = make_wp_walker(c.walker);
  Kvm& kvm = *f.kvm;
  const Memslot& slot = f.slot();
  kvm.hazards.clear();
  make_writable(a.leaves);

  WpStats stats;
  std::size_t i = 0;
  for (auto _ : state) {
    if (i == a.windows.size()) {
      state.PauseTiming();
      make_writable(a.leaves);
      i = 0;
      state.ResumeTiming();
    }
    S2Walk w(kvm.pgtable, nullptr, &kvm.hazards, walker->name());
    walker->write_protect_masked(w, slot, a.windows[i].gfn_offset, a.masks[i], c.bits, stats);
    ++i;
  }
  benchmark::DoNotOptimize(stats);

  // Accounting sweeps (untimed: the loop is over).
  sim::CacheHierarchy cache = make_cache(default_machine());
  sim::CycleSink cycles(cache, 0);
  CountingSink counts;
  TeeSink tee(counts, cycles);
  WpStats sweep_stats;
  auto sweep = [&] {
    make_writable(a.leaves);
    for (std::size_t k = 0; k < a.windows.size(); ++k) {
      S2Walk w(kvm.pgtable, &tee, &kvm.hazards, walker->name());
      walker->write_protect_masked(w, slot, a.windows[k].gfn_offset, a.masks[k], c.bits, sweep_stats);
    }
  };
  sweep();
  const std::uint64_t cold = cycles.cycles;
  const CountingSink& first = counts;
  const WpStats& first_stats = sweep_stats;

  const double n = static_cast<double>(a.windows.size());
  auto per_call = [n](std::uint64_t v) { return benchmark::Counter(static_cast<double>(v) / n); };
  state.counters["l1_loads"] = per_call(first.loads[1]);
  state.counters["l2_loads"] = per_call(first.loads[2]);
  state.counters["l3_loads"] = per_call(first.loads[3]);
  state.counters["upper_level_loads"] = per_call(first.upper_level_loads());
  state.counters["stores"] = per_call(first.total_stores());
  state.counters["ptes_wp"] = per_call(first_stats.ptes_write_protected);
  state.counters["blocks_wp"] = per_call(first_stats.blocks_write_protected);
  state.counters["sim_cycles"] = per_call(cold);
  state.counters["hazards"] = benchmark::Counter(static_cast<double>(kvm.hazards.total()));
  state.SetLabel(a.windows.front().crosses_pmd ? "crosses_pmd" : "one pmd");
}

[[maybe_unused]] const bool registered = [] {
  for (const Mapping mapping : {Mapping::Pages, Mapping::Blocks})
    for (const unsigned bits : {32u, 64u})
      for (const Alignment alignment : {Alignment::Aligned, Alignment::Crossing})
        for (const MaskPattern pattern : kMaskPatterns)
          for (const std::string& walker : wp_walker_names()) {
            // v4 has no block case: it would follow the block as a pte table.
            if (mapping == Mapping::Blocks && walker == "v4") continue;
            const MaskedCase c{walker, pattern, alignment, bits, mapping};
            const std::string name = "BM_WpMasked/" + walker + "/" + to_string(pattern) + "/" + to_string(alignment) +
                                     "/" + std::to_string(bits) + "/" + to_string(mapping);
            benchmark::RegisterBenchmark(name.c_str(), [c](benchmark::State& st) { BM_WpMasked(st, c); })
                ->Unit(benchmark::kNanosecond);
          }
  return true;
}();

}  // namespace
}  // namespace s2sim::bench
