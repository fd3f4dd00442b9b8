// What `s2sim perf-test` can run in this build: the one place that says which of
// dirty_log_perf_test's modes and our extensions have no model yet. The CLI refuses
// an unsupported request with this message (exit 2) and the driver refuses it again,
// so nothing is ever silently ignored. As the missing pieces land, each check below
// is replaced by the piece itself:
//   --kernel PROFILE     the kernel profile registry (mmu/kernel_profile.h)
//   manual protect       KVM_CLEAR_DIRTY_LOG (mmu/clear_dirty_log.h), used in
//                        PerfTestDriver's Clear phase
//   --dirty-ring N       the per-vCPU dirty ring (mmu/dirty_ring.h)
//   --eager-split-chunk  eager page splitting (mmu/eager_split.h), at enable / CLEAR
#pragma once

#include <cstdint>
#include <string>

namespace s2sim::sim {

struct PerfTestRequest {
  std::string kernel;               // empty: the build's default
  bool manual_protect = true;       // false with -g (plain KVM_GET_DIRTY_LOG)
  std::uint64_t dirty_ring_entries = 0;  // 0: the bitmap
  std::uint64_t eager_split_chunk = 0;   // bytes; 0: off
};

// The machine perf-test uses when --machine is not given.
const char* perf_test_default_machine();
// The kernel behaviour this build models (the fault path of mmu/fault_handler.h):
// the only --kernel value accepted.
const char* perf_test_default_kernel();

// Empty when this build can run `r`; else one sentence saying what is missing.
std::string perf_test_unavailable(const PerfTestRequest& r);

}  // namespace s2sim::sim
