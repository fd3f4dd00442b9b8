// What a per-IPA TLB invalidation drops, per machine. ARMv7 has no stage-2
// invalidate-by-IPA: KVM/ARM's __kvm_tlb_flush_vmid_ipa issues TLBIALLIS for the whole
// VMID (Cortex-A15, tlbi_by_ipa false), so a write-protect fault on one page empties
// every entry of every vCPU. arm64 has TLBI IPAS2E1IS (Cortex-A57, tlbi_by_ipa true):
// only the entries for that IPA go.
//
// One vCPU; the migration thread enables dirty logging at 0 and the vCPU starts at
// cycle 10,000, after it: read A (with logging on, a read fault maps A read-only),
// write B (maps it read/write), write A (a permission fault: the new pte is written
// and A's IPA invalidated), then read B. The vCPU is done long before round 0 has sent
// the slot, so the first get_dirty_log flush comes after every access counted here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/config/config.h"
#include "sim/engine/engine.h"

namespace s2sim::sim {
namespace {

RunResult run_on(const char* machine) {
  const std::string trace =
      std::string(::testing::TempDir()) + "s2sim_flush_scope_" + std::to_string(::getpid()) + "_" + machine + ".trace";
  std::ofstream(trace) << "0 R 40000000 @10000\n0 W 40001000\n0 W 40000000\n0 R 40001000\n";
  nlohmann::json j = nlohmann::json::parse(R"({
    "seed": 1, "geometry": "armv7-lpae",
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 512}],
    "vcpus": 1,
    "workload": {"kind": "trace", "format": "native"},
    "migration": {"enabled": true, "start_ms": 0, "link_gbps": 10,
                  "stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 2}},
    "verify": {"enabled": true}
  })");
  j["machine"] = machine;
  j["workload"]["path"] = trace;
  const SimConfig cfg = parse_config(j, "tlb_flush_scope_test.json", configs_dir());
  Engine e(cfg);
  RunResult r = e.run();
  std::remove(trace.c_str());
  return r;
}

}  // namespace

TEST(TlbFlushScope, Armv7PerIpaRequestEmptiesTheWholeVmid) {
  const RunResult r = run_on("cortex-a15");
  EXPECT_EQ(r.write_protect_faults, 1u);
  EXPECT_EQ(r.flush_ipa, 1u);
  EXPECT_EQ(r.lost_writes, 0u);
  ASSERT_EQ(r.vcpu.size(), 1u);
  // Misses: A and its retry after the translation fault, B and its retry, the retry
  // of the write to A, and the last read of B, whose entry went with the rest.
  EXPECT_EQ(r.vcpu[0].tlb.misses, 6u);
}

TEST(TlbFlushScope, Armv8PerIpaRequestDropsOnlyThatIpa) {
  const RunResult r = run_on("cortex-a57");
  EXPECT_EQ(r.write_protect_faults, 1u);
  EXPECT_EQ(r.flush_ipa, 1u);
  EXPECT_EQ(r.lost_writes, 0u);
  ASSERT_EQ(r.vcpu.size(), 1u);
  // Misses: A and its retry, B and its retry, the retry of the write to A; the last
  // read of B hits.
  EXPECT_EQ(r.vcpu[0].tlb.misses, 5u);
}

}  // namespace s2sim::sim
