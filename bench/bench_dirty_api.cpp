// The dirty-log APIs of today on a 1 GiB slot of 4 KiB pages with 64-bit bitmap words
// (arm64's BITS_PER_LONG), walker `range` (upstream's stage2_wp_range):
//
//   BM_ClearVsGet/<api>/<dirty>    api get      one plain KVM_GET_DIRTY_LOG (clears and
//                                               write-protects what it reports)
//                                      clear64  MANUAL_PROTECT2: one GET_DIRTY_LOG (a
//                                               snapshot), then one KVM_CLEAR_DIRTY_LOG
//                                               per 64-page chunk holding dirty pages
//                                               (QEMU's smallest clear_bmap chunk)
//                                  dirty 1pct | 10pct | 100pct of the slot
//   BM_RingHarvestReset/<entries>/<pattern>
//                                  a full ring (entries - 64 pushed: the soft limit)
//                                  harvested by user space, then KVM_RESET_DIRTY_RINGS;
//                                  pattern seq (consecutive pages: 64-page runs) or
//                                  scattered (every 67th page: one run per entry)
//   BM_EagerSplitChunk/<chunk>     kvm_mmu_split_huge_pages() over one chunk of a slot
//                                  of 2 MiB blocks: 2MiB (one block) or 1GiB (512)
//
// Before each timed call, with the timer paused, the benchmark puts back what the
// guest would have done: dirty pages get their bit (or ring entry) and a writable pte;
// split blocks come back by rebuilding the slot once all its blocks are split.
//
// Host time is the untimed-model call with no access sink. The counters come from one
// more call, untimed, with the descriptor accesses priced by the default machine's
// cache model (starting empty) and every step charged what the engine charges: for
// GET DirtyLogCostModel (sim/engine/dirty_log_timing.h), for CLEAR clear_step_cycles
// (clear_dirty_log_timing.h), for the ring ring_harvest_cycles and
// ring_reset_entry_cycles (dirty_ring_timing.h), for a split the top-ups
// (eager_split_timing.h); flushes at flush_remote_tlbs_cycles / flush_vmid_ipa_cycles.
// Unlike BM_DirtyLog, every ioctl also pays ioctl_entry and an uncontended spin_lock per
// lock taken (slots_lock, mmu_lock), since the point is how many calls each API makes.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_fixtures.h"
#include "bench/bench_machine.h"
#include "mmu/clear_dirty_log.h"
#include "mmu/dirty_log.h"
#include "mmu/eager_split.h"
#include "mmu/reset_dirty_rings.h"
#include "mmu/wp_walker.h"
#include "sim/engine/clear_dirty_log_timing.h"
#include "sim/engine/dirty_log_timing.h"
#include "sim/engine/dirty_ring_timing.h"
#include "sim/engine/eager_split_timing.h"
#include "sim/engine/tlb_shootdown.h"
#include "sim/timing/cycle_sink.h"

namespace s2sim::bench {
namespace {

using namespace s2sim::mmu;

constexpr std::uint64_t kDirtySeed = 0xC1EA2019;
constexpr unsigned kBits = 64;

SlotSpec api_spec(Mapping m, bool logging) { return SlotSpec{kPages1GiB, kRamBaseGfn, m, logging, kBits}; }

auto num(double v) { return benchmark::Counter(v); }

// One ioctl's fixed part: entry and `locks` uncontended acquisitions.
std::uint64_t ioctl_cycles(const sim::MachineConfig& m, unsigned locks) {
  return m.costs.ioctl_entry + locks * m.costs.spin_lock;
}

// A VM of its own per API (the capabilities differ), built once.
SlotFixture& api_fixture(const std::string& api) {
  static std::map<std::string, std::unique_ptr<SlotFixture>> cache;
  if (auto it = cache.find(api); it != cache.end()) return *it->second;
  std::unique_ptr<SlotFixture> f = build_fixture(api_spec(Mapping::Pages, true));
  if (api == "clear64") {
    // KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 on a kernel that has it (without
    // INITIALLY_SET: logging is on and every page read-only, as after a CLEAR).
    f->kvm->options.apis.clear_dirty_log = true;
    f->kvm->caps.manual_protect = true;
  }
  return *cache.emplace(api, std::move(f)).first->second;
}

struct Dirty {
  std::vector<std::uint64_t> rel;
  std::vector<std::uint64_t*> leaves;
};

Dirty dirty_pages(SlotFixture& f, unsigned percent) {
  Dirty d;
  d.rel = dirty_pattern(f.spec.npages, percent, kDirtySeed);
  const std::vector<std::uint64_t*>& all = slot_leaves(f);
  for (const std::uint64_t r : d.rel) d.leaves.push_back(all[r]);
  return d;
}

void redirty(SlotFixture& f, const Dirty& d) {
  set_dirty(f.slot(), d.rel);
  make_writable(d.leaves);
}

// The CLEAR calls QEMU makes at x-clear-bitmap-shift 6 for the pages of `snapshot`.
std::vector<ClearDirtyLogArgs> clear_calls(const Memslot& slot, const std::vector<gfn_t>& snapshot) {
  std::vector<ClearDirtyLogArgs> calls;
  for (const gfn_t g : snapshot) {
    const std::uint64_t rel = g - slot.base_gfn, first = rel / 64 * 64;
    if (calls.empty() || calls.back().first_page != first) {
      calls.push_back(ClearDirtyLogArgs{slot.id, first, 64, {0}});
    }
    calls.back().bitmap[0] |= std::uint64_t{1} << (rel - first);
  }
  return calls;
}

void BM_ClearVsGet(benchmark::State& state, const std::string& api, unsigned percent) {
  SlotFixture& f = api_fixture(api);
  const Dirty d = dirty_pages(f, percent);
  const std::unique_ptr<WpWalker> walker = make_wp_walker("range");
  Kvm& kvm = *f.kvm;
  DirtyLogOptions opts;
  opts.bits_per_long = kBits;
  const bool manual = api == "clear64";
  std::uint64_t calls = 0;
  for (auto _ : state) {
    state.PauseTiming();
    redirty(f, d);
    state.ResumeTiming();
    std::vector<gfn_t> snapshot;
    int r = kvm_vm_ioctl_get_dirty_log(kvm, kSlotId, *walker, opts, manual ? &snapshot : nullptr);
    if (manual)
      for (const ClearDirtyLogArgs& a : clear_calls(f.slot(), snapshot)) {
        r |= kvm_vm_ioctl_clear_dirty_log(kvm, a, *walker);
        ++calls;
      }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(d.rel.size()));

  // Accounting (untimed).
  redirty(f, d);
  const sim::MachineConfig& m = default_machine();
  sim::CacheHierarchy cache = make_cache(m);
  sim::CycleSink walk(cache, 0);
  const sim::DirtyLogCostModel model(m);
  std::uint64_t steps = ioctl_cycles(m, 2), ioctls = 1, protected_pages = 0;
  GetDirtyLog get(kvm, kSlotId, *walker, opts);
  while (!get.done()) steps += model.step(get.step(&walk), *f.slot().dirty_bitmap).cycles;
  protected_pages += get.wp_stats().ptes_write_protected;
  if (manual) {
    protected_pages = 0;
    for (ClearDirtyLogArgs& a : clear_calls(f.slot(), get.dirty_gfns())) {
      const std::uint64_t user_bytes = a.bitmap.size() * sizeof(std::uint64_t);
      ClearDirtyLog clear(kvm, std::move(a), *walker);
      steps += ioctl_cycles(m, 2);
      ++ioctls;
      while (!clear.done()) {
        const ClearDirtyLog::StepInfo info = clear.step(&walk);
        steps += info.step == ClearDirtyLog::Step::Flush && info.flushed ? sim::flush_remote_tlbs_cycles(m)
                                                                          : sim::clear_step_cycles(m, info, user_bytes);
      }
      protected_pages += clear.pages_cleared();
      if (clear.result() != 0) state.SkipWithError("clear_dirty_log failed");
    }
  }
  if (get.result() != 0) state.SkipWithError("get_dirty_log failed");
  const std::uint64_t total = steps + walk.cycles;
  state.counters["sim_cycles"] = num(static_cast<double>(total));
  state.counters["sim_walk_cycles"] = num(static_cast<double>(walk.cycles));
  state.counters["sim_ms"] = num(m.clock().ms(total));
  state.counters["ioctls"] = num(static_cast<double>(ioctls));
  state.counters["pages_protected"] = num(static_cast<double>(protected_pages));
  state.counters["dirty_pages"] = num(static_cast<double>(d.rel.size()));
  benchmark::DoNotOptimize(calls);
}

// The ring benchmark's VM: one vCPU whose ring holds `entries` entries.
SlotFixture& ring_fixture(std::uint32_t entries) {
  static std::map<std::uint32_t, std::unique_ptr<SlotFixture>> cache;
  if (auto it = cache.find(entries); it != cache.end()) return *it->second;
  std::unique_ptr<SlotFixture> f = build_fixture(api_spec(Mapping::Pages, true));
  // KVM_CAP_DIRTY_LOG_RING_ACQ_REL + WITH_BITMAP and one vCPU, set after the fact: the
  // slot is already logging with every page read-only.
  f->kvm->options.apis.dirty_ring = true;
  f->kvm->caps.dirty_ring_entries = entries;
  f->kvm->caps.ring_with_bitmap = true;
  (void)kvm_create_vcpu(*f->kvm);
  return *cache.emplace(entries, std::move(f)).first->second;
}

// The guest dirties the ring up to its soft limit: `stride` 1 writes consecutive
// pages, 67 every 67th page.
void fill_ring(SlotFixture& f, std::uint64_t stride) {
  DirtyRing& ring = f.kvm->dirty_rings[0];
  const std::vector<std::uint64_t*>& all = slot_leaves(f);
  for (std::uint64_t i = 0; !ring.soft_full(); ++i) {
    const std::uint64_t rel = (i * stride) % f.spec.npages;
    (void)ring.push(kSlotId, rel);
    make_writable(&all[rel], 1);
  }
}

void BM_RingHarvestReset(benchmark::State& state, std::uint32_t entries, std::uint64_t stride) {
  SlotFixture& f = ring_fixture(entries);
  const std::unique_ptr<WpWalker> walker = make_wp_walker("range");
  Kvm& kvm = *f.kvm;
  std::uint64_t harvested = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fill_ring(f, stride);
    state.ResumeTiming();
    harvested += kvm.dirty_rings[0].harvest().size();
    const std::int64_t r = kvm_vm_ioctl_reset_dirty_pages(kvm, *walker);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(harvested));

  // Accounting (untimed): harvest, then the reset a run at a time.
  fill_ring(f, stride);
  const sim::MachineConfig& m = default_machine();
  sim::CacheHierarchy cache = make_cache(m);
  sim::CycleSink walk(cache, 0);
  const std::uint64_t n = kvm.dirty_rings[0].harvest().size();
  std::uint64_t steps = sim::ring_harvest_cycles(m, n) + ioctl_cycles(m, 1);
  ResetStats st;
  DirtyRingResetWalk runs(kvm.dirty_rings[0]);
  while (const std::optional<DirtyGfnRun> run = runs.next_run()) {
    steps += m.costs.spin_lock;  // mmu_lock per run
    kvm_reset_dirty_gfn(kvm, *run, *walker, st, &walk);
  }
  steps += runs.entries() * sim::ring_reset_entry_cycles(m) + (runs.entries() ? sim::flush_remote_tlbs_cycles(m) : 0);
  const std::uint64_t total = steps + walk.cycles;
  state.counters["sim_cycles"] = num(static_cast<double>(total));
  state.counters["sim_walk_cycles"] = num(static_cast<double>(walk.cycles));
  state.counters["sim_ms"] = num(m.clock().ms(total));
  state.counters["entries"] = num(static_cast<double>(n));
  state.counters["runs"] = num(static_cast<double>(st.runs));
  state.counters["pages_protected"] = num(static_cast<double>(st.pages_protected));
}

// A slot of blocks whose next `chunk` bytes are still blocks; rebuilt once split through.
struct SplitSlot {
  std::unique_ptr<SlotFixture> f;
  ipa_t next = 0;
};

void rebuild(SplitSlot& s, std::uint64_t chunk) {
  s.f = build_fixture(api_spec(Mapping::Blocks, false));
  s.f->kvm->options.apis.eager_split = true;
  s.f->kvm->caps.eager_split_chunk = chunk;
  s.next = s.f->slot().base_gfn << PAGE_SHIFT;
}

ipa_t slot_end(const SplitSlot& s) { return s.f->slot().end_gfn() << PAGE_SHIFT; }

void BM_EagerSplitChunk(benchmark::State& state, std::uint64_t chunk) {
  SplitSlot s;
  rebuild(s, chunk);
  std::uint64_t blocks = 0;
  for (auto _ : state) {
    if (s.next >= slot_end(s)) {
      state.PauseTiming();
      rebuild(s, chunk);
      state.ResumeTiming();
    }
    SplitStats st;
    const int r = kvm_mmu_split_huge_pages(*s.f->kvm, s.next, s.next + chunk, &st);
    benchmark::DoNotOptimize(r);
    blocks += st.blocks_split_2m;
    s.next += chunk;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(blocks));

  // Accounting (untimed): one chunk of a fresh slot, one step of EagerSplit under the lock.
  rebuild(s, chunk);
  const sim::MachineConfig& m = default_machine();
  sim::CacheHierarchy cache = make_cache(m);
  sim::CycleSink walk(cache, 0);
  EagerSplit split(*s.f->kvm, s.next, s.next + chunk);
  const EagerSplit::ChunkInfo info = split.step(&walk);
  const std::uint64_t steps = m.costs.spin_lock + sim::split_topup_cycles(m, info.delta) +
                              info.delta.tlbi_ipa * sim::flush_vmid_ipa_cycles(m);
  const std::uint64_t total = steps + walk.cycles;
  state.counters["sim_cycles"] = num(static_cast<double>(total));
  state.counters["sim_walk_cycles"] = num(static_cast<double>(walk.cycles));
  state.counters["sim_ms"] = num(m.clock().ms(total));
  state.counters["blocks_split"] = num(static_cast<double>(info.delta.blocks_split_2m + info.delta.blocks_split_1g));
  state.counters["tables_allocated"] = num(static_cast<double>(info.delta.tables_allocated));
  state.counters["tlbi_ipa"] = num(static_cast<double>(info.delta.tlbi_ipa));
  state.counters["pages_topped_up"] = num(static_cast<double>(info.delta.pages_topped_up));
}

[[maybe_unused]] const bool registered = [] {
  for (const char* api : {"get", "clear64"})
    for (const unsigned pct : {1u, 10u, 100u}) {
      const std::string name = std::string("BM_ClearVsGet/") + api + "/" + std::to_string(pct) + "pct";
      const std::string a = api;
      benchmark::RegisterBenchmark(name.c_str(), [a, pct](benchmark::State& st) { BM_ClearVsGet(st, a, pct); })
          ->Unit(benchmark::kMillisecond);
    }
  for (const std::uint32_t entries : {512u, 4096u, 65536u})
    for (const std::uint64_t stride : {std::uint64_t{1}, std::uint64_t{67}}) {
      const std::string name = "BM_RingHarvestReset/" + std::to_string(entries) + "/" + (stride == 1 ? "seq" : "scattered");
      benchmark::RegisterBenchmark(name.c_str(),
                                   [entries, stride](benchmark::State& st) { BM_RingHarvestReset(st, entries, stride); })
          ->Unit(benchmark::kMicrosecond);
    }
  for (const std::uint64_t chunk : {std::uint64_t{1} << 21, std::uint64_t{1} << 30}) {
    const std::string name = std::string("BM_EagerSplitChunk/") + (chunk == (std::uint64_t{1} << 21) ? "2MiB" : "1GiB");
    benchmark::RegisterBenchmark(name.c_str(), [chunk](benchmark::State& st) { BM_EagerSplitChunk(st, chunk); })
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
}  // namespace s2sim::bench
