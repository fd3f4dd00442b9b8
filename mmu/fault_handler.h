// The stage-2 abort path into the host: kvm_handle_guest_abort() -> user_mem_abort()
// with dirty logging (arch/arm/kvm/mmu.c as Linux 4.0 merged it; without logging the
// same as 3.10-3.17; arm64's user_mem_abort where KvmOptions says so). The caller holds
// mmu_lock; timing is the caller's, from the access sink. The entry update is
// stage2_set_pte() in the order KvmOptions names, or an in-place relaxation.
#pragma once

#include <cstdint>

#include "mmu/access_sink.h"
#include "mmu/hw_walk.h"
#include "mmu/kvm.h"
#include "mmu/stage2_unmap.h"  // kvm_unmap_gfn, kvm_unmap_pmd_range (the host side)

namespace s2sim::mmu {

enum class FaultOutcome : std::uint8_t {
  MappedPage,         // translation fault: a 4 KiB page mapped (read-only on a read while logging)
  MappedBlock,        // translation fault: a 2 MiB block mapped (hugepage slot, not logging)
  MadeWritable,       // write to a read-only page: made read/write, page marked dirty
  BlockMadeWritable,  // write to a read-only block kept whole: block made read/write
  BlockDissolved,     // write to a block while logging: block cleared, one 4 KiB page mapped
  AccessFlagSet,      // access flag fault: AF set
  Spurious,           // nothing left to do (another vCPU fixed it first)
  Mmio,               // no memslot: an MMIO / unhandled abort, counted
};
const char* to_string(FaultOutcome o);

struct FaultResult {
  FaultOutcome outcome = FaultOutcome::Spurious;
  std::uint64_t pages_marked_dirty = 0;  // bitmap bits set or ring entries pushed
  // A push brought the vCPU's dirty ring to its soft limit: the vCPU must exit with
  // KVM_EXIT_DIRTY_RING_FULL before it enters the guest again (the engine decides when).
  bool ring_soft_full = false;
};

// Handles a stage-2 abort on `ipa` for `access` taken by vCPU `vcpu` (-1: no vCPU
// context; its dirty pages then go to the bitmap). Decides from the tables as they are
// now (under mmu_lock), not from what the faulting walk saw. A write fault on a
// read-only leaf follows KvmOptions::perm_relax: stage2_set_pte() in set_pte_order
// (ARMv7), or in place with the RelaxTlbi flush (arm64 kvm_pgtable_stage2_relax_perms).
FaultResult kvm_handle_guest_abort(Kvm& kvm, ipa_t ipa, Access access, AccessSink* sink = nullptr, int vcpu = -1);

// user_mem_abort()'s choice of mmu_lock mode for a stage-2 abort on `ipa` of kind
// `fault` (the ESR's fault status and level; here read off the tables, as the
// hardware's walk saw them): true for read_lock, false for spin_lock / write_lock.
//   FaultLocking::Exclusive     never (ARMv7; arm64 before 5.18)
//   FaultLocking::ReadForRelax  5.18 (f783ef1c0e82): a write permission fault on a
//                               4 KiB leaf of a logging slot, which
//                               kvm_pgtable_stage2_relax_perms() resolves in place
//   FaultLocking::ReadAll       6.2 (parallel stage-2 faults): every fault
bool fault_takes_read_lock(const Kvm& kvm, ipa_t ipa, Access access, FaultKind fault);

}  // namespace s2sim::mmu
