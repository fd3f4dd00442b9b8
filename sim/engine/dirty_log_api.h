// The dirty-log API a run's migration thread uses (dirty_log.api, dirty_log.eager_split_chunk),
// set up on the VM the way QEMU does it with KVM_ENABLE_CAP before it creates any
// memslot or vCPU (kvm_dirty_ring_init and kvm_init in accel/kvm/kvm-all.c):
//   clear  KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 with MANUAL_PROTECT_ENABLE, plus
//          INITIALLY_SET when dirty_log.initially_set
//   ring   KVM_CAP_DIRTY_LOG_RING_ACQ_REL (entries x 16 bytes), then
//          KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP, which arm64 needs for the vGIC/ITS saves
//   eager_split_chunk != 0: KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE
#pragma once

#include "mmu/kvm.h"
#include "sim/config/config.h"

namespace s2sim::sim {

// The dirty-log APIs the config asks the kernel for.
mmu::KernelApis dirty_log_apis_wanted(const SimConfig& cfg);

// The enable-cap calls; a refusal is an InputError at /dirty_log/api (or
// /dirty_log/eager_split_chunk) naming the errno.
void enable_dirty_log_caps(mmu::Kvm& kvm, const SimConfig& cfg);

}  // namespace s2sim::sim
