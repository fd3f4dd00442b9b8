// The arm64 server machine file and the optional "dvm" object of a machine: the
// Neoverse N1 / Altra figures as loaded, every value sourced in the file, the DVM
// parameters reproducing the 0.35 us uncontended broadcast, the round trip through
// to_json, and the loader's errors. Machines without "dvm" write none back (their
// results stay what they were).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/timing/machine.h"
#include "util/input_error.h"

namespace s2sim::sim {
namespace {

using nlohmann::json;

json read_json(const std::string& rel) {
  std::ifstream in(std::string(S2SIM_SOURCE_DIR) + "/" + rel);
  EXPECT_TRUE(in.good()) << rel;
  return json::parse(in);
}

MachineConfig n1() { return load_machine(read_json("configs/machines/neoverse-n1.json"), "neoverse-n1.json", ""); }

std::string load_error(const json& j) {
  try {
    load_machine(j, "test.json", "/machine");
  } catch (const InputError& e) {
    return e.message();
  }
  return "";
}

TEST(NeoverseN1, TheAltraFigures) {
  const MachineConfig m = n1();
  EXPECT_EQ(m.name, "neoverse-n1");
  EXPECT_EQ(m.clock_hz, 3.0e9);
  ASSERT_TRUE(m.tlb.micro_data.has_value());
  EXPECT_EQ(m.tlb.micro_data->entries, 48u);
  EXPECT_EQ(m.tlb.micro_data->ways, 48u);
  EXPECT_FALSE(m.tlb.micro_load || m.tlb.micro_store);
  EXPECT_EQ(m.tlb.main.entries, 1280u);
  EXPECT_EQ(m.tlb.main.ways, 5u);
  EXPECT_TRUE(m.tlbi_by_ipa);
  EXPECT_EQ(m.l1d.size_bytes, 64u * 1024);
  EXPECT_EQ(m.l1d.ways, 4u);
  EXPECT_EQ(m.l1d.latency_cycles, 4u);
  EXPECT_EQ(m.l2.size_bytes, 1024u * 1024);
  EXPECT_EQ(m.l2.ways, 8u);
  EXPECT_EQ(m.l2.latency_cycles, 11u);
  EXPECT_EQ(m.dram_latency_cycles, 243u);  // 81 ns at 3.0 GHz
  ASSERT_TRUE(m.dvm.has_value());
  EXPECT_EQ(m.dvm->pe_count, 80u);
  // Uncontended broadcast = 0.35 us at 3.0 GHz, and the constant costs say the same.
  EXPECT_EQ(m.dvm->broadcast_cycles(), 1050u);
  EXPECT_EQ(m.costs.tlbi_all_is, m.dvm->broadcast_cycles());
  EXPECT_EQ(m.costs.tlbi_ipa_is, 2 * m.dvm->broadcast_cycles());
  EXPECT_LT(m.dvm->tlbi_local_cycles, m.dvm->broadcast_cycles());
  EXPECT_EQ(m.validate(), "");
}

TEST(NeoverseN1, EveryValueIsSourcedInTheFile) {
  const MachineConfig m = n1();
  const json j = read_json("configs/machines/neoverse-n1.json");
  for (const CostField& f : cost_fields()) EXPECT_TRUE(j["costs"].contains(f.name)) << f.name;
  for (const DvmField& f : dvm_fields()) {
    EXPECT_TRUE(j["dvm"].contains(f.name)) << f.name;
    EXPECT_FALSE(m.source_of(std::string("/dvm/") + f.name).empty()) << f.name;
  }
  for (const auto& [ptr, text] : m.sources) {
    EXPECT_FALSE(text.empty()) << ptr;
    EXPECT_EQ(text.find("user-supplied"), std::string::npos) << ptr;
  }
}

TEST(MachineDvm, RoundTripAndAbsence) {
  const MachineConfig m = n1();
  const json j = to_json(m);
  ASSERT_TRUE(j.contains("dvm"));
  EXPECT_EQ(j["dvm"]["pe_count"]["value"], 80);
  EXPECT_EQ(j["dvm"]["dvm_per_pe_cycles"]["cycles"], 5);
  EXPECT_EQ(load_machine(j, "resolved.json", ""), m);
  // The ARMv7 and A57 machines have none and write none back.
  EXPECT_FALSE(cortex_a15().dvm.has_value());
  EXPECT_FALSE(to_json(cortex_a15()).contains("dvm"));
  const MachineConfig a57 = load_machine(read_json("configs/machines/cortex-a57.json"), "cortex-a57.json", "");
  EXPECT_FALSE(to_json(a57).contains("dvm"));
}

TEST(MachineDvm, OverridesShorthandsAndNull) {
  json j = read_json("configs/machines/neoverse-n1.json");
  j["dvm"]["pe_count"] = 160;  // the 2-socket Altra
  const MachineConfig two = load_machine(j, "x.json", "");
  EXPECT_EQ(two.dvm->pe_count, 160u);
  EXPECT_EQ(two.dvm->broadcast_cycles(), 650u + 160u * 5u);
  EXPECT_EQ(two.source_of("/dvm/pe_count"), "user-supplied (no source given)");
  j["dvm"] = nullptr;
  const MachineConfig none = load_machine(j, "x.json", "");
  EXPECT_FALSE(none.dvm.has_value());
  EXPECT_TRUE(none.source_of("/dvm/pe_count").empty());
  const MachineConfig bare = load_machine(
      json::parse(R"({"dvm": {"pe_count": 4, "dvm_op_cycles": 10, "dvm_per_pe_cycles": 2, "tlbi_local_cycles": 7}})"),
      "x.json", "");
  EXPECT_EQ(bare.dvm, (DvmConfig{4, 10, 2, 7}));
}

TEST(MachineDvm, ErrorsNameTheirPointer) {
  std::string err = load_error(json::parse(R"({"dvm": {"pe_count": 4}})"));
  EXPECT_NE(err.find("test.json: /machine/dvm: missing \"dvm_op_cycles\""), std::string::npos) << err;
  err = load_error(json::parse(
      R"({"dvm": {"pe_count": 0, "dvm_op_cycles": 1, "dvm_per_pe_cycles": 1, "tlbi_local_cycles": 1}})"));
  EXPECT_NE(err.find("/machine/dvm/pe_count"), std::string::npos) << err;
  err = load_error(json::parse(
      R"({"dvm": {"pe_count": 4, "dvm_op_cycles": 1, "dvm_per_pe_cycles": 1, "tlbi_local_cycles": 1, "pe_cuont": 2}})"));
  EXPECT_NE(err.find("/machine/dvm/pe_cuont"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean \"pe_count\""), std::string::npos) << err;
  err = load_error(json::parse(
      R"({"dvm": {"pe_count": {"value": 4, "sorce": "x"}, "dvm_op_cycles": 1, "dvm_per_pe_cycles": 1, "tlbi_local_cycles": 1}})"));
  EXPECT_NE(err.find("/machine/dvm/pe_count/sorce"), std::string::npos) << err;
  err = load_error(json::parse(R"({"dvm": {"pe_count": "many"}})"));
  EXPECT_NE(err.find("/machine/dvm/pe_count"), std::string::npos) << err;
}

}  // namespace
}  // namespace s2sim::sim
