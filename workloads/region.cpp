#include "workloads/region.h"

#include <cstdio>

namespace s2sim::workloads {

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

CommonKeys read_common_keys(JsonReader& spec, const WorkloadEnv& env) {
  CommonKeys k;
  k.ops = spec.get_u64("ops", 0, kMaxOpsPerVcpu);
  k.first_gfn = spec.get_u64_or("first_gfn", env.slot_base_gfn, 0, UINT64_MAX);
  const mmu::gfn_t slot_end = env.slot_base_gfn + env.slot_npages;
  // The default size is whatever of the slot lies above first_gfn; a first_gfn
  // outside the slot gives 0 here and is reported by check_region().
  const std::uint64_t rest = (k.first_gfn >= env.slot_base_gfn && k.first_gfn < slot_end) ? slot_end - k.first_gfn : 0;
  if (spec.has("pages")) {
    k.pages = spec.get_u64("pages", 1, UINT64_MAX);
  } else {
    spec.allow("pages");
    k.pages = rest;
  }
  k.write_ratio = spec.get_double_or("write_ratio", 1.0, 0.0, 1.0);
  k.think_cycles = spec.get_u64_or("think_cycles", 0, 0, kMaxThinkCycles);
  k.shared = spec.get_bool_or("shared", true);
  return k;
}

void check_region(const JsonReader& spec, const CommonKeys& k, const WorkloadEnv& env) {
  const mmu::gfn_t slot_end = env.slot_base_gfn + env.slot_npages;
  const std::string slot = "the memslot covers gfns [" + hex(env.slot_base_gfn) + ", " + hex(slot_end) + ")";
  if (env.slot_npages == 0) spec.fail_here("there is no memslot to place the workload in");
  if (k.first_gfn < env.slot_base_gfn || k.first_gfn >= slot_end) {
    spec.fail("first_gfn", "gfn " + hex(k.first_gfn) + " lies outside the memslot (" + slot + ")");
  }
  if (k.pages > slot_end - k.first_gfn) {
    spec.fail("pages", "the region of " + std::to_string(k.pages) + " pages from gfn " + hex(k.first_gfn) +
                           " runs past the end of the memslot (" + slot + "; at most " +
                           std::to_string(slot_end - k.first_gfn) + " pages fit)");
  }
  if (env.ipa_bits < 64 && ((k.first_gfn + k.pages - 1) >> (env.ipa_bits - mmu::PAGE_SHIFT)) != 0) {
    spec.fail("pages", "the region ends beyond the " + std::to_string(env.ipa_bits) + "-bit IPA space");
  }
  if (!k.shared && k.pages < env.vcpus) {
    spec.fail("shared", "false splits the region among the vCPUs, but its " + std::to_string(k.pages) +
                            " pages are fewer than the " + std::to_string(env.vcpus) + " vCPUs");
  }
}

Region lane_region(const CommonKeys& k, unsigned vcpu, unsigned vcpus) {
  if (k.shared || vcpus <= 1) return Region{k.first_gfn, k.pages};
  const std::uint64_t part = k.pages / vcpus;
  return Region{k.first_gfn + part * vcpu, part};
}

}  // namespace s2sim::workloads
