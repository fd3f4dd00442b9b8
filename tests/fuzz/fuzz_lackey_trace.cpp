// libFuzzer target: the Valgrind lackey trace reader (workloads/lackey_trace.h)
// behind TraceDemux. The input is the trace file's bytes; the reader's options
// (include_instructions, spread, think_cycles) are picked from the input's size, so
// every combination is exercised without changing what the bytes mean.
//
// Besides "InputError or success, nothing else", it checks the header's promises:
//  - every operation lies inside the memslot (16 whole 2 MiB regions at IPA 2 GiB),
//    carries the configured think time and no not-before time, and without
//    spread = round_robin everything goes to vCPU 0;
//  - TraceDemux is exact: a read-ahead bound of 2 gives every vCPU the same stream
//    as the default bound, and rejects or accepts the trace alike;
//  - the operations survive a round trip through write_native_trace and the native
//    reader.
// At most 10,000 operations are drained per reading.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_support.h"
#include "mmu/granule.h"
#include "util/input_error.h"
#include "workloads/lackey_trace.h"
#include "workloads/native_trace.h"

namespace {

using s2sim::InputError;
using s2sim::fuzz::Drained;
using s2sim::fuzz::DrainEnd;
using s2sim::fuzz::finding;
using s2sim::workloads::GuestOp;

constexpr std::size_t kMaxOps = 10'000;
constexpr unsigned kVcpus = 3;
constexpr std::uint64_t kSlotBaseGfn = 0x80000;  // IPA 2 GiB, as on vexpress
constexpr std::uint64_t kSlotPages = 16 * s2sim::mmu::PMD_PAGES;  // 16 regions of 2 MiB

s2sim::workloads::WorkloadEnv env() {
  s2sim::workloads::WorkloadEnv e;
  e.vcpus = kVcpus;
  e.slot_base_gfn = kSlotBaseGfn;
  e.slot_npages = kSlotPages;
  e.ipa_bits = 40;
  e.config_file = "fuzz.json";
  return e;
}

s2sim::workloads::LackeyOptions options_for(std::size_t size, std::size_t read_ahead) {
  s2sim::workloads::LackeyOptions o;
  o.include_instructions = (size & 1) != 0;
  o.spread = (size & 2) != 0 ? s2sim::workloads::LackeySpread::RoundRobin : s2sim::workloads::LackeySpread::None;
  o.think_cycles = (size & 4) != 0 ? 7 : 0;
  o.read_ahead_ops = read_ahead;
  return o;
}

struct Reading {
  bool rejected = false;
  Drained drained;
};

Reading read(const std::string& path, const s2sim::workloads::LackeyOptions& options) {
  Reading r;
  try {
    auto src = s2sim::workloads::open_lackey_trace(path, env(), options);
    r.drained = s2sim::fuzz::drain(*src, kVcpus, kMaxOps);
    if (r.drained.total == 0) finding("an accepted trace yielded no operation");
    (void)src->skipped_lines();
  } catch (const InputError& e) {
    if (e.what()[0] == '\0') finding("InputError without a message");
    r.rejected = true;
  } catch (const std::exception& e) {
    s2sim::fuzz::unexpected_exception("reading a lackey trace", e);
  }
  return r;
}

void check_ops(const Drained& d, const s2sim::workloads::LackeyOptions& o) {
  const std::uint64_t lo = kSlotBaseGfn << 12, hi = (kSlotBaseGfn + kSlotPages) << 12;
  for (unsigned v = 0; v < d.ops.size(); ++v) {
    if (v != 0 && o.spread == s2sim::workloads::LackeySpread::None && !d.ops[v].empty())
      finding("an operation went to vCPU " + std::to_string(v) + " without spread = round_robin");
    for (const GuestOp& op : d.ops[v]) {
      if (op.ipa < lo || op.ipa >= hi) finding("an operation's IPA lies outside the memslot");
      if (op.think_cycles != o.think_cycles) finding("an operation lacks the configured think time");
      if (op.not_before_cycles != 0) finding("a lackey operation has a not-before time");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static s2sim::fuzz::InputFile input("s2sim-fuzz-lackey");
  static s2sim::fuzz::InputFile copy("s2sim-fuzz-lackey-copy");
  const std::string& path = input.write(data, size);

  const auto opt_a = options_for(size, s2sim::workloads::kDefaultReadAheadOps);
  const auto opt_b = options_for(size, 2);
  const Reading a = read(path, opt_a);
  const Reading b = read(path, opt_b);
  if (!a.rejected) check_ops(a.drained, opt_a);
  if (!b.rejected) check_ops(b.drained, opt_b);

  const bool a_complete = !a.rejected && a.drained.end == DrainEnd::Complete;
  const bool b_complete = !b.rejected && b.drained.end == DrainEnd::Complete;
  if ((a_complete && b.rejected) || (b_complete && a.rejected))
    finding("the read-ahead bound changed whether the trace is rejected");
  if (a_complete && b_complete && a.drained.ops != b.drained.ops)
    finding("the read-ahead bound changed a vCPU's stream (TraceDemux detach is not exact)");
  if (!a_complete) return 0;

  // Round trip: the lackey operations written as a native trace and read back.
  try {
    auto src = s2sim::workloads::open_lackey_trace(path, env(), opt_a);
    std::ostringstream out;
    s2sim::workloads::write_native_trace(*src, kVcpus, out);
    const std::string text = out.str();
    const std::string& copy_path = copy.write(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    auto back = s2sim::workloads::open_native_trace(copy_path, env());
    const Drained d = s2sim::fuzz::drain(*back, kVcpus, kMaxOps);
    if (d.ops != a.drained.ops) finding("the lackey operations do not survive a native-trace round trip");
  } catch (const InputError& e) {
    finding(std::string("InputError while re-reading an accepted trace: ") + e.message());
  } catch (const std::exception& e) {
    s2sim::fuzz::unexpected_exception("the lackey round trip", e);
  }
  return 0;
}
