// TLB shootdown: what KVM's TLB maintenance requests do to every vCPU's TLBs, and
// what they cost the core that issues them.
//
// kvm_flush_remote_tlbs() empties every TLB entry of the VM on every vCPU (ARMv7
// KVM/ARM: __kvm_tlb_flush_vmid, a TLBIALLIS broadcast). kvm_tlb_flush_vmid_ipa()
// drops the entries for one IPA where the architecture can (ARMv8 TLBI IPAS2E1IS);
// ARMv7 cannot, and __kvm_tlb_flush_vmid_ipa does TLBIALLIS for the whole VMID, so
// every per-IPA request empties every vCPU's TLB. The broadcast reaches the other
// cores without interrupting them: only the requesting core pays. The host kernel
// asks Hyp mode to do it (kvm_call_hyp(__kvm_tlb_flush_vmid[_ipa]), an HVC and its
// return: trap_to_hyp), which invalidates and waits in a DSB for every core to have
// done it (tlbi_all_is, or tlbi_ipa_is by IPA).
//
// On a machine with a "dvm" object (dvm.h) a broadcast is not a constant: each TLBI
// ... IS + DSB ISH queues at the interconnect's DVM resource, shared by every core,
// and the requester's clock moves to the end of its own broadcast. arm64 KVM before
// 6.5 flushes one IPA with two broadcasts (__kvm_tlb_flush_vmid_ipa: TLBI IPAS2E1IS,
// DSB ISH, TLBI VMALLE1IS, DSB ISH); kvm_flush_remote_tlbs is one (TLBI VMALLS12E1IS).
// A local flush (flush_vmid_ipa_local: 6.5+ __kvm_tlb_flush_vmid_ipa_nsh) reaches the
// requesting vCPU's TLB only and costs tlbi_local_cycles, never queueing.
//
// The mmu layer makes these requests from inside the fault handler and
// get_dirty_log, with no notion of which agent runs them: the agent whose step makes
// them is named by a Charge for the duration of that step.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "mmu/kernel_profile.h"
#include "mmu/tlb_maintenance.h"
#include "sim/engine/agent.h"
#include "sim/engine/timeline.h"
#include "sim/timing/dvm.h"
#include "sim/timing/machine.h"
#include "sim/timing/tlb.h"

namespace s2sim::sim {

// What one kvm_flush_remote_tlbs() costs the requesting core: the trip into Hyp
// mode and back, and the invalidation (on a machine without DVM parameters; with
// them, an uncontended one costs trap_to_hyp + DvmConfig::broadcast_cycles()).
inline std::uint64_t flush_remote_tlbs_cycles(const MachineConfig& m) { return m.costs.trap_to_hyp + m.costs.tlbi_all_is; }
// What one kvm_tlb_flush_vmid_ipa() costs the requesting core.
inline std::uint64_t flush_vmid_ipa_cycles(const MachineConfig& m) { return m.costs.trap_to_hyp + m.tlbi_for_ipa_cycles(); }

// Whether a kernel flushes one IPA by IPA (TLBI IPAS2E1IS + VMALLE1IS: the arm64
// profiles' IpaFlushInsn) or with TLBIALLIS of the VMID (ARMv7). A machine file with
// "tlbi_by_ipa": true (the Cortex-A57) keeps its by-IPA flushes under the ARMv7
// profiles too, as every config that names it always had.
inline bool kernel_flush_by_ipa(const mmu::KernelProfile& p, const MachineConfig& m) {
  return p.ipa_flush == mmu::IpaFlushInsn::Ipas2e1isVmalle1is || m.tlbi_by_ipa;
}

// Requests received, and the TLBI instructions they became, over the run.
struct TlbShootdownStats {
  std::uint64_t flush_all = 0;        // kvm_flush_remote_tlbs()
  std::uint64_t flush_ipa = 0;        // kvm_tlb_flush_vmid_ipa()
  std::uint64_t flush_ipa_local = 0;  // __kvm_tlb_flush_vmid_ipa_nsh()
  std::uint64_t tlbi_broadcast = 0;   // TLBI ... IS + DSB ISH issued
  std::uint64_t tlbi_local = 0;       // TLBI (non-shareable) + DSB NSH issued

  std::uint64_t requests() const { return flush_all + flush_ipa + flush_ipa_local; }
  // What changed between two readings (later - earlier).
  friend TlbShootdownStats operator-(const TlbShootdownStats& a, const TlbShootdownStats& b) {
    return {a.flush_all - b.flush_all, a.flush_ipa - b.flush_ipa, a.flush_ipa_local - b.flush_ipa_local,
            a.tlbi_broadcast - b.tlbi_broadcast, a.tlbi_local - b.tlbi_local};
  }
  friend bool operator==(const TlbShootdownStats&, const TlbShootdownStats&) = default;
};

class TlbShootdown final : public mmu::TlbMaintenance {
 public:
  // `machine` and `trace` (optional) must outlive the shootdown. `by_ipa`: the
  // kernel's per-IPA flush is TLBI IPAS2E1IS + VMALLE1IS (arm64), not TLBIALLIS
  // (kernel_flush_by_ipa() below); by default, whatever the machine says.
  TlbShootdown(const MachineConfig& machine, std::uint16_t vmid, Timeline* trace, bool by_ipa)
      : machine_(machine), vmid_(vmid), trace_(trace), by_ipa_(by_ipa) {
    if (machine.dvm) dvm_.emplace(*machine.dvm);
  }
  TlbShootdown(const MachineConfig& machine, std::uint16_t vmid, Timeline* trace)
      : TlbShootdown(machine, vmid, trace, machine.tlbi_by_ipa) {}

  // A vCPU's TLBs, which every request reaches from now on (they must outlive it).
  // Attached in vCPU index order: a local flush finds the requester's by its index.
  void attach(TlbHierarchy& tlbs) { tlbs_.push_back(&tlbs); }

  void flush_remote_tlbs() override;
  void flush_vmid_ipa(mmu::ipa_t ipa) override;
  void flush_vmid_ipa_local(mmu::ipa_t ipa) override;

  const TlbShootdownStats& stats() const { return stats_; }
  // The DVM queue, or nullptr on a machine without DVM parameters.
  const DvmQueue* dvm() const { return dvm_ ? &*dvm_ : nullptr; }

  // While a Charge lives, the requests made are charged to `agent`: its clock pays
  // their cost and its track of the timeline shows them. Without one a request
  // costs no time (the tables being populated before simulated time starts).
  // Charges nest: the innermost one is charged.
  class Charge {
   public:
    Charge(TlbShootdown& shootdown, Agent& agent) : shootdown_(shootdown), outer_(shootdown.charged_) {
      shootdown.charged_ = &agent;
    }
    ~Charge() { shootdown_.charged_ = outer_; }
    Charge(const Charge&) = delete;
    Charge& operator=(const Charge&) = delete;

   private:
    TlbShootdown& shootdown_;
    Agent* outer_;
  };
  // The agent being charged, or nullptr.
  const Agent* charged() const { return charged_; }

 private:
  const MachineConfig& machine_;
  std::uint16_t vmid_;
  Timeline* trace_;
  bool by_ipa_;
  // Counts `n` broadcasts issued one after the other, each waited for by a DSB ISH,
  // and charges the requester (if any) for them after its trip into Hyp mode: its
  // clock moves to the end of the last one (on a machine without DVM parameters,
  // trap_to_hyp + constant_cycles, today's cost).
  void charge_broadcasts(unsigned n, std::uint64_t constant_cycles);
  // Drops what kvm_tlb_flush_vmid_ipa's instructions drop from one TLB: the VMID's
  // entries (ARMv7), or the IPA's and the combined stage-1+2 ones (arm64), or the IPA's
  // alone (the what-if machine).
  std::uint64_t drop_for_ipa(TlbHierarchy& t, mmu::ipa_t ipa);

  std::vector<TlbHierarchy*> tlbs_;
  std::optional<DvmQueue> dvm_;
  Agent* charged_ = nullptr;
  TlbShootdownStats stats_;
};

}  // namespace s2sim::sim
