// Simulator throughput: guest operations per second of a whole run (sim::Engine, the
// code `s2sim run` drives), single thread, and the physical limit of the same work.
//
//   BM_EngineRun/<workload>          Engine::run() of a one-vCPU config, no migration;
//                                    items = guest operations. The engine is built with
//                                    the timer paused.
//   BM_Baseline_OpStream/<workload>  the same operation stream, drawn from the same
//                                    workload source (workloads::make_workload with the
//                                    same spec, seed and slot) in batches as the engine
//                                    draws it, each write setting its page's bit in a
//                                    plain bitmap: what a simulator of this stream could
//                                    never beat. items = operations.
//
//   BM_Floor_ModelParts/<workload>   the same stream through the model's own parts and
//                                    nothing else: per operation the vCPU's TLB
//                                    hierarchy (micro and main TLBs, true LRU), on a
//                                    miss the walk cache, the hardware walk of the same
//                                    populated tables and one cache-model access per
//                                    descriptor read (timed_walk, the engine's own), and
//                                    each write's bit. No clock, run queue, agent state,
//                                    fault path, page record or statistics of the run:
//                                    what an exact model of these structures pays per
//                                    operation whatever drives it. items = operations.
//
// Workloads (both over a populated 4 GiB slot of 4 KiB pages, Cortex-A15, ARMv7 LPAE):
//   tlb_friendly  uniform over 16 pages: after the first touches every access hits a
//                 micro TLB (32 entries)
//   walk_heavy    uniform over the 4 GiB (1M pages): nearly every access misses the
//                 main TLB (512 entries) and walks the tables through the cache model
// The slot is populated (every page mapped before time starts, `populate`), so the
// runs measure translation, not first-touch faults.
//
// Read BM_EngineRun's items_per_second over its baseline's from the same run.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/engine/op_lookahead.h"
#include "sim/engine/timed_walk.h"
#include "bench/bench_fixtures.h"
#include "workloads/workload_factory.h"

namespace s2sim::bench {
namespace {

constexpr std::uint64_t kOps = 1u << 20;
constexpr std::uint64_t kSlotPages = 1u << 20;  // 4 GiB
constexpr std::uint64_t kSlotBaseGfn = 0x80000;  // IPA 2 GiB, as on vexpress

struct EngineWorkload {
  const char* name;
  std::uint64_t pages;  // the uniform workload's region
};
constexpr EngineWorkload kWorkloads[] = {{"tlb_friendly", 16}, {"walk_heavy", kSlotPages}};

const sim::SimConfig& engine_config(const EngineWorkload& w) {
  static std::vector<std::unique_ptr<sim::SimConfig>> cache(std::size(kWorkloads));
  std::unique_ptr<sim::SimConfig>& c = cache[static_cast<std::size_t>(&w - kWorkloads)];
  if (!c) {
    const nlohmann::json doc = {
        {"seed", 1},
        {"machine", "cortex-a15"},
        {"geometry", "armv7-lpae"},
        {"memslots", {{{"id", 0}, {"base_gfn", kSlotBaseGfn}, {"npages", kSlotPages}, {"populate", true}}}},
        {"vcpus", 1},
        {"workload", {{"kind", "uniform"}, {"ops", kOps}, {"pages", w.pages}, {"write_ratio", 1.0}}},
        {"migration", {{"enabled", false}}},
        {"verify", {{"enabled", false}}},
    };
    c = std::make_unique<sim::SimConfig>(sim::parse_config(doc, "<bench>", sim::configs_dir()));
  }
  return *c;
}

void BM_EngineRun(benchmark::State& state, const EngineWorkload& w) {
  const sim::SimConfig& cfg = engine_config(w);
  sim::RunResult last;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = std::make_unique<sim::Engine>(cfg);
    state.ResumeTiming();
    last = engine->run();
    state.PauseTiming();
    engine.reset();  // freeing the tables is not part of the run
    state.ResumeTiming();
  }
  if (last.ops != kOps) state.SkipWithError("the run did not execute every operation");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kOps));
  auto num = [](std::uint64_t v) { return benchmark::Counter(static_cast<double>(v)); };
  state.counters["tlb_hits"] = num(last.tlb_hits);
  state.counters["walks"] = num(last.tlb_misses);
  state.counters["faults"] = num(last.translation_faults + last.write_protect_faults);
  state.counters["sim_cycles"] = num(last.total_cycles);
}

void BM_Baseline_OpStream(benchmark::State& state, const EngineWorkload& w) {
  // The engine's own workload spec and environment: the very stream it simulates.
  const sim::SimConfig& cfg = engine_config(w);
  const workloads::WorkloadEnv env = sim::workload_env(cfg);
  std::vector<std::uint64_t> bitmap(kSlotPages / 64, 0);
  for (auto _ : state) {
    state.PauseTiming();
    const std::unique_ptr<workloads::OpSource> ops = workloads::make_workload(cfg.workload, "/workload", env);
    state.ResumeTiming();
    std::array<workloads::GuestOp, sim::OpLookahead::kBatch> batch;
    while (const std::size_t n = ops->next_batch(0, batch.data(), batch.size())) {
      for (std::size_t i = 0; i < n; ++i) {
        const workloads::GuestOp& op = batch[i];
        if (op.access != mmu::Access::Write) continue;
        const std::uint64_t rel = (op.ipa >> mmu::PAGE_SHIFT) - kSlotBaseGfn;
        bitmap[rel >> 6] |= std::uint64_t{1} << (rel & 63);  // mark_page_dirty's set_bit_le
      }
    }
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(bitmap.data());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kOps));
}

void BM_Floor_ModelParts(benchmark::State& state, const EngineWorkload& w) {
  const sim::SimConfig& cfg = engine_config(w);
  const workloads::WorkloadEnv env = sim::workload_env(cfg);
  // The engine's slot, populated read/write as its `populate` leaves it.
  const SlotFixture& f = fixture(SlotSpec{kSlotPages, kSlotBaseGfn, Mapping::Pages, false, 32});
  const mmu::S2PageTable& pt = f.kvm->pgtable;
  const std::uint16_t vmid = f.kvm->options.vmid;
  const sim::MachineConfig& m = cfg.machine;
  std::vector<std::uint64_t> bitmap(kSlotPages / 64, 0);
  sim::VcpuStats walk_stats;
  mmu::TranslateResult walk;
  std::uint64_t cycles = 0, walks = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::unique_ptr<workloads::OpSource> ops = workloads::make_workload(cfg.workload, "/workload", env);
    sim::TlbHierarchy tlb(m.tlb);
    sim::CacheHierarchy caches(1, m.l1d, m.l2, m.dram_latency_cycles);
    state.ResumeTiming();
    std::array<workloads::GuestOp, sim::OpLookahead::kBatch> batch;
    while (const std::size_t n = ops->next_batch(0, batch.data(), batch.size())) {
      for (std::size_t i = 0; i < n; ++i) {
        const workloads::GuestOp& op = batch[i];
        if (!tlb.lookup(vmid, op.ipa, op.access).hit()) {
          cycles += sim::timed_walk(tlb, pt, caches, 0, vmid, op.ipa, op.access, m.costs.walk_step_overhead, walk,
                                    walk_stats);
          ++walks;
        }
        if (op.access != mmu::Access::Write) continue;
        const std::uint64_t rel = (op.ipa >> mmu::PAGE_SHIFT) - kSlotBaseGfn;
        bitmap[rel >> 6] |= std::uint64_t{1} << (rel & 63);
      }
    }
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(bitmap.data());
  benchmark::DoNotOptimize(cycles);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kOps));
  state.counters["walks"] = benchmark::Counter(static_cast<double>(walks) / static_cast<double>(state.iterations()));
}

[[maybe_unused]] const bool registered = [] {
  for (const EngineWorkload& w : kWorkloads) {
    benchmark::RegisterBenchmark((std::string("BM_EngineRun/") + w.name).c_str(),
                                 [&w](benchmark::State& st) { BM_EngineRun(st, w); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("BM_Baseline_OpStream/") + w.name).c_str(),
                                 [&w](benchmark::State& st) { BM_Baseline_OpStream(st, w); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("BM_Floor_ModelParts/") + w.name).c_str(),
                                 [&w](benchmark::State& st) { BM_Floor_ModelParts(st, w); })
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
}  // namespace s2sim::bench
