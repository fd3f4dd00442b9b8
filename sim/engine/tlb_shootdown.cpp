#include "sim/engine/tlb_shootdown.h"

namespace s2sim::sim {

void TlbShootdown::charge_broadcasts(unsigned n, std::uint64_t constant_cycles) {
  stats_.tlbi_broadcast += n;
  if (!charged_) return;
  if (!dvm_) {
    charged_->time += machine_.costs.trap_to_hyp + constant_cycles;
    return;
  }
  std::uint64_t t = charged_->time + machine_.costs.trap_to_hyp;
  for (unsigned i = 0; i < n; ++i) t = dvm_->broadcast(t);  // each DSB ISH waits for its own
  charged_->time = t;
}

void TlbShootdown::flush_remote_tlbs() {
  ++stats_.flush_all;
  std::uint64_t dropped = 0;
  for (TlbHierarchy* t : tlbs_) dropped += t->invalidate_vmid(vmid_);
  if (charged_ && trace_)
    trace_->instant(charged_->id, "TLBIALLIS", charged_->time,
                    {{"request", "kvm_flush_remote_tlbs"}, {"entries_invalidated", dropped}});
  charge_broadcasts(1, machine_.costs.tlbi_all_is);
}

void TlbShootdown::flush_vmid_ipa(mmu::ipa_t ipa) {
  ++stats_.flush_ipa;
  std::uint64_t dropped = 0;
  // ARMv7: TLBIALLIS of the VMID. arm64 KVM: TLBI IPAS2E1IS, then TLBI VMALLE1IS for
  // the entries that combine both stages (__kvm_tlb_flush_vmid_ipa, Linux 3.11-4.5
  // arch/arm64/kvm/hyp.S), each with its DSB ISH; only the what-if machine stops at the
  // IPA.
  const bool combined = by_ipa_ && machine_.ipa_flush_drops_combined;
  for (TlbHierarchy* t : tlbs_) dropped += drop_for_ipa(*t, ipa);
  if (charged_ && trace_) {
    const char* what = !by_ipa_ ? "TLBIALLIS" : combined ? "TLBI IPAS2E1IS + VMALLE1IS" : "TLBI IPAS2E1IS";
    trace_->instant(charged_->id, what, charged_->time,
                    {{"request", "kvm_tlb_flush_vmid_ipa"}, {"ipa", ipa}, {"entries_invalidated", dropped}});
  }
  if (!by_ipa_) return charge_broadcasts(1, machine_.costs.tlbi_all_is);
  charge_broadcasts(combined ? 2 : 1, machine_.costs.tlbi_ipa_is + (combined ? machine_.costs.tlbi_all_is : 0));
}

std::uint64_t TlbShootdown::drop_for_ipa(TlbHierarchy& t, mmu::ipa_t ipa) {
  if (!by_ipa_) return t.invalidate_vmid(vmid_);
  if (machine_.ipa_flush_drops_combined) return t.invalidate_ipa_and_stage1(vmid_, ipa);
  return t.invalidate_ipa(vmid_, ipa);
}

void TlbShootdown::flush_vmid_ipa_local(mmu::ipa_t ipa) {
  // Only a machine with DVM parameters knows what a local TLBI costs; elsewhere the
  // request is the broadcast one, as the interface's default.
  if (!dvm_) return flush_vmid_ipa(ipa);
  ++stats_.flush_ipa_local;
  ++stats_.tlbi_local;
  // The requesting vCPU's TLB; without one (no vCPU charged), every vCPU's, which is
  // never less than the PE's own. TLBI IPAS2E1 + VMALLE1 (6.5+ __kvm_tlb_flush_vmid_ipa_nsh)
  // drops the combined entries too.
  const bool own = charged_ && charged_->kind == Agent::Kind::Vcpu && charged_->index < tlbs_.size();
  std::uint64_t dropped = 0;
  if (own) {
    dropped += drop_for_ipa(*tlbs_[charged_->index], ipa);
  } else {
    for (TlbHierarchy* t : tlbs_) dropped += drop_for_ipa(*t, ipa);
  }
  if (!charged_) return;
  if (trace_)
    trace_->instant(charged_->id, "TLBI IPAS2E1", charged_->time,
                    {{"request", "kvm_tlb_flush_vmid_ipa_nsh"}, {"ipa", ipa}, {"entries_invalidated", dropped}});
  charged_->time += machine_.costs.trap_to_hyp + dvm_->config().tlbi_local_cycles;
}

}  // namespace s2sim::sim
