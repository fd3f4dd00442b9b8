// The one entry point of s2sim-bench: every bench/*.cpp registers its benchmarks
// statically (BENCHMARK or RegisterBenchmark) and this runs them.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
