#include "sim/engine/perf_test_support.h"

#include "mmu/dirty_ring.h"
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
  if (r.manual_protect && r.dirty_ring_entries == 0 && !p.apis.clear_dirty_log)
    return "kernel " + r.kernel + " has no KVM_CLEAR_DIRTY_LOG (KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, Linux 5.0+): pass "
           "-g to use plain KVM_GET_DIRTY_LOG";
  if (r.dirty_ring_entries != 0) {
    if (!p.apis.dirty_ring)
      return "kernel " + r.kernel + " has no dirty ring on this architecture (arm64 6.1+ with "
             "KVM_CAP_DIRTY_LOG_RING_ACQ_REL)";
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
  if (r.dirty_ring_entries != 0) {
    // As QEMU's kvm_dirty_ring_init(): the ring, then RING_WITH_BITMAP, which arm64
    // needs (the vGIC/ITS tables dirty pages outside any vCPU).
    // The size rules are kvm_vm_ioctl_enable_dirty_log_ring()'s (mmu/vm_caps.cpp): a
    // power of two of 16-byte entries, at least a page, at most the maximum.
    if (mmu::kvm_enable_dirty_log_ring(kvm, r.dirty_ring_entries * mmu::kDirtyGfnBytes) != 0)
      return "--dirty-ring " + std::to_string(r.dirty_ring_entries) + " is not a power of two from " +
             std::to_string(mmu::PAGE_SIZE / mmu::kDirtyGfnBytes) + " to " +
             std::to_string(mmu::KVM_DIRTY_RING_MAX_ENTRIES) + " entries (KVM_CAP_DIRTY_LOG_RING_ACQ_REL refused it)";
    if (mmu::kvm_enable_dirty_log_ring_with_bitmap(kvm) != 0)
      return "the kernel refused KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP";
  } else if (r.manual_protect) {
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
