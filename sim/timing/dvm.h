// Broadcast TLB maintenance as a queue at the interconnect.
//
// A TLBI ... IS followed by DSB ISH is a DVM operation and a DVM sync: the
// interconnect forwards the invalidation to every PE of the inner-shareable domain,
// and the issuer's DSB completes only when all of them have acknowledged it (ARM ARM
// DDI 0487, D8.13 "TLB maintenance"; Arm CMN-600 TRM: DVM messages go through the
// mesh's DVM node, which handles syncs one after another). So broadcasts from
// different cores do not overlap: each occupies the DVM resource for
//   op_cycles + pe_count x per_pe_cycles
// starting when it is issued or when the one ahead of it ends, whichever is later,
// and the issuer waits until its own ends. Concurrent broadcasters queue (the cost
// grows with the broadcasts in flight, as Arcangeli measured on a 32-CPU Ampere
// eMAG), and the uncontended cost grows with the PE count.
//
// A local TLBI (TLBI ... without IS, then DSB NSH: arm64 KVM's
// __kvm_tlb_flush_vmid_ipa_nsh, 6.5+) reaches only the issuing PE and never touches
// the queue: tlbi_local_cycles.
//
// The engine steps agents in clock order, so broadcasts are issued to the queue in
// time order and one free_at suffices.
#pragma once

#include <cstdint>
#include <span>

namespace s2sim::sim {

// A machine's DVM parameters (the "dvm" object of a machine file; machines without
// one charge the constant tlbi_all_is / tlbi_ipa_is costs instead).
struct DvmConfig {
  std::uint64_t pe_count = 0;           // PEs in the inner-shareable domain (the host's CPUs)
  std::uint64_t dvm_op_cycles = 0;      // per broadcast: issue, interconnect round trip, DSB
  std::uint64_t dvm_per_pe_cycles = 0;  // per broadcast and per PE that must acknowledge it
  std::uint64_t tlbi_local_cycles = 0;  // a non-shareable TLBI + DSB NSH, on the issuer only

  // How long one broadcast occupies the DVM resource.
  std::uint64_t broadcast_cycles() const { return dvm_op_cycles + pe_count * dvm_per_pe_cycles; }

  friend bool operator==(const DvmConfig&, const DvmConfig&) = default;
};

// One DVM field: its JSON key, the member, what it covers, and its largest value.
struct DvmField {
  const char* name;
  std::uint64_t DvmConfig::*member;
  const char* description;
  std::uint64_t max;
};
// The four, in declaration order (drives the machine loader and to_json).
std::span<const DvmField> dvm_fields();

// Broadcasts issued over a run.
struct DvmStats {
  std::uint64_t broadcasts = 0;
  std::uint64_t queued_cycles = 0;  // summed over broadcasts: start - issue (waiting for the ones ahead)
  std::uint64_t busy_cycles = 0;    // summed over broadcasts: the resource's occupancy
};

class DvmQueue {
 public:
  explicit DvmQueue(const DvmConfig& cfg) : cfg_(cfg) {}

  // A broadcast TLBI + DSB ISH issued at `now`: returns the time the issuer's DSB
  // completes (the broadcast's end).
  std::uint64_t broadcast(std::uint64_t now);
  // When the resource is next free (0 before the first broadcast).
  std::uint64_t free_at() const { return free_at_; }
  const DvmStats& stats() const { return stats_; }
  const DvmConfig& config() const { return cfg_; }

 private:
  DvmConfig cfg_;
  std::uint64_t free_at_ = 0;
  DvmStats stats_;
};

}  // namespace s2sim::sim
