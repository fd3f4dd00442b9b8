// Regression tests for what the fuzz targets (tests/fuzz) found: each input once
// escaped as something other than one InputError. They pin the correct behaviour:
// bad input is reported as exactly one InputError naming where it is, never an
// exception of another type (which `s2sim` does not catch: it aborts).
//
// F1 (s2sim-fuzz-config): a JSON number too large for a double, e.g. 1e999, makes
// nlohmann::json::parse throw out_of_range.406, not parse_error. load_config_json
// (sim/config/config_file.cpp, parse_json_text) and apply_override (the --set VALUE
// parse, sim/config/config_override.cpp) only caught parse_error, so `s2sim run`
// aborted with "terminate called after throwing an instance of
// nlohmann::json::out_of_range", on a config file and on --set alike.
//
// F2 (s2sim-fuzz-config): a workload whose "kind" is not a string, e.g.
// {"kind": 5, "ops": 1}, made parse_config throw nlohmann's type_error.302: the
// memory estimate (sim/config/memory_estimate.cpp, estimate_memory_bytes) read the
// kind with json::value("kind", ""), which throws for a present non-string value.
// The workload factory reports the same spec as an InputError ("/workload/kind: must
// be a string"), but parse_config runs first.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "util/input_error.h"
#include "workloads/workload_factory.h"

namespace s2sim {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path =
      std::string(::testing::TempDir()) + "s2sim_fuzzreg_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Runs `f` and returns the InputError it throws; fails the test if it returns or
// throws anything else.
template <class F>
InputError expect_input_error(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return InputError("", "");
  }
  ADD_FAILURE() << "expected InputError, nothing was thrown";
  return InputError("", "");
}

TEST(FuzzRegressions, F1ConfigFileWithNumberTooLargeForDoubleIsInputError) {
  // The fuzzer's input, minimized: any number outside the range of a double.
  const char* docs[] = {
      R"({"seed": 1e999, "memslots": [{"base_gfn": 0, "npages": 16}]})",
      R"({"memslots": [{"base_gfn": 0, "npages": 16}], "workload": {"kind": "uniform", "ops": 10, "pages": 1e400}})",
      "{\"migration\": {\"link_gbps\": -1E+999}}",
  };
  int i = 0;
  for (const char* text : docs) {
    SCOPED_TRACE(text);
    const std::string path = write_temp("f1_" + std::to_string(i++) + ".json", text);
    const InputError e = expect_input_error([&] { (void)sim::load_config_json(path); });
    EXPECT_EQ(e.where().rfind(path, 0), 0u) << "the error should name the file: " << e.message();
    std::remove(path.c_str());
  }
}

TEST(FuzzRegressions, F1SetOverrideWithNumberTooLargeForDoubleIsInputError) {
  // `s2sim run --set seed=1e999`: whether the override itself or the config that
  // results rejects it, the user gets one InputError.
  for (const char* assignment : {"seed=1e999", "migration.link_gbps=1e400", "/vcpus=-1e999"}) {
    SCOPED_TRACE(assignment);
    expect_input_error([&] {
      nlohmann::json doc = nlohmann::json::parse(sim::default_config_text());
      sim::apply_override(doc, assignment);
      (void)sim::parse_config(doc, "<built-in default>", sim::configs_dir());
    });
  }
}

TEST(FuzzRegressions, F2WorkloadKindThatIsNotAStringIsInputError) {
  // Whether parse_config or the workload factory (as the engine calls it) rejects
  // it, reading the config ends in one InputError.
  for (const char* kind : {"5", "null", "[\"uniform\"]", "{\"kind\": \"uniform\"}", "true"}) {
    SCOPED_TRACE(kind);
    const nlohmann::json doc =
        nlohmann::json::parse(std::string(R"({"memslots": [{"base_gfn": 0, "npages": 64}], "workload": {"kind": )") +
                              kind + R"(, "ops": 1}})");
    const InputError e = expect_input_error([&] {
      const sim::SimConfig cfg = sim::parse_config(doc, "f2.json", sim::configs_dir());
      (void)workloads::make_workload(cfg.workload, "/workload", sim::workload_env(cfg));
    });
    EXPECT_NE(e.message().find("/workload"), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace s2sim
