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
  for (TlbHierarchy* t : tlbs_) dropped += by_ipa_ ? t->invalidate_ipa(vmid_, ipa) : t->invalidate_vmid(vmid_);
  if (charged_ && trace_)
    trace_->instant(charged_->id, by_ipa_ ? "TLBI IPAS2E1IS" : "TLBIALLIS", charged_->time,
                    {{"request", "kvm_tlb_flush_vmid_ipa"}, {"ipa", ipa}, {"entries_invalidated", dropped}});
  // By IPA: TLBI IPAS2E1IS then TLBI VMALLE1IS (the combined stage-1+2 entries), each
  // with its DSB ISH; ARMv7: one TLBIALLIS.
  charge_broadcasts(by_ipa_ ? 2 : 1, by_ipa_ ? machine_.costs.tlbi_ipa_is : machine_.costs.tlbi_all_is);
}

void TlbShootdown::flush_vmid_ipa_local(mmu::ipa_t ipa) {
  // Only a machine with DVM parameters knows what a local TLBI costs; elsewhere the
  // request is the broadcast one, as the interface's default.
  if (!dvm_) return flush_vmid_ipa(ipa);
  ++stats_.flush_ipa_local;
  ++stats_.tlbi_local;
  // The requesting vCPU's TLB; without one (no vCPU charged), every vCPU's, which is
  // never less than the PE's own.
  const bool own = charged_ && charged_->kind == Agent::Kind::Vcpu && charged_->index < tlbs_.size();
  std::uint64_t dropped = 0;
  auto drop = [&](TlbHierarchy* t) {
    dropped += by_ipa_ ? t->invalidate_ipa(vmid_, ipa) : t->invalidate_vmid(vmid_);
  };
  if (own) {
    drop(tlbs_[charged_->index]);
  } else {
    for (TlbHierarchy* t : tlbs_) drop(t);
  }
  if (!charged_) return;
  if (trace_)
    trace_->instant(charged_->id, "TLBI IPAS2E1", charged_->time,
                    {{"request", "kvm_tlb_flush_vmid_ipa_nsh"}, {"ipa", ipa}, {"entries_invalidated", dropped}});
  charged_->time += machine_.costs.trap_to_hyp + dvm_->config().tlbi_local_cycles;
}

}  // namespace s2sim::sim
