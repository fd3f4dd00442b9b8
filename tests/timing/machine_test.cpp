// Machine loader: the shipped machine files, defaults for missing keys, error texts
// that name the file and the JSON pointer, and the round trip through to_json.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/timing/machine.h"
#include "util/input_error.h"

namespace s2sim::sim {
namespace {

using nlohmann::json;

json read_json(const std::string& rel) {
  const std::string path = std::string(S2SIM_SOURCE_DIR) + "/" + rel;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return json::parse(in);
}

MachineConfig load(const json& j) { return load_machine(j, "test.json", "/machine"); }

// The message of the InputError that loading `j` throws ("" if none is thrown).
std::string load_error(const json& j) {
  try {
    load(j);
  } catch (const InputError& e) {
    return e.message();
  }
  return "";
}

TEST(Machine, CortexA15Defaults) {
  const MachineConfig m = cortex_a15();
  EXPECT_EQ(m.name, "cortex-a15");
  EXPECT_DOUBLE_EQ(m.clock_hz, 1.7e9);
  EXPECT_EQ(m.tlb.micro_load, (TlbConfig{32, 32}));
  EXPECT_EQ(m.tlb.micro_store, (TlbConfig{32, 32}));
  EXPECT_FALSE(m.tlb.micro_data.has_value());
  EXPECT_EQ(m.tlb.main, (TlbConfig{512, 4}));
  EXPECT_TRUE(m.tlb.walk_cache.has_value());
  EXPECT_FALSE(m.tlbi_by_ipa);
  EXPECT_EQ(m.l1d, (CacheLevelConfig{32 * 1024, 2, 64, 4}));
  EXPECT_EQ(m.l2, (CacheLevelConfig{1024 * 1024, 16, 64, 21}));
  EXPECT_EQ(m.dram_latency_cycles, 208u);
  EXPECT_EQ(m.costs.micro_tlb_miss_main_hit, 12u);
  EXPECT_EQ(m.costs.trap_to_hyp, 27u);
  EXPECT_EQ(m.costs.stage2_abort_host, 5990u);
  EXPECT_EQ(m.costs.page_copy, 2500u);
  EXPECT_EQ(m.tlbi_for_ipa_cycles(), m.costs.tlbi_all_is);  // ARMv7: whole-VMID flush
  EXPECT_EQ(m.validate(), "");
  // Every value has a source, and a source without a citation says so.
  EXPECT_EQ(m.sources.size(), 1u /*clock*/ + 4 /*tlb*/ + 1 /*tlbi*/ + 3 /*caches*/ + cost_fields().size());
  for (const auto& [ptr, text] : m.sources) EXPECT_FALSE(text.empty()) << ptr;
  EXPECT_NE(m.source_of("/costs/tlbi_all_is").find("assumption"), std::string::npos);
  EXPECT_NE(m.source_of("/tlb/walk_cache").find("assumption"), std::string::npos);
  EXPECT_NE(m.source_of("/costs/trap_to_hyp").find("commonly cited"), std::string::npos);
  EXPECT_EQ(m.source_of("/nonexistent"), "");
}

TEST(Machine, ShippedCortexA15FileEqualsTheDefault) {
  const MachineConfig m = load_machine(read_json("configs/machines/cortex-a15.json"), "cortex-a15.json", "");
  EXPECT_EQ(m, cortex_a15());  // values and source strings alike
}

TEST(Machine, ShippedCortexA57FileOverridesTheDefault) {
  const MachineConfig m = load_machine(read_json("configs/machines/cortex-a57.json"), "cortex-a57.json", "");
  EXPECT_EQ(m.name, "cortex-a57");
  EXPECT_DOUBLE_EQ(m.clock_hz, 1.9e9);
  EXPECT_FALSE(m.tlb.micro_load.has_value());
  EXPECT_FALSE(m.tlb.micro_store.has_value());
  EXPECT_EQ(m.tlb.micro_data, (TlbConfig{32, 32}));
  EXPECT_EQ(m.tlb.main, (TlbConfig{1024, 4}));
  EXPECT_EQ(m.tlb.walk_cache, (TlbConfig{64, 4}));
  EXPECT_TRUE(m.tlbi_by_ipa);
  EXPECT_EQ(m.tlbi_for_ipa_cycles(), m.costs.tlbi_ipa_is);
  EXPECT_EQ(m.l1d, (CacheLevelConfig{32 * 1024, 2, 64, 4}));
  EXPECT_EQ(m.l2, (CacheLevelConfig{2048 * 1024, 16, 64, 21}));
  EXPECT_EQ(m.dram_latency_cycles, 230u);
  EXPECT_EQ(m.costs.trap_to_hyp, 27u);
  EXPECT_FALSE(m.sources.count("/tlb/micro_load"));
  for (const auto& [ptr, text] : m.sources) {
    EXPECT_FALSE(text.empty()) << ptr;
    EXPECT_EQ(text.find("user-supplied"), std::string::npos) << ptr;  // every value sourced in the file
  }
  // The file writes every value out: nothing silently comes from the A15 default.
  const json j = read_json("configs/machines/cortex-a57.json");
  for (const CostField& f : cost_fields()) EXPECT_TRUE(j["costs"].contains(f.name)) << f.name;
}

TEST(Machine, EveryShippedFileBuildsItsStructures) {
  for (const char* f : {"configs/machines/cortex-a15.json", "configs/machines/cortex-a57.json"}) {
    const MachineConfig m = load_machine(read_json(f), f, "");
    EXPECT_NO_THROW(TlbHierarchy{m.tlb}) << f;
    EXPECT_NO_THROW(CacheHierarchy(4, m.l1d, m.l2, m.dram_latency_cycles)) << f;
  }
}

TEST(Machine, EmptyObjectTakesEveryDefault) {
  MachineConfig m = load(json::object());
  EXPECT_EQ(m.name, "custom");
  m.name = "cortex-a15";
  EXPECT_EQ(m, cortex_a15());
}

TEST(Machine, PartialOverrideKeepsTheRest) {
  const MachineConfig m = load(json::parse(R"({
    "name": "a15-bigger-l2",
    "caches": {"l2": {"size_kib": 2048, "source": "what-if"}},
    "costs": {"trap_to_hyp": {"cycles": 30}, "spin_lock": 55}
  })"));
  const MachineConfig d = cortex_a15();
  EXPECT_EQ(m.l2.size_bytes, 2048u * 1024);
  EXPECT_EQ(m.l2.ways, d.l2.ways);
  EXPECT_EQ(m.l2.latency_cycles, d.l2.latency_cycles);
  EXPECT_EQ(m.source_of("/caches/l2"), "what-if");
  EXPECT_EQ(m.costs.trap_to_hyp, 30u);
  EXPECT_EQ(m.source_of("/costs/trap_to_hyp"), "user-supplied (no source given)");
  EXPECT_EQ(m.costs.spin_lock, 55u);  // bare number shorthand
  EXPECT_EQ(m.costs.ioctl_entry, d.costs.ioctl_entry);
  EXPECT_EQ(m.source_of("/costs/ioctl_entry"), d.source_of("/costs/ioctl_entry"));
  EXPECT_EQ(m.l1d, d.l1d);
  EXPECT_EQ(m.tlb, d.tlb);
}

TEST(Machine, ShorthandsAndNulls) {
  const MachineConfig m = load(json::parse(R"({
    "clock": 2e9, "tlbi_by_ipa": true,
    "tlb": {"walk_cache": null, "micro_store": null, "main": {"ways": 8}}
  })"));
  EXPECT_DOUBLE_EQ(m.clock_hz, 2e9);
  EXPECT_TRUE(m.tlbi_by_ipa);
  EXPECT_FALSE(m.tlb.walk_cache.has_value());
  EXPECT_FALSE(m.tlb.micro_store.has_value());
  EXPECT_TRUE(m.tlb.micro_load.has_value());
  EXPECT_EQ(m.tlb.main, (TlbConfig{512, 8}));
  EXPECT_FALSE(m.sources.count("/tlb/walk_cache"));
}

TEST(Machine, MicroDataReplacesTheSeparateMicroTlbs) {
  const MachineConfig m = load(json::parse(R"({"tlb": {"micro_data": {"entries": 48, "ways": 48}}})"));
  EXPECT_EQ(m.tlb.micro_data, (TlbConfig{48, 48}));
  EXPECT_FALSE(m.tlb.micro_load.has_value());
  EXPECT_FALSE(m.tlb.micro_store.has_value());
  const std::string err =
      load_error(json::parse(R"({"tlb": {"micro_data": {"entries": 48, "ways": 48}, "micro_load": {"entries": 32}}})"));
  EXPECT_NE(err.find("/machine/tlb/micro_data"), std::string::npos) << err;
}

TEST(Machine, RoundTripThroughToJson) {
  for (const MachineConfig& m :
       {cortex_a15(), load_machine(read_json("configs/machines/cortex-a57.json"), "cortex-a57.json", ""),
        load(json::parse(R"({"name": "x", "costs": {"page_copy": 3000}, "tlb": {"walk_cache": null}})"))}) {
    const json j = to_json(m);
    EXPECT_EQ(load_machine(j, "resolved.json", ""), m) << j.dump(2);
    EXPECT_EQ(to_json(load_machine(j, "resolved.json", "")).dump(), j.dump());  // stable text
  }
  const json j = to_json(cortex_a15());
  EXPECT_EQ(j["costs"]["trap_to_hyp"]["cycles"], 27);
  EXPECT_EQ(j["caches"]["l1d"]["size_kib"], 32);
  EXPECT_TRUE(j["tlb"]["micro_data"].is_null());
  EXPECT_EQ(j["costs"].size(), cost_fields().size());
}

// --- errors ------------------------------------------------------------------------

TEST(MachineErrors, UnknownKeysSuggestTheNearestName) {
  std::string err = load_error(json::parse(R"({"costz": {}})"));
  EXPECT_NE(err.find("test.json"), std::string::npos) << err;
  EXPECT_NE(err.find("/machine/costz"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean \"costs\""), std::string::npos) << err;

  err = load_error(json::parse(R"({"costs": {"trap_to_hpy": {"cycles": 1}}})"));
  EXPECT_NE(err.find("/machine/costs/trap_to_hpy"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean \"trap_to_hyp\""), std::string::npos) << err;

  // A guest hypercall is nothing the simulated guests do: the machine has no such cost.
  err = load_error(json::parse(R"({"costs": {"hypercall": {"cycles": 5326}}})"));
  EXPECT_NE(err.find("/machine/costs/hypercall"), std::string::npos) << err;

  err = load_error(json::parse(R"({"caches": {"l1d": {"line_byte": 32}}})"));
  EXPECT_NE(err.find("/machine/caches/l1d/line_byte"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean \"line_bytes\""), std::string::npos) << err;

  err = load_error(json::parse(R"({"tlb": {"mainn": {"entries": 64, "ways": 4}}})"));
  EXPECT_NE(err.find("/machine/tlb/mainn"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean \"main\""), std::string::npos) << err;

  err = load_error(json::parse(R"({"clock": {"hz": 1e9, "sorce": "x"}})"));
  EXPECT_NE(err.find("/machine/clock/sorce"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean \"source\""), std::string::npos) << err;
}

TEST(MachineErrors, BadValuesNameTheirPointer) {
  struct Case {
    const char* json;
    const char* pointer;
  };
  const Case cases[] = {
      {R"({"clock": {"hz": 0}})", "/machine/clock/hz"},
      {R"({"clock": 0})", "/machine/clock"},
      {R"({"clock": "fast"})", "/machine/clock"},
      {R"({"tlb": {"main": {"entries": 48, "ways": 4}}})", "/machine/tlb/main"},        // 12 sets
      {R"({"tlb": {"main": {"entries": 50, "ways": 4}}})", "/machine/tlb/main"},        // not a multiple
      {R"({"tlb": {"main": {"entries": 2097152, "ways": 4}}})", "/machine/tlb/main/entries"},  // > 1M
      {R"({"tlb": {"main": {"entries": 0}}})", "/machine/tlb/main/entries"},
      {R"({"tlb": {"main": null}})", "/machine/tlb/main"},
      {R"({"tlb": {"walk_cache": {"entries": 64, "ways": 0}}})", "/machine/tlb/walk_cache/ways"},
      {R"({"caches": {"l1d": {"line_bytes": 0}}})", "/machine/caches/l1d/line_bytes"},
      {R"({"caches": {"l1d": {"line_bytes": 48}}})", "/machine/caches/l1d/line_bytes"},
      {R"({"caches": {"l1d": {"size_kib": 48}}})", "/machine/caches/l1d"},              // 384 sets
      {R"({"caches": {"l2": {"size_kib": 2097152}}})", "/machine/caches/l2/size_kib"},  // 2 GiB
      {R"({"caches": {"l2": {"latency_cycles": 300}}})", "/machine/caches/dram"},       // DRAM below L2
      {R"({"caches": {"dram": {"latency_cycles": -5}}})", "/machine/caches/dram/latency_cycles"},
      {R"({"costs": {"page_copy": {"cycles": 1.5}}})", "/machine/costs/page_copy/cycles"},
      {R"({"costs": {"page_copy": -1}})", "/machine/costs/page_copy"},
      {R"({"costs": {"page_copy": "cheap"}})", "/machine/costs/page_copy"},
      {R"({"tlbi_by_ipa": "yes"})", "/machine/tlbi_by_ipa"},
      {R"({"tlbi_by_ipa": {"value": 1}})", "/machine/tlbi_by_ipa/value"},
      {R"({"name": ""})", "/machine/name"},
      {R"({"costs": []})", "/machine/costs"},
  };
  for (const Case& c : cases) {
    const std::string err = load_error(json::parse(c.json));
    EXPECT_NE(err, "") << c.json;
    EXPECT_NE(err.find(std::string("test.json: ") + c.pointer + ":"), std::string::npos)
        << c.json << "\n  got: " << err;
  }
}

TEST(MachineErrors, MessagesSayWhatIsWrong) {
  EXPECT_NE(load_error(json::parse(R"({"tlb": {"main": {"entries": 48, "ways": 4}}})")).find("power of two"),
            std::string::npos);
  EXPECT_NE(load_error(json::parse(R"({"caches": {"l2": {"latency_cycles": 300}}})")).find("L2 lookup"),
            std::string::npos);
  EXPECT_NE(load_error(json::parse(R"({"caches": {"l1d": {"line_bytes": 48}}})")).find("power of two"),
            std::string::npos);
}

TEST(MachineErrors, ARootPointerIsNamedToo) {
  try {
    load_machine(json::parse(R"({"bogus": 1})"), "m.json", "");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "m.json: /bogus");
  }
  try {
    load_machine(json::parse("[]"), "m.json", "");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "m.json: /");
  }
}

}  // namespace
}  // namespace s2sim::sim
