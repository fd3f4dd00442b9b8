// Valgrind lackey memory traces (valgrind --tool=lackey --trace-mem=yes), replayed
// as guest operations.
//
// Records, exactly as lackey prints them (hex address without "0x", decimal size):
//   "I  addr,size"  instruction fetch: skipped, or a read with include_instructions
//   " L addr,size"  load: a read
//   " S addr,size"  store: a write
//   " M addr,size"  modify (load + store of the same bytes): ONE write. The load and
//                   the store touch the same page, and a write access alone already
//                   makes stage 2 do everything the pair would (translate, check
//                   write permission, mark the page dirty), as a single
//                   read-modify-write instruction's one translation does.
// Sizes are 1..65536 bytes; trailing blanks and "\r" are tolerated. Every other
// line — lackey's "==PID==" lines, blank lines, malformed records — is skipped and
// counted (skipped_lines). Skipped I records are not counted: they are records.
//
// An access that straddles a 4 KiB boundary becomes one operation per page it
// touches, the first at its own address, the others at their page's start.
//
// Placement in the guest: a process's addresses are scattered over a 64-bit space,
// so each distinct 2 MiB region of trace addresses (addr >> 21), in order of first
// appearance among the emitted operations, is given the next 2 MiB of the memslot:
// region k maps to IPA slot_base_gfn * 4096 + k * 2 MiB + (addr & (2 MiB - 1)).
// Offsets within 2 MiB are kept, so a trace's pmd structure (which pages share a
// pte table) survives. Only whole 2 MiB regions of the slot are used. A trace that
// needs more regions than the slot holds is an InputError at the line of the first
// access that does not fit, saying how large the slot would have to be.
//
// Operations go to vCPU 0, or with spread = round_robin operation i (counting emitted
// operations, after splitting) goes to vCPU i % vcpus.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "workloads/guest_op.h"
#include "workloads/trace_demux.h"

namespace s2sim::workloads {

enum class LackeySpread : std::uint8_t { None, RoundRobin };

struct LackeyOptions {
  bool include_instructions = false;
  LackeySpread spread = LackeySpread::None;
  std::uint64_t think_cycles = 0;  // applied to every operation
  std::size_t read_ahead_ops = kDefaultReadAheadOps;
};

// Opens a lackey trace (the path as given). Reads up to its first operation at once,
// so that an unreadable file or one without any operation fails before the run.
std::unique_ptr<TraceDemux> open_lackey_trace(const std::string& path, const WorkloadEnv& env, const LackeyOptions& options = {});

}  // namespace s2sim::workloads
