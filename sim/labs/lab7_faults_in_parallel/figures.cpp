// Lab 7's figures. `show` draws the protocol the runs measure and nothing they
// measured (every number there is an answer); `solve` adds the runs' measurements
// as bars, read from the same PerfTestResults the answers are read from.
#include <algorithm>
#include <cmath>

#include "sim/labs/lab7_faults_in_parallel/perf_lab.h"
#include "sim/labs/lab_bars.h"
#include "sim/labs/lab_figures.h"
#include "sim/labs/lab_svg.h"

namespace s2sim::sim::lab::perf {

namespace {

constexpr const char* kArmv7Fill = "#fca5a5";
constexpr const char* kArm64Fill = "#93c5fd";
constexpr const char* kOffFill = "#d1d5db";
constexpr const char* kOnFill = "#86efac";

// One iteration of dirty_log_perf_test: the vCPUs' pass and the dirty-log call after it.
Figure protocol(const Setup& s) {
  const std::string last = "vCPU " + std::to_string(s.vcpus - 1);
  const std::string pages = std::to_string((s.mib << 20) >> 12);
  const std::vector<std::string> lanes = {"vCPU 0", last, "KVM: stage-2 fault path", "perf-test main thread"};
  const unsigned v0 = 0, vn = 1, kvm = 2, main = 3;
  std::vector<SeqStep> steps = {
      {main, v0, "iteration 2: write every page of your " + std::to_string(s.mib) + " MiB (" + pages + " pages)"},
      {main, vn, "the same, on its own " + std::to_string(s.mib) + " MiB (" + std::to_string(s.vcpus) + " vCPUs in all)"},
      {v0, kvm, "write to a write-protected page: permission fault"},
      {vn, kvm, "meanwhile its own pages fault the same way"},
      {kvm, kvm, "make the pte writable, mark_page_dirty, TLB maintenance"},
      {kvm, v0, "back to the guest: the next page"},
      {kvm, vn, "back to the guest: the next page"},
      {v0, main, "GUEST_SYNC: my pass is done"},
      {vn, main, "the last GUEST_SYNC ends \"dirty memory time\""},
      {main, kvm, "KVM_GET_DIRTY_LOG (-g) or KVM_CLEAR_DIRTY_LOG"},
      {kvm, kvm, "write-protect the pages written, flush the TLBs"},
      {kvm, main, "the dirty bitmap; iteration 3 starts"},
  };
  return draw_sequence("lab7-perf-test.svg",
                       "one iteration of dirty_log_perf_test: " + std::to_string(s.vcpus) + " vCPUs x " +
                           std::to_string(s.mib) + " MiB (" + s.backing + " in part A)",
                       lanes, steps);
}

// A run's time in microseconds as the answers read it: rounded to the microsecond.
double us0(double us) { return static_cast<double>(std::llround(us)); }

Figure part_a(const Setup& s, const Runs& r) {
  const std::string n = std::to_string(s.vcpus);
  const Run* runs[] = {&r.armv7_1, &r.armv7_n, &r.arm64_n};
  BarChart time;
  time.title = "iteration 2's pass, " + s.backing + " backing, -g";
  time.unit = "microseconds";
  time.categories = {"linux-4.0-armv7 -v 1", "linux-4.0-armv7 -v " + n, "linux-6.6-arm64 -v " + n};
  BarSeries dirty{"\"Iteration 2 dirty memory time\"", kArm64Fill, {}, 0};
  BarChart lock = time;
  lock.title = "iteration 2's wait for mmu_lock";
  BarSeries wait{"mmu_lock_wait_s: every agent's wait, summed", kArmv7Fill, {}, 0};
  for (const Run* run : runs) {
    dirty.values.push_back(us0(run->us(run->it(2).dirty_memory_cycles)));
    wait.values.push_back(us0(run->wait_us(2)));
  }
  time.series = {dirty};
  time.notes = {"the " + n + "-vCPU ARMv7 pass takes " +
                bar_value_text(dirty.values[1] / std::max(1.0, dirty.values[0]), 2) +
                " x the 1-vCPU pass: each vCPU's faults wait for the others' (mmu_lock, a spinlock)"};
  lock.series = {wait};
  BarChart tlbi;
  tlbi.title = "iteration 2's TLB invalidations";
  tlbi.unit = "requests";
  tlbi.categories = time.categories;
  BarSeries broadcast{"tlbi.broadcast", kArmv7Fill, {}, 0};
  BarSeries local{"tlbi.local", kArm64Fill, {}, 0};
  for (const Run* run : runs) {
    broadcast.values.push_back(static_cast<double>(run->it(2).tlbi_broadcast));
    local.values.push_back(static_cast<double>(run->it(2).tlbi_local));
  }
  tlbi.series = {broadcast, local};
  tlbi.notes = {"ARMv7 broadcasts once a fault under the spinlock; arm64 6.6 relaxes the pte in place and "
                "invalidates locally"};
  return draw_bars("lab7-part-a.svg", "part A: the same pass under two kernels", {time, lock, tlbi});
}

Figure part_b(const Setup& s, const Runs& r) {
  const Run& off = r.split_off;
  const Run& on = r.split_on;
  BarChart phases;
  phases.title = "where the time goes, " + std::to_string(s.vcpus) + " vCPUs, 2 MiB hugetlb, KVM_CLEAR_DIRTY_LOG";
  phases.unit = "microseconds";
  phases.categories = {"Enabling dirty logging", "Iteration 1 clear", "Iteration 1 get", "Iteration 2 dirty memory"};
  auto phase_values = [](const Run& run) {
    return std::vector<double>{us0(run.us(run.perf.enable_logging_cycles)), us0(run.us(run.it(1).clear_dirty_log_cycles)),
                               us0(run.us(run.it(1).get_dirty_log_cycles)), us0(run.us(run.it(2).dirty_memory_cycles))};
  };
  phases.series = {{"split-off.json", kOffFill, phase_values(off), 0},
                   {"split-on.json (--eager-split-chunk 2M)", kOnFill, phase_values(on), 0}};
  BarChart faults;
  faults.title = "iteration 2's stage-2 faults";
  faults.unit = "faults";
  faults.categories = {"translation", "write_protect", "split"};
  auto fault_values = [](const Run& run) {
    const PerfIteration& i = run.it(2);
    return std::vector<double>{static_cast<double>(i.translation_faults), static_cast<double>(i.write_protect_faults),
                               static_cast<double>(i.split_faults)};
  };
  faults.series = {{"split-off.json", kOffFill, fault_values(off), 0},
                   {"split-on.json (--eager-split-chunk 2M)", kOnFill, fault_values(on), 0}};
  faults.notes = {"without eager splitting a vCPU's first write to a block dissolves it (a split fault) and the "
                  "block's other pages fault back in"};
  return draw_bars("lab7-part-b.svg", "part B: eager page splitting", {phases, faults});
}

}  // namespace

void add_figures(Problem& p, const Setup& s, const Runs& r) {
  p.figures.push_back(protocol(s));
  p.solved_figures = p.figures;
  p.solved_figures.push_back(part_a(s, r));
  p.solved_figures.push_back(part_b(s, r));
}

}  // namespace s2sim::sim::lab::perf
