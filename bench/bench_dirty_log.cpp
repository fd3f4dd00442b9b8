// KVM_GET_DIRTY_LOG over a whole slot, and the write-protect pass that turns logging on.
//
//   BM_DirtyLog/<walker>/<size>/<dirty>    size 1GiB | 4GiB, dirty 1pct | 10pct | 100pct
//   BM_EnableLogging/<size>                kvm_enable_dirty_logging(): stage2_wp_range
//                                          over the whole slot + one TLB flush request
//
// Slots are 2 MiB aligned, all 4 KiB pages, 32-bit bitmap words (ARMv7). Before each
// timed call, with the timer paused, the benchmark re-dirties the slot the way the
// guest would have between two calls: the chosen pages get their dirty bit set and
// their pte made read/write again. Dirty pages are drawn once per (size, percentage)
// with a fixed seed, so every walker sees the same bitmap.
//
// Host time is the one-call kvm_vm_ioctl_get_dirty_log() with no access sink. The
// counters come from one more call, untimed, advanced step by step with the walker's
// accesses priced by the Cortex-A15 cache model (starting empty) plus the per-step
// costs the engine charges (sim/engine/dirty_log_timing.h, DirtyLogCostModel) on the
// default machine: bitmap_word_scan for every word, atomic_xchg for every non-zero
// word, the flush and copy_to_user_per_byte for the copy-out. Locks, ioctl entry and
// the buffer memset (the model's entry and lock phases) are left out: they are the
// same for every walker.
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_fixtures.h"
#include "bench/bench_machine.h"
#include "mmu/dirty_log.h"
#include "sim/engine/dirty_log_timing.h"
#include "sim/engine/tlb_shootdown.h"
#include "sim/timing/cycle_sink.h"
#include "mmu/wp_walker.h"

namespace s2sim::bench {
namespace {

using namespace s2sim::mmu;

constexpr std::uint64_t kDirtySeed = 0xD1127106;

struct DirtySet {
  std::vector<std::uint64_t> rel_gfns;  // gfn offsets of the dirty pages
  std::vector<std::uint64_t*> leaves;   // their ptes, to make them writable again
};

const DirtySet& dirty_set(SlotFixture& f, unsigned percent) {
  static std::map<std::pair<std::uint64_t, unsigned>, DirtySet> cache;
  const auto key = std::make_pair(f.spec.npages, percent);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  DirtySet d;
  d.rel_gfns = dirty_pattern(f.spec.npages, percent, kDirtySeed);
  const std::vector<std::uint64_t*>& all = slot_leaves(f);
  d.leaves.reserve(d.rel_gfns.size());
  for (const std::uint64_t rel : d.rel_gfns) d.leaves.push_back(all[rel]);
  return cache.emplace(key, std::move(d)).first->second;
}

void redirty(SlotFixture& f, const DirtySet& d) {
  set_dirty(f.slot(), d.rel_gfns);
  make_writable(d.leaves);
}

const char* size_name(std::uint64_t npages) { return npages == kPages4GiB ? "4GiB" : "1GiB"; }

void BM_DirtyLog(benchmark::State& state, const std::string& walker_name, std::uint64_t npages, unsigned percent) {
  SlotFixture& f = fixture(dirty_log_spec(npages));
  const DirtySet& d = dirty_set(f, percent);
  const std::unique_ptr<WpWalker> walker = make_wp_walker(walker_name);
  Kvm& kvm = *f.kvm;
  DirtyLogOptions opts;
  opts.bits_per_long = f.spec.bits_per_long;
  kvm.hazards.clear();

  for (auto _ : state) {
    state.PauseTiming();
    redirty(f, d);
    state.ResumeTiming();
    const int r = kvm_vm_ioctl_get_dirty_log(kvm, kSlotId, *walker, opts);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(d.rel_gfns.size()));

  // Accounting call (untimed).
  redirty(f, d);
  const sim::MachineConfig& m = default_machine();
  sim::CacheHierarchy cache = make_cache(m);
  sim::CycleSink walk_cycles(cache, 0);
  CountingSink counts;
  TeeSink tee(counts, walk_cycles);
  const sim::DirtyLogCostModel model(m);
  GetDirtyLog call(kvm, kSlotId, *walker, opts);
  std::uint64_t step_cycles = 0, words = 0;
  while (!call.done()) {
    const GetDirtyLog::StepInfo info = call.step(&tee);
    words += info.step == GetDirtyLog::Step::Word;
    const sim::DirtyLogCharge charge = model.step(info, *f.slot().dirty_bitmap);
    if (charge.phase != &sim::GetDirtyLogPhases::entry && charge.phase != &sim::GetDirtyLogPhases::lock)
      step_cycles += charge.cycles;
  }
  if (call.result() != 0) state.SkipWithError("get_dirty_log failed");
  const std::uint64_t total = walk_cycles.cycles + step_cycles;
  auto num = [](std::uint64_t v) { return benchmark::Counter(static_cast<double>(v)); };
  state.counters["sim_cycles"] = num(total);
  state.counters["sim_walk_cycles"] = num(walk_cycles.cycles);
  state.counters["sim_ms"] = benchmark::Counter(m.clock().ms(total));
  state.counters["words"] = num(words);
  state.counters["pages_reported"] = num(call.pages_reported());
  state.counters["ptes_wp"] = num(call.wp_stats().ptes_write_protected);
  state.counters["loads"] = num(counts.total_loads());
  state.counters["upper_level_loads"] = num(counts.upper_level_loads());
  state.counters["stores"] = num(counts.total_stores());
  state.counters["hazards"] = num(kvm.hazards.total());
}

void BM_EnableLogging(benchmark::State& state, std::uint64_t npages) {
  SlotFixture& f = fixture(dirty_log_spec(npages));
  const std::vector<std::uint64_t*>& leaves = slot_leaves(f);
  Kvm& kvm = *f.kvm;
  const unsigned bits = f.spec.bits_per_long;

  for (auto _ : state) {
    // Back to a guest running without logging: every page writable.
    state.PauseTiming();
    kvm_disable_dirty_logging(kvm, kSlotId);
    make_writable(leaves);
    state.ResumeTiming();
    const int r = kvm_enable_dirty_logging(kvm, kSlotId, bits);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(npages));

  // Accounting call (untimed); leaves the slot logging with every page read-only,
  // the state the dirty-log benchmarks expect.
  kvm_disable_dirty_logging(kvm, kSlotId);
  make_writable(leaves);
  const sim::MachineConfig& m = default_machine();
  sim::CacheHierarchy cache = make_cache(m);
  sim::CycleSink walk_cycles(cache, 0);
  CountingSink counts;
  TeeSink tee(counts, walk_cycles);
  WpStats stats;
  if (kvm_enable_dirty_logging(kvm, kSlotId, bits, &tee, &stats) != 0) state.SkipWithError("enable failed");
  const std::uint64_t total = walk_cycles.cycles + sim::flush_remote_tlbs_cycles(m);
  auto num = [](std::uint64_t v) { return benchmark::Counter(static_cast<double>(v)); };
  state.counters["sim_cycles"] = num(total);
  state.counters["sim_ms"] = benchmark::Counter(m.clock().ms(total));
  state.counters["ptes_wp"] = num(stats.ptes_write_protected);
  state.counters["loads"] = num(counts.total_loads());
  state.counters["upper_level_loads"] = num(counts.upper_level_loads());
  state.counters["stores"] = num(counts.total_stores());
}

[[maybe_unused]] const bool registered = [] {
  for (const std::uint64_t npages : {kPages1GiB, kPages4GiB}) {
    for (const unsigned percent : {1u, 10u, 100u})
      for (const std::string& walker : wp_walker_names()) {
        const std::string name = "BM_DirtyLog/" + walker + "/" + size_name(npages) + "/" + std::to_string(percent) + "pct";
        benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) { BM_DirtyLog(st, walker, npages, percent); })
            ->Unit(benchmark::kMicrosecond);
      }
    const std::string name = std::string("BM_EnableLogging/") + size_name(npages);
    benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) { BM_EnableLogging(st, npages); })
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
}  // namespace s2sim::bench
