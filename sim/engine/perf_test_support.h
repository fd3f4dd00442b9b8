// What `s2sim perf-test` can run: the one place that checks a request against the
// kernel profile it names (mmu/kernel_profile.h) and says, in one sentence, why a
// request cannot run. The engine refuses such a request before it builds anything
// (the CLI turns that into exit 2), so nothing is ever silently ignored.
#pragma once

#include <cstdint>
#include <string>

#include "mmu/kvm.h"

namespace s2sim::sim {

struct PerfTestRequest {
  std::string kernel;               // a kernel profile's name
  bool manual_protect = true;       // false with -g (plain KVM_GET_DIRTY_LOG); unused with a ring
  std::uint64_t dirty_ring_entries = 0;  // 0: the bitmap; else each vCPU's ring replaces GET and CLEAR
  std::uint64_t eager_split_chunk = 0;   // bytes; 0: off
};

// The machine and kernel perf-test uses when --machine / --kernel are not given: the
// arm64 server of the published runs (Ampere Altra) and arm64 as of Linux 6.6.
const char* perf_test_default_machine();
const char* perf_test_default_kernel();

// Empty when `r` can run; else one sentence saying why not.
std::string perf_test_unavailable(const PerfTestRequest& r);

// Enables on `kvm` (before any memslot or vCPU, as user space must) the capabilities
// dirty_log_perf_test asks for: KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 with INITIALLY_SET
// where the kernel has it (the selftest's dirty_log_manual_caps), or with our
// extension's --dirty-ring the ring (KVM_CAP_DIRTY_LOG_RING_ACQ_REL + RING_WITH_BITMAP)
// instead, and our extension's KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE. Returns "" or what the kernel refused.
std::string perf_test_enable_caps(mmu::Kvm& kvm, const PerfTestRequest& r);

}  // namespace s2sim::sim
