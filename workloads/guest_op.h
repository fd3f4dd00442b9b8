// What a guest does to memory, as the simulator sees it: one stage-2 access per
// operation, grouped into one stream per vCPU. Generators and trace readers are
// OpSources; the engine pulls from them a batch of operations at a time when they can
// be read ahead (a generator fills the batch in one call), else one at a time, so no
// workload ever has to exist in memory as a whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "mmu/types.h"

namespace s2sim::workloads {

// Upper bound on think_cycles (generators' key and trace field): large enough for a
// second of guest compute at any clock we model, small enough that a run's total
// simulated time cannot overflow 64 bits.
inline constexpr std::uint64_t kMaxThinkCycles = 1'000'000'000'000;

// How much of a workload has been read, for progress lines: `done` of `total` units
// (operations for generators, input bytes for traces); total 0 when unknown (a trace
// from a pipe).
struct ReadProgress {
  std::uint64_t done = 0, total = 0;
};

struct GuestOp {
  mmu::Access access = mmu::Access::Read;
  // GUEST_SYNC: the guest's ucall at the end of a memstress iteration (not a memory
  // access; access and ipa are unused). The vCPU exits to user space and waits there
  // until user space starts the next iteration (the perf-test driver); without a
  // driver it goes straight back into the guest. (Next to `access`, so that an
  // operation is 32 bytes: batches of them are what the engine reads.)
  bool sync = false;
  mmu::ipa_t ipa = 0;
  // Guest compute before this operation, in cycles.
  std::uint64_t think_cycles = 0;
  // Absolute simulated time before which this operation may not start (periodic
  // workloads: a burst begins on its timer tick); 0 means no constraint.
  std::uint64_t not_before_cycles = 0;

  friend bool operator==(const GuestOp&, const GuestOp&) = default;
};
static_assert(sizeof(GuestOp) == 32);

class OpSource {
 public:
  virtual ~OpSource() = default;
  // The next operation of `vcpu`'s stream. Returns false once that stream is
  // exhausted and keeps returning false afterwards (also for a vcpu index the
  // source does not have). Streams of different vCPUs are independent: the order in
  // which the engine interleaves calls never changes what each vCPU sees.
  virtual bool next(unsigned vcpu, GuestOp& op) = 0;
  // The next operations of `vcpu`'s stream into out[0, n): the ones n calls of next()
  // would return, in order. Returns how many; fewer than n only when the stream ends.
  // Generators fill the array in one call instead of one virtual call per operation.
  virtual std::size_t next_batch(unsigned vcpu, GuestOp* out, std::size_t n) {
    std::size_t i = 0;
    while (i < n && next(vcpu, out[i])) ++i;
    return i;
  }
  // One line for the report header.
  virtual std::string describe() const = 0;
  // True when next() reads no input and cannot fail, as with the generators: the
  // engine may then draw a vCPU's operations a few ahead of their turn (to prefetch
  // the host memory they will touch) without changing anything the run sees. Trace
  // readers say false: reading ahead could report a bad line the run never reaches.
  virtual bool can_read_ahead() const { return false; }
  // Trace lines skipped because they were not operations (lackey's "==PID==" lines
  // and the like). Generators skip nothing.
  virtual std::uint64_t skipped_lines() const { return 0; }
  // Distinct 2 MiB regions of trace addresses given a place in the memslot (lackey
  // traces); 0 for everything else.
  virtual std::uint64_t mapped_regions() const { return 0; }
  // How far the streams have been read; never changes what next() returns.
  virtual ReadProgress read_progress() const { return {}; }
};

// What a workload needs to know about the machine it runs on.
struct WorkloadEnv {
  unsigned vcpus = 1;
  std::uint64_t seed = 1;
  double clock_hz = 1.7e9;        // turns the periodic workload's milliseconds into cycles
  mmu::gfn_t slot_base_gfn = 0;   // the memslot the workload lives in
  std::uint64_t slot_npages = 0;
  unsigned ipa_bits = 40;         // trace IPAs must lie in [0, 2^ipa_bits)
  std::string config_file;        // named in error messages
  std::string base_dir;           // relative trace paths are resolved against it
};

}  // namespace s2sim::workloads
