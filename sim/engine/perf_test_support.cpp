#include "sim/engine/perf_test_support.h"

namespace s2sim::sim {

const char* perf_test_default_machine() { return "cortex-a57"; }

// Linux 4.0's ARMv7 fault path with mmu_lock a spinlock for everything: relaxing a
// write-protected page in place with a per-IPA broadcast flush under the lock, and a
// logging write to a block dissolving it.
const char* perf_test_default_kernel() { return "linux-4.0-armv7"; }

std::string perf_test_unavailable(const PerfTestRequest& r) {
  if (!r.kernel.empty() && r.kernel != perf_test_default_kernel())
    return "--kernel " + r.kernel + " is not available in this build: it models one kernel, \"" +
           perf_test_default_kernel() + "\" (kernel profiles are not merged yet)";
  if (r.dirty_ring_entries != 0)
    return "--dirty-ring is not available in this build (the dirty ring is not merged yet)";
  if (r.eager_split_chunk != 0)
    return "--eager-split-chunk is not available in this build (eager page splitting is not merged yet); "
           "0 (off) is the only value";
  if (r.manual_protect)
    return "manual protect (KVM_CLEAR_DIRTY_LOG) is not available in this build (KVM_CLEAR_DIRTY_LOG is not "
           "merged yet): pass -g to use plain KVM_GET_DIRTY_LOG";
  return {};
}

}  // namespace s2sim::sim
