// The one entry point of s2sim-bench: every bench/*.cpp registers its benchmarks
// statically (BENCHMARK or RegisterBenchmark) and this runs them. --help names our
// benchmark families before Google Benchmark's own options
// (tests/bench/bench_help_test.cpp checks that the list matches what is registered).
#include <benchmark/benchmark.h>

#include <cstdio>

namespace {

const char* const kFamilies =
    "s2sim-bench: speed of the stage-2 model and the simulator (Google Benchmark).\n"
    "Every benchmark reports host time and, as counters, simulated cycles and descriptor\n"
    "loads and stores; compare walkers by the counters, host time by ratio to a baseline.\n"
    "\n"
    "benchmark families (--benchmark_filter=FAMILY runs one; --benchmark_list_tests lists all):\n"
    "  BM_WpMasked                 one kvm_mmu_write_protect_pt_masked() call on one bitmap word:\n"
    "                              walker/pattern/alignment/bits/mapping\n"
    "  BM_DirtyLog                 a whole KVM_GET_DIRTY_LOG: walker/slot size/percent dirty\n"
    "  BM_EnableLogging            write-protecting a whole slot when logging starts: slot size\n"
    "  BM_ClearVsGet               plain KVM_GET_DIRTY_LOG vs manual protect (a snapshot GET, then\n"
    "                              KVM_CLEAR_DIRTY_LOG in 64-page chunks): api/percent dirty\n"
    "  BM_RingHarvestReset         harvest a full dirty ring + KVM_RESET_DIRTY_RINGS: entries/pattern\n"
    "  BM_EagerSplitChunk          eager splitting of one chunk of 2 MiB blocks: chunk size\n"
    "  BM_EngineRun                guest operations per second of a whole run: workload\n"
    "  BM_HwWalk4K                 the hardware stage-2 walk over 4 KiB pages: mapped pages\n"
    "  BM_Baseline_OpStream        the same operation stream only setting dirty bits: workload\n"
    "  BM_Floor_ModelParts         the same stream through the TLBs, walks and cache model alone:\n"
    "                              workload\n"
    "  BM_Baseline_GuestOpsBitmap  uniform random pages setting bits in a plain bitmap\n"
    "  BM_Baseline_FlatWp1M        the read-only bits of 1M descriptors in a flat array\n"
    "  BM_RangeWp4GiBFull          stage2_wp_range() over a fully dirty 4 GiB slot\n"
    "\n"
    "example: s2sim-bench --benchmark_filter=WpMasked --benchmark_out=bench.json --benchmark_out_format=json\n"
    "\n"
    "Google Benchmark's options:\n";

void print_help() {
  std::fputs(kFamilies, stdout);
  benchmark::PrintDefaultHelp();
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv, print_help);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
