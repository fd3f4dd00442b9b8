// libFuzzer target: the native trace reader (workloads/native_trace.h) behind
// TraceDemux. The input is the trace file's bytes.
//
// Besides "InputError or success, nothing else", it checks the properties the
// headers promise:
//  - every operation is in range: IPA inside the 40-bit IPA space, think time at
//    most 10^12 cycles, not-before time at most 2^62;
//  - TraceDemux is exact: with a read-ahead bound of 2 (so that uneven draining
//    detaches vCPUs onto cursors of their own) every vCPU gets the same stream as
//    with the default bound, and the trace is rejected or accepted alike;
//  - write_native_trace round-trips: writing an accepted trace and reading it back
//    gives every vCPU the same operations, and writing that again gives the same text.
// At most 10,000 operations are drained per reading.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_support.h"
#include "util/input_error.h"
#include "workloads/native_trace.h"

namespace {

using s2sim::InputError;
using s2sim::fuzz::Drained;
using s2sim::fuzz::DrainEnd;
using s2sim::fuzz::finding;
using s2sim::workloads::GuestOp;

constexpr std::size_t kMaxOps = 10'000;
constexpr unsigned kVcpus = 4;
constexpr unsigned kIpaBits = 40;

s2sim::workloads::WorkloadEnv env() {
  s2sim::workloads::WorkloadEnv e;
  e.vcpus = kVcpus;
  e.ipa_bits = kIpaBits;
  e.config_file = "fuzz.json";
  return e;
}

struct Reading {
  bool rejected = false;  // InputError, at open or while draining
  Drained drained;
};

Reading read(const std::string& path, std::size_t read_ahead) {
  Reading r;
  try {
    auto src = s2sim::workloads::open_native_trace(path, env(), read_ahead);
    r.drained = s2sim::fuzz::drain(*src, kVcpus, kMaxOps);
    if (r.drained.total == 0) finding("an accepted trace yielded no operation");
  } catch (const InputError& e) {
    if (e.what()[0] == '\0') finding("InputError without a message");
    r.rejected = true;
  } catch (const std::exception& e) {
    s2sim::fuzz::unexpected_exception("reading a native trace", e);
  }
  return r;
}

void check_ranges(const Drained& d) {
  for (const auto& stream : d.ops) {
    for (const GuestOp& op : stream) {
      if ((op.ipa >> kIpaBits) != 0) finding("IPA outside the IPA space was accepted");
      if (op.think_cycles > s2sim::workloads::kMaxThinkCycles) finding("think cycles above the limit were accepted");
      if (op.not_before_cycles > (std::uint64_t{1} << 62)) finding("a not-before time above 2^62 was accepted");
    }
  }
}

std::string write_trace(const std::string& path) {
  auto src = s2sim::workloads::open_native_trace(path, env());
  std::ostringstream out;
  s2sim::workloads::write_native_trace(*src, kVcpus, out);
  return out.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static s2sim::fuzz::InputFile input("s2sim-fuzz-native");
  static s2sim::fuzz::InputFile copy("s2sim-fuzz-native-copy");
  const std::string& path = input.write(data, size);

  const Reading a = read(path, s2sim::workloads::kDefaultReadAheadOps);
  const Reading b = read(path, 2);
  if (!a.rejected) check_ranges(a.drained);
  if (!b.rejected) check_ranges(b.drained);

  const bool a_complete = !a.rejected && a.drained.end == DrainEnd::Complete;
  const bool b_complete = !b.rejected && b.drained.end == DrainEnd::Complete;
  if ((a_complete && b.rejected) || (b_complete && a.rejected))
    finding("the read-ahead bound changed whether the trace is rejected");
  if (a_complete && b_complete && a.drained.ops != b.drained.ops)
    finding("the read-ahead bound changed a vCPU's stream (TraceDemux detach is not exact)");
  if (!a_complete) return 0;

  // Round trip through the writer.
  try {
    const std::string text = write_trace(path);
    const std::string& copy_path = copy.write(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
    const Reading back = read(copy_path, s2sim::workloads::kDefaultReadAheadOps);
    if (back.rejected) finding("the written trace does not read back");
    if (back.drained.ops != a.drained.ops) finding("the written trace reads back different operations");
    if (write_trace(copy_path) != text) finding("writing the read-back trace does not reproduce the text");
  } catch (const InputError& e) {
    finding(std::string("InputError while re-reading an accepted trace: ") + e.message());
  } catch (const std::exception& e) {
    s2sim::fuzz::unexpected_exception("the native trace round trip", e);
  }
  return 0;
}
