#include "sim/engine/tlb_shootdown.h"

namespace s2sim::sim {

void TlbShootdown::flush_remote_tlbs() {
  ++stats_.flush_all;
  std::uint64_t dropped = 0;
  for (TlbHierarchy* t : tlbs_) dropped += t->invalidate_vmid(vmid_);
  if (charged_) {
    if (trace_)
      trace_->instant(charged_->id, "TLBIALLIS", charged_->time,
                      {{"request", "kvm_flush_remote_tlbs"}, {"entries_invalidated", dropped}});
    charged_->time += flush_remote_tlbs_cycles(machine_);
  }
}

void TlbShootdown::flush_vmid_ipa(mmu::ipa_t ipa) {
  ++stats_.flush_ipa;
  std::uint64_t dropped = 0;
  // ARMv7: TLBIALLIS of the VMID. arm64 KVM: TLBI IPAS2E1IS, then TLBI VMALLE1IS for
  // the entries that combine both stages (__kvm_tlb_flush_vmid_ipa, Linux 3.11-4.5
  // arch/arm64/kvm/hyp.S); only the what-if machine stops at the IPA.
  const bool combined = machine_.tlbi_by_ipa && machine_.ipa_flush_drops_combined;
  for (TlbHierarchy* t : tlbs_) {
    if (!machine_.tlbi_by_ipa) dropped += t->invalidate_vmid(vmid_);
    else if (combined) dropped += t->invalidate_ipa_and_stage1(vmid_, ipa);
    else dropped += t->invalidate_ipa(vmid_, ipa);
  }
  if (charged_) {
    const char* what = !machine_.tlbi_by_ipa ? "TLBIALLIS" : combined ? "TLBI IPAS2E1IS + VMALLE1IS" : "TLBI IPAS2E1IS";
    if (trace_)
      trace_->instant(charged_->id, what, charged_->time,
                      {{"request", "kvm_tlb_flush_vmid_ipa"}, {"ipa", ipa}, {"entries_invalidated", dropped}});
    charged_->time += flush_vmid_ipa_cycles(machine_);
  }
}

}  // namespace s2sim::sim
