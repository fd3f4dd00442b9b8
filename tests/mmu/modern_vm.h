// A VM following a named kernel profile, with the guest's view of it at the untimed
// level: shared by the tests of the modern dirty-log paths (CLEAR, ring, eager split).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "mmu/fault_handler.h"
#include "mmu/kernel_profile.h"
#include "mmu/kvm.h"

namespace s2sim::mmu::testing {

inline KvmOptions options_for(const std::string& profile, const Geometry& geometry) {
  KernelProfile p;
  EXPECT_TRUE(find_kernel_profile(profile, &p)) << profile;
  return kvm_options_from_profile(p, geometry);
}

struct ModernVm {
  explicit ModernVm(const std::string& profile = "linux-6.6-arm64", Geometry geometry = Geometry::armv8_3level())
      : kvm(options_for(profile, geometry), &tlb) {}

  Memslot& add_slot(unsigned id, gfn_t base, std::uint64_t npages, bool huge = false) {
    EXPECT_EQ(kvm.memslots.add(id, base, npages, huge, kvm.options.geometry.ipa_bits), "");
    return *kvm.memslots.by_id(id);
  }
  static constexpr ipa_t ipa_of(gfn_t g) { return g << PAGE_SHIFT; }
  S2Lookup lookup(gfn_t g) const { return kvm.pgtable.lookup(ipa_of(g)); }
  bool writable(gfn_t g) const {
    const S2Lookup l = lookup(g);
    return l.mapped && l.desc.writable();
  }
  // A guest store from vCPU `vcpu`: completes without KVM if the tables allow it,
  // else faults until they do. Returns the faults taken; *soft_full is set when one
  // of them brought the vCPU's ring to its soft limit.
  int guest_write(gfn_t g, int vcpu = 0, bool* soft_full = nullptr) {
    int faults = 0;
    while (!writable(g)) {
      const FaultResult r = kvm_handle_guest_abort(kvm, ipa_of(g), Access::Write, nullptr, vcpu);
      EXPECT_NE(r.outcome, FaultOutcome::Mmio);
      if (soft_full && r.ring_soft_full) *soft_full = true;
      if (++faults > 3) {
        ADD_FAILURE() << "write to gfn " << g << " keeps faulting";
        break;
      }
    }
    return faults;
  }

  CountingTlbMaintenance tlb;
  Kvm kvm;
};

}  // namespace s2sim::mmu::testing
