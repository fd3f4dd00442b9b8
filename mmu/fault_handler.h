// The stage-2 abort path into the host: kvm_handle_guest_abort() -> user_mem_abort()
// with dirty logging (arch/arm/kvm/mmu.c as Linux 4.0 merged it; without logging the
// same as 3.10-3.17). The caller holds mmu_lock; timing is the caller's, from the
// access sink. The entry update is stage2_set_pte() in the order KvmOptions names.
#pragma once

#include <cstdint>

#include "mmu/access_sink.h"
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
  std::uint64_t pages_marked_dirty = 0;
};

// Handles a stage-2 abort on `ipa` for `access`. Decides from the tables as they are
// now (under mmu_lock), not from what the faulting walk saw.
FaultResult kvm_handle_guest_abort(Kvm& kvm, ipa_t ipa, Access access, AccessSink* sink = nullptr);

}  // namespace s2sim::mmu
