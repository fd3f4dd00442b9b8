// Lab 7's pieces shared by the problem (perf_lab.cpp) and its figures (figures.cpp):
// the setup a seed draws and one perf-test command of the lab with what it measured.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/perf_test_result.h"
#include "sim/engine/perf_test_setup.h"
#include "sim/labs/lab.h"

namespace s2sim::sim::lab::perf {

struct Setup {
  unsigned vcpus = 2;
  std::uint64_t mib = 4;  // -b, MiB per vCPU
  std::string backing;    // part A's -s
};

struct Run {
  std::string command;
  PerfTestResult perf;
  double hz = 1;
  const PerfIteration& it(unsigned n) const { return perf.iterations.at(n - 1); }
  double us(std::uint64_t cycles) const { return static_cast<double>(cycles_to_ns(cycles, hz)) / 1000.0; }
  // mmu_lock_wait_s as perf-test's JSON has it, in microseconds.
  double wait_us(unsigned n) const { return static_cast<double>(it(n).mmu_lock_wait_cycles) / hz * 1e6; }
};

// The runs of a problem, in the order the handout lists them.
struct Runs {
  Run armv7_1, armv7_n, arm64_n;  // part A
  Run split_off, split_on;        // part B
};

// lab7-perf-test.svg (show): one iteration of dirty_log_perf_test with this problem's
// vCPUs and memory, no measurement in it. solve adds lab7-part-a.svg and
// lab7-part-b.svg: the runs' measurements, every answer among them.
void add_figures(Problem& p, const Setup& s, const Runs& r);

}  // namespace s2sim::sim::lab::perf
