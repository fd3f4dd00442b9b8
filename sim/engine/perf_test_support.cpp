#include "sim/engine/perf_test_support.h"

#include "mmu/eager_split.h"
#include "mmu/kernel_profile.h"
#include "mmu/vm_caps.h"

namespace s2sim::sim {

const char* perf_test_default_machine() { return "neoverse-n1"; }

const char* perf_test_default_kernel() { return "linux-6.6-arm64"; }

std::string perf_test_unavailable(const PerfTestRequest& r) {
  mmu::KernelProfile p;
  if (!mmu::find_kernel_profile(r.kernel, &p)) {
    std::string known;
    for (const std::string& n : mmu::kernel_profile_names()) known += (known.empty() ? "" : ", ") + n;
    return "unknown kernel profile \"" + r.kernel + "\" (expected " + known + ")";
  }
  if (r.manual_protect && !p.apis.clear_dirty_log)
    return "kernel " + r.kernel + " has no KVM_CLEAR_DIRTY_LOG (KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, Linux 5.0+): pass "
           "-g to use plain KVM_GET_DIRTY_LOG";
  if (r.dirty_ring_entries != 0) {
    if (!p.apis.dirty_ring)
      return "kernel " + r.kernel + " has no dirty ring on this architecture (arm64 6.1+ with "
             "KVM_CAP_DIRTY_LOG_RING_ACQ_REL)";
    return "--dirty-ring: perf-test does not harvest dirty rings yet (the ring exists in the mmu layer, "
           "mmu/dirty_ring.h; the vCPUs' soft-full exits and the harvesting thread are not modelled)";
  }
  if (r.eager_split_chunk != 0) {
    if (!p.apis.eager_split)
      return "kernel " + r.kernel + " has no eager page splitting (KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE, arm64 6.5+)";
    if (!mmu::kvm_is_block_size_supported(r.eager_split_chunk))
      return "--eager-split-chunk " + std::to_string(r.eager_split_chunk) +
             " is not a supported block size (4 KiB, 2 MiB or 1 GiB; 0 turns splitting off)";
  }
  return {};
}

std::string perf_test_enable_caps(mmu::Kvm& kvm, const PerfTestRequest& r) {
  if (r.manual_protect) {
    const std::uint64_t flags = mmu::KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
                                (kvm.options.apis.initially_set ? mmu::KVM_DIRTY_LOG_INITIALLY_SET : 0);
    if (mmu::kvm_enable_manual_dirty_log_protect(kvm, flags) != 0)
      return "the kernel refused KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2";
  }
  if (r.eager_split_chunk != 0 && mmu::kvm_enable_eager_split_chunk_size(kvm, r.eager_split_chunk) != 0)
    return "the kernel refused KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE " + std::to_string(r.eager_split_chunk);
  return {};
}

}  // namespace s2sim::sim
