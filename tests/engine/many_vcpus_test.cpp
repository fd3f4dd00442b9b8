// The vCPU limit: 512 vCPUs (KVM/arm64's VGIC_V3_MAX_CPUS) on the arm64 server
// machine, under migration with verification, on both arm64 geometries; the run
// finishes, every vCPU ran its ops, no write is lost, and broadcast TLB maintenance
// went through the DVM queue.
#include <gtest/gtest.h>

#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "util/input_error.h"

using namespace s2sim::sim;

namespace {

nlohmann::json many(const char* geometry, unsigned vcpus) {
  nlohmann::json j = nlohmann::json::parse(R"({
    "seed": 3, "machine": "neoverse-n1",
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 8192}],
    "workload": {"kind": "hotset", "ops": 150, "hot_fraction": 0.1, "hot_probability": 0.8,
                 "write_ratio": 0.7, "think_cycles": 3000},
    "dirty_log": {"walker": "range"},
    "migration": {"link_gbps": 10, "start_ms": 0.05, "stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 3}}
  })");
  j["geometry"] = geometry;
  j["vcpus"] = vcpus;
  return j;
}

}  // namespace

TEST(ManyVcpus, FiveHundredTwelveVcpusFinishAndVerify) {
  for (const char* geometry : {"armv8-3level", "armv8-4level"}) {
    const SimConfig cfg = parse_config(many(geometry, 512), "many.json", configs_dir());
    ASSERT_TRUE(cfg.machine.dvm.has_value());
    EXPECT_EQ(cfg.machine.dvm->pe_count, 80u);
    Engine e(cfg);
    const RunResult r = e.run();
    EXPECT_EQ(r.vcpu.size(), 512u) << geometry;
    for (const auto& v : r.vcpu) EXPECT_EQ(v.ops, 150u) << geometry;
    EXPECT_EQ(r.ops, 512u * 150u) << geometry;
    EXPECT_GT(r.write_protect_faults, 0u) << geometry;
    EXPECT_GE(r.rounds.size(), 2u) << geometry;
    EXPECT_EQ(r.lost_writes, 0u) << geometry;
    EXPECT_TRUE(r.verify_ok()) << geometry;
  }
}

TEST(ManyVcpus, TheLimitIs512) {
  EXPECT_NO_THROW(parse_config(many("armv8-3level", 512), "many.json", configs_dir()));
  try {
    parse_config(many("armv8-3level", 513), "many.json", configs_dir());
    FAIL() << "513 vCPUs accepted";
  } catch (const s2sim::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("between 1 and 512, got 513"), std::string::npos) << e.what();
  }
}
