// The native trace format: one guest operation per line,
//
//   <vcpu> <R|W> <IPA> [<think>] [@<not_before>]
//
// vcpu: decimal vCPU index (< the config's vCPU count); R = read, W = write; IPA:
// hexadecimal with or without "0x", inside [0, 2^ipa_bits); think: guest compute
// before the operation in decimal cycles (default 0); @not_before: absolute
// simulated cycle before which the operation may not start (default 0 = none), an
// extension so that periodic workloads survive a round trip. Fields are separated by
// spaces or tabs; "#" starts a comment running to the end of the line; blank lines
// are ignored; "\r\n" line ends are accepted. Anything else is an error naming
// "file:line". A file without a single operation is an error too.
//
// Streaming: the file is read through TraceDemux (see trace_demux.h for the memory
// bound), never held whole in memory.
#pragma once

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>

#include "workloads/guest_op.h"
#include "workloads/trace_demux.h"

namespace s2sim::workloads {

// Opens a native trace (the path as given: resolving it is the caller's business).
// Checks the file and reads up to its first operation at once, so that an
// unreadable, empty or malformed-at-the-start trace fails before the run begins.
std::unique_ptr<TraceDemux> open_native_trace(const std::string& path, const WorkloadEnv& env,
                                              std::size_t read_ahead_ops = kDefaultReadAheadOps);

// Drains `src` for vCPUs [0, vcpus), taking one operation from each live vCPU in
// turn, and writes it as a native trace. Reading the result back gives every vCPU
// exactly the operations `src` gave it, think and not-before times included; and
// writing what was read back reproduces the file byte for byte. A zero think or
// not-before time is not written; a non-zero not-before time forces the think field.
// GUEST_SYNC operations (GuestOp::sync) have no line: the format has no ucall.
void write_native_trace(OpSource& src, unsigned vcpus, std::ostream& out);

// The first line write_native_trace() emits: a comment describing the format.
inline constexpr const char* kNativeTraceHeader = "# s2sim native trace: <vcpu> <R|W> <hex IPA> [think_cycles] [@not_before_cycles]";

}  // namespace s2sim::workloads
