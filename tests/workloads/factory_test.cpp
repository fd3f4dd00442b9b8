// Choosing workloads by name and the config errors, each naming the JSON pointer.
#include "workloads/workload_test_support.h"

namespace s2sim::workloads {
namespace {

using test::catch_input_error;
using test::make_env;

struct ConfigCase {
  std::string spec;
  std::string where;    // pointer after "test.json: "
  std::string message;  // a part of the message
};

TEST(WorkloadFactory, KnowsAllBuiltInKinds) {
  EXPECT_EQ(workload_kinds(), (std::vector<std::string>{"hotset", "memstress", "periodic", "phases", "pmd_crossing",
                                                        "sequential", "trace", "uniform", "zipf"}));
}

TEST(WorkloadFactory, RegisteringAKindTwiceIsAProgrammingError) {
  WorkloadRegistry r;
  r.add("x", [](JsonReader&, const WorkloadEnv&) -> std::unique_ptr<OpSource> { return nullptr; });
  EXPECT_THROW(r.add("x", [](JsonReader&, const WorkloadEnv&) -> std::unique_ptr<OpSource> { return nullptr; }),
               std::logic_error);
}

TEST(WorkloadFactory, ConfigErrorsNameThePointer) {
  const std::vector<ConfigCase> cases = {
      {R"({"kind": "unifrom", "ops": 1})", "/workload/kind", "unknown workload kind \"unifrom\" (expected one of \"hotset\""},
      {R"({"kind": "unifrom", "ops": 1})", "/workload/kind", "did you mean \"uniform\"?"},
      {R"({"ops": 1})", "/workload/kind", "required key is missing"},
      {R"({"kind": 3})", "/workload/kind", "must be a string"},
      {R"([1, 2])", "/workload", "must be an object"},
      {R"({"kind": "uniform"})", "/workload/ops", "required key is missing"},
      {R"({"kind": "uniform", "ops": "10"})", "/workload/ops", "must be an integer, got a string"},
      {R"({"kind": "uniform", "ops": 1.5})", "/workload/ops", "must be an integer"},
      {R"({"kind": "uniform", "ops": -1})", "/workload/ops", "must be between 0 and 10000000000"},
      {R"({"kind": "uniform", "ops": 10000000001})", "/workload/ops", "must be between 0 and 10000000000"},
      {R"({"kind": "uniform", "ops": 1, "write_ratoi": 0.5})", "/workload/write_ratoi", "did you mean \"write_ratio\"?"},
      {R"({"kind": "uniform", "ops": 1, "write_ratio": 1.5})", "/workload/write_ratio", "must be between 0.0 and 1.0"},
      {R"({"kind": "uniform", "ops": 1, "shared": "yes"})", "/workload/shared", "must be true or false"},
      {R"({"kind": "uniform", "ops": 1, "think_cycles": 1000000000001})", "/workload/think_cycles", "must be between"},
      {R"({"kind": "uniform", "ops": 1, "stride": 2})", "/workload/stride", "unknown key \"stride\""},
      {R"({"kind": "sequential", "ops": 1, "strid": 2})", "/workload/strid", "did you mean \"stride\"?"},
      {R"({"kind": "sequential", "ops": 1, "stride": 0})", "/workload/stride", "must be between 1"},
      {R"({"kind": "sequential", "ops": 1, "pages": 10, "start": 10})", "/workload/start", "outside the 10-page region"},
      {R"({"kind": "zipf", "ops": 1, "exponent": 0})", "/workload/exponent", "must be greater than 0"},
      {R"({"kind": "zipf", "ops": 1, "exponent": "big"})", "/workload/exponent", "must be a number"},
      {R"({"kind": "hotset", "ops": 1, "hot_fraction": -0.1})", "/workload/hot_fraction", "must be between 0.0 and 1.0"},
      {R"({"kind": "pmd_crossing", "ops": 1, "window_pages": 1025})", "/workload/window_pages", "must be between 2 and 1024"},
      {R"({"kind": "periodic", "ops": 1, "period_ms": 0})", "/workload/period_ms", "must be between"},
      // The memslot of make_env() is gfns [0x80000, 0x81000).
      {R"({"kind": "uniform", "ops": 1, "first_gfn": 4096})", "/workload/first_gfn",
       "gfn 0x1000 lies outside the memslot (the memslot covers gfns [0x80000, 0x81000))"},
      {R"({"kind": "uniform", "ops": 1, "first_gfn": 528384})", "/workload/first_gfn", "outside the memslot"},
      {R"({"kind": "uniform", "ops": 1, "pages": 4097})", "/workload/pages", "runs past the end of the memslot"},
      {R"({"kind": "uniform", "ops": 1, "first_gfn": 528000, "pages": 400})", "/workload/pages", "at most 384 pages fit"},
      {R"({"kind": "uniform", "ops": 1, "pages": 0})", "/workload/pages", "must be between 1"},
      {R"({"kind": "uniform", "ops": 1, "pages": 3, "shared": false})", "/workload/shared", "fewer than the 4 vCPUs"},
      {R"({"kind": "trace", "path": "x"})", "/workload/format", "required key is missing"},
      {R"({"kind": "trace", "format": "lacky", "path": "x"})", "/workload/format", "did you mean \"lackey\"?"},
      {R"({"kind": "trace", "format": "native"})", "/workload/path", "required key is missing"},
      {R"({"kind": "trace", "format": "native", "path": ""})", "/workload/path", "must name a trace file"},
      {R"({"kind": "trace", "format": "native", "path": "x", "spread": "none"})", "/workload/spread", "unknown key"},
      {R"({"kind": "trace", "format": "native", "path": "x", "ops": 5})", "/workload/ops", "unknown key"},
      {R"({"kind": "trace", "format": "lackey", "path": "x", "include_instructions": 1})", "/workload/include_instructions",
       "must be true or false"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.spec);
    const auto e = catch_input_error([&] { test::make(c.spec, make_env(4)); });
    EXPECT_EQ(e.where(), "test.json: " + c.where);
    EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
  }
}

TEST(WorkloadFactory, MisspeltKeyIsReportedBeforeItsConsequences) {
  // "page" would leave pages at its default; the typo is the error to report, not
  // what the default leads to (here: no pmd boundary in the rest of the slot).
  const auto e = catch_input_error([] {
    test::make(R"({"kind": "pmd_crossing", "ops": 1, "first_gfn": 528000, "page": 20})", make_env());
  });
  EXPECT_EQ(e.where(), "test.json: /workload/page");
  EXPECT_NE(std::string(e.what()).find("did you mean \"pages\"?"), std::string::npos) << e.what();
}

TEST(WorkloadFactory, SpecBuiltInCodeReadsLikeParsedText) {
  // nlohmann::json stores these as signed integers; they must read as counts.
  const nlohmann::json spec = {{"kind", "phases"},
                               {"phases", {{{"kind", "uniform"}, {"ops", 10}, {"pages", 64}}, {{"kind", "zipf"}, {"ops", 5}}}}};
  auto src = make_workload(spec, "/workload", make_env());
  EXPECT_EQ(test::drain(*src, 0).size(), 15u);

  const nlohmann::json negative = {{"kind", "uniform"}, {"ops", -3}};
  const auto e = catch_input_error([&] { make_workload(negative, "/workload", make_env()); });
  EXPECT_EQ(e.where(), "test.json: /workload/ops");
}

TEST(WorkloadFactory, NoMemslotIsAnError) {
  const auto e = catch_input_error([] { test::make(R"({"kind": "uniform", "ops": 1})", make_env(1, 1, 0, 0)); });
  EXPECT_EQ(e.where(), "test.json: /workload");
}

TEST(WorkloadFactory, PointerIsUsedAsGiven) {
  const auto e = catch_input_error([] {
    make_workload(nlohmann::json::parse(R"({"kind": "uniform"})"), "/experiments/2/workload", make_env());
  });
  EXPECT_EQ(e.where(), "test.json: /experiments/2/workload/ops");
}

}  // namespace
}  // namespace s2sim::workloads
