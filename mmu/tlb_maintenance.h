// The TLB maintenance KVM requests from the hardware. The mmu layer only asks; the
// cycle engine decides what each request does to every vCPU's TLB and what it costs
// (on ARMv7 there is no stage-2 invalidate-by-IPA, so __kvm_tlb_flush_vmid_ipa
// becomes a TLBIALLIS of the whole VMID).
#pragma once

#include <cstdint>

#include "mmu/types.h"

namespace s2sim::mmu {

class TlbMaintenance {
 public:
  virtual ~TlbMaintenance() = default;
  // kvm_flush_remote_tlbs(): every TLB entry of the VM, on every vCPU.
  virtual void flush_remote_tlbs() = 0;
  // kvm_tlb_flush_vmid_ipa(kvm, ipa): the entries for one IPA, after an entry that was
  // present is cleared or replaced (stage2_set_pte, the unmap walkers, dissolving a block).
  virtual void flush_vmid_ipa(ipa_t ipa) = 0;
  // __kvm_tlb_flush_vmid_ipa_nsh (arm64, 6.5+): the entries for one IPA on this PE only
  // (TLBI IPAS2E1 + VMALLE1, DSB NSH), after a permission relaxation. Without a local
  // variant, the broadcast one.
  virtual void flush_vmid_ipa_local(ipa_t ipa) { flush_vmid_ipa(ipa); }
};

// Counts requests and does nothing else (untimed use: tests, labs, walker comparisons).
class CountingTlbMaintenance final : public TlbMaintenance {
 public:
  void flush_remote_tlbs() override { ++flush_all; }
  void flush_vmid_ipa(ipa_t) override { ++flush_ipa; }
  std::uint64_t flush_all = 0, flush_ipa = 0;
};

}  // namespace s2sim::mmu
