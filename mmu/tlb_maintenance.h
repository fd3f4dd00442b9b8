// The TLB maintenance KVM requests from the hardware. The mmu layer only asks; the
// cycle engine decides what each request does to every vCPU's TLB and what it costs.
//
// Three requests, as the kernel issues them:
//   flush_remote_tlbs()     the whole VMID on every PE: kvm_flush_remote_tlbs() ->
//                           __kvm_tlb_flush_vmid (ARMv7: TLBIALLIS; arm64: TLBI
//                           VMALLS12E1IS, DSB ISH). Also what the arm64 table walker
//                           asks for when break-before-make evicts a table entry.
//   flush_vmid_ipa(ipa)     one IPA on every PE: kvm_tlb_flush_vmid_ipa() ->
//                           __kvm_tlb_flush_vmid_ipa. ARMv7 has no stage-2 invalidate
//                           by IPA and issues TLBIALLIS for the whole VMID. arm64
//                           issues TLBI IPAS2E1IS, DSB ISH, then TLBI VMALLE1IS, DSB ISH:
//                           the second drops every stage-1 entry of the VMID, and with
//                           them every combined stage-1+2 entry (read in the 4.5 and
//                           5.x arch/arm64/kvm/hyp/tlb.c).
//   flush_vmid_ipa_local(ipa)  one IPA on the requesting PE only:
//                           __kvm_tlb_flush_vmid_ipa_nsh (Linux 6.5, a12ab1378a88 "Use
//                           local TLBI on permission relaxation"): TLBI IPAS2E1, DSB NSH,
//                           TLBI VMALLE1, DSB NSH -- the same two invalidations, not
//                           broadcast. Its default is the broadcast form, so a
//                           maintainer that knows no local flush stays safe.
#pragma once

#include <cstdint>

#include "mmu/types.h"

namespace s2sim::mmu {

// The kinds of request above, for counters and traces.
enum class Tlbi : std::uint8_t { VmidAll, IpaBroadcast, IpaLocal };
inline const char* to_string(Tlbi t) {
  switch (t) {
    case Tlbi::VmidAll: return "vmid_all";
    case Tlbi::IpaBroadcast: return "ipa_broadcast";
    case Tlbi::IpaLocal: return "ipa_local";
  }
  return "?";
}

class TlbMaintenance {
 public:
  virtual ~TlbMaintenance() = default;
  // kvm_flush_remote_tlbs(): every TLB entry of the VM, on every vCPU.
  virtual void flush_remote_tlbs() = 0;
  // kvm_tlb_flush_vmid_ipa(kvm, ipa): the entries for one IPA (and on arm64 all of
  // stage 1), on every vCPU, after an entry that was present is cleared or replaced
  // (stage2_set_pte, the unmap walkers, dissolving or splitting a block).
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
  void flush_vmid_ipa_local(ipa_t) override { ++flush_ipa_local; }
  std::uint64_t count(Tlbi t) const {
    return t == Tlbi::VmidAll ? flush_all : t == Tlbi::IpaBroadcast ? flush_ipa : flush_ipa_local;
  }
  std::uint64_t flush_all = 0, flush_ipa = 0, flush_ipa_local = 0;
};

}  // namespace s2sim::mmu
