// KVM_ENABLE_CAP on the VM for the dirty-log capabilities (kvm_vm_ioctl_enable_cap_generic,
// virt/kvm/kvm_main.c, and arm64's kvm_vm_ioctl_enable_cap, arch/arm64/kvm/arm.c, 6.6).
// Each checks that the kernel profile has the API (else -EINVAL, as an unknown cap is)
// and the kernel's own conditions; on success it records the choice in kvm.caps.
#pragma once

#include <cstdint>

#include "mmu/kvm.h"

namespace s2sim::mmu {

inline constexpr std::uint64_t KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE = 1u << 0;
inline constexpr std::uint64_t KVM_DIRTY_LOG_INITIALLY_SET = 1u << 1;

// KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 with args[0] = `flags`: -EINVAL for a flag the
// kernel does not offer (INITIALLY_SET needs apis.initially_set).
int kvm_enable_manual_dirty_log_protect(Kvm& kvm, std::uint64_t flags);

// KVM_CAP_DIRTY_LOG_RING_ACQ_REL with args[0] = ring size in bytes
// (kvm_vm_ioctl_enable_dirty_log_ring): a power of two, at least a page and the
// reserved entries, at most KVM_DIRTY_RING_MAX_ENTRIES entries (-E2BIG), set once and
// before the first vCPU (-EINVAL otherwise).
int kvm_enable_dirty_log_ring(Kvm& kvm, std::uint64_t bytes);

// KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP: after the ring size, before any memslot.
int kvm_enable_dirty_log_ring_with_bitmap(Kvm& kvm);

// KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE with args[0] = `bytes`: 0 (off) or a supported
// block size, only while no memslot exists.
int kvm_enable_eager_split_chunk_size(Kvm& kvm, std::uint64_t bytes);

}  // namespace s2sim::mmu
