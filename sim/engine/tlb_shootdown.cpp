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
  for (TlbHierarchy* t : tlbs_) dropped += machine_.tlbi_by_ipa ? t->invalidate_ipa(vmid_, ipa) : t->invalidate_vmid(vmid_);
  if (charged_) {
    if (trace_)
      trace_->instant(charged_->id, machine_.tlbi_by_ipa ? "TLBI IPAS2E1IS" : "TLBIALLIS", charged_->time,
                      {{"request", "kvm_tlb_flush_vmid_ipa"}, {"ipa", ipa}, {"entries_invalidated", dropped}});
    charged_->time += flush_vmid_ipa_cycles(machine_);
  }
}

}  // namespace s2sim::sim
