#include "sim/engine/dirty_log_api.h"

#include <string>

#include "mmu/dirty_ring.h"
#include "mmu/vm_caps.h"
#include "util/input_error.h"

namespace s2sim::sim {

mmu::KernelApis dirty_log_apis_wanted(const SimConfig& cfg) {
  mmu::KernelApis apis;
  const std::string& api = cfg.dirty_log.api;
  apis.clear_dirty_log = api == "clear";
  apis.initially_set = api == "clear" && cfg.dirty_log.initially_set;
  apis.dirty_ring = api == "ring";
  apis.eager_split = cfg.dirty_log.eager_split_chunk != 0;
  return apis;
}

void enable_dirty_log_caps(mmu::Kvm& kvm, const SimConfig& cfg) {
  auto refused = [&](const char* key, const char* cap, int err) {
    if (err != 0)
      throw InputError(cfg.file + ": /dirty_log/" + key,
                       std::string("the kernel refused ") + cap + " (errno " + std::to_string(-err) + ")");
  };
  const std::string& api = cfg.dirty_log.api;
  if (api == "clear") {
    const std::uint64_t flags = mmu::KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
                                (cfg.dirty_log.initially_set ? mmu::KVM_DIRTY_LOG_INITIALLY_SET : 0);
    refused("api", "KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2", mmu::kvm_enable_manual_dirty_log_protect(kvm, flags));
  } else if (api == "ring") {
    refused("ring_entries", "KVM_CAP_DIRTY_LOG_RING_ACQ_REL",
            mmu::kvm_enable_dirty_log_ring(kvm, std::uint64_t{cfg.dirty_log.ring_entries} * mmu::kDirtyGfnBytes));
    refused("api", "KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP", mmu::kvm_enable_dirty_log_ring_with_bitmap(kvm));
  }
  if (cfg.dirty_log.eager_split_chunk != 0)
    refused("eager_split_chunk", "KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE",
            mmu::kvm_enable_eager_split_chunk_size(kvm, cfg.dirty_log.eager_split_chunk));
}

}  // namespace s2sim::sim
