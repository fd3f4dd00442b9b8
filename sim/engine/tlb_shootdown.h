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
// The mmu layer makes these requests from inside the fault handler and
// get_dirty_log, with no notion of which agent runs them: the agent whose step makes
// them is named by a Charge for the duration of that step.
#pragma once

#include <cstdint>
#include <vector>

#include "mmu/tlb_maintenance.h"
#include "sim/engine/agent.h"
#include "sim/engine/timeline.h"
#include "sim/timing/machine.h"
#include "sim/timing/tlb.h"

namespace s2sim::sim {

// What one kvm_flush_remote_tlbs() costs the requesting core: the trip into Hyp
// mode and back, and the invalidation.
inline std::uint64_t flush_remote_tlbs_cycles(const MachineConfig& m) { return m.costs.trap_to_hyp + m.costs.tlbi_all_is; }
// What one kvm_tlb_flush_vmid_ipa() costs the requesting core.
inline std::uint64_t flush_vmid_ipa_cycles(const MachineConfig& m) { return m.costs.trap_to_hyp + m.tlbi_for_ipa_cycles(); }

// Requests received, over the run.
struct TlbShootdownStats {
  std::uint64_t flush_all = 0;  // kvm_flush_remote_tlbs()
  std::uint64_t flush_ipa = 0;  // kvm_tlb_flush_vmid_ipa()

  std::uint64_t requests() const { return flush_all + flush_ipa; }
  // What changed between two readings (later - earlier).
  friend TlbShootdownStats operator-(const TlbShootdownStats& a, const TlbShootdownStats& b) {
    return {a.flush_all - b.flush_all, a.flush_ipa - b.flush_ipa};
  }
  friend bool operator==(const TlbShootdownStats&, const TlbShootdownStats&) = default;
};

class TlbShootdown final : public mmu::TlbMaintenance {
 public:
  // `machine` and `trace` (optional) must outlive the shootdown.
  TlbShootdown(const MachineConfig& machine, std::uint16_t vmid, Timeline* trace)
      : machine_(machine), vmid_(vmid), trace_(trace) {}

  // A vCPU's TLBs, which every request reaches from now on (they must outlive it).
  void attach(TlbHierarchy& tlbs) { tlbs_.push_back(&tlbs); }

  void flush_remote_tlbs() override;
  void flush_vmid_ipa(mmu::ipa_t ipa) override;

  const TlbShootdownStats& stats() const { return stats_; }

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
  std::vector<TlbHierarchy*> tlbs_;
  Agent* charged_ = nullptr;
  TlbShootdownStats stats_;
};

}  // namespace s2sim::sim
