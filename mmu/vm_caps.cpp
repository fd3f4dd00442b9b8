#include "mmu/vm_caps.h"

#include "mmu/eager_split.h"
#include "mmu/kvm_errno.h"

namespace s2sim::mmu {

int kvm_enable_manual_dirty_log_protect(Kvm& kvm, std::uint64_t flags) {
  if (!kvm.options.apis.clear_dirty_log) return -kEINVAL;
  // KVM_DIRTY_LOG_MANUAL_CAPS: INITIALLY_SET where the arch supports it.
  const std::uint64_t allowed =
      KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | (kvm.options.apis.initially_set ? KVM_DIRTY_LOG_INITIALLY_SET : 0);
  if (flags & ~allowed) return -kEINVAL;
  kvm.caps.manual_protect = (flags & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE) != 0;
  kvm.caps.initially_set = (flags & KVM_DIRTY_LOG_INITIALLY_SET) != 0;
  return 0;
}

int kvm_enable_dirty_log_ring(Kvm& kvm, std::uint64_t bytes) {
  if (!kvm.options.apis.dirty_ring) return -kEINVAL;
  if (bytes == 0 || (bytes & (bytes - 1)) != 0) return -kEINVAL;
  if (bytes < std::uint64_t{KVM_DIRTY_RING_RSVD_ENTRIES} * kDirtyGfnBytes || bytes < PAGE_SIZE) return -kEINVAL;
  if (bytes > std::uint64_t{KVM_DIRTY_RING_MAX_ENTRIES} * kDirtyGfnBytes) return -kE2BIG;
  if (kvm.caps.dirty_ring_entries != 0 || kvm.created_vcpus != 0) return -kEINVAL;
  kvm.caps.dirty_ring_entries = static_cast<std::uint32_t>(bytes / kDirtyGfnBytes);
  return 0;
}

int kvm_enable_dirty_log_ring_with_bitmap(Kvm& kvm) {
  if (!kvm.options.apis.dirty_ring || kvm.caps.dirty_ring_entries == 0) return -kEINVAL;
  if (kvm.memslots.size() != 0) return -kEINVAL;  // kvm_are_all_memslots_empty()
  kvm.caps.ring_with_bitmap = true;
  return 0;
}

int kvm_enable_eager_split_chunk_size(Kvm& kvm, std::uint64_t bytes) {
  if (!kvm.options.apis.eager_split) return -kEINVAL;
  if (kvm.memslots.size() != 0) return -kEINVAL;
  if (bytes != 0 && !kvm_is_block_size_supported(bytes)) return -kEINVAL;
  kvm.caps.eager_split_chunk = bytes;
  return 0;
}

}  // namespace s2sim::mmu
