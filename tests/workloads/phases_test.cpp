// Phases run in order per vCPU; each phase is a full workload spec.
#include "workloads/workload_test_support.h"

namespace s2sim::workloads {
namespace {

using test::catch_input_error;
using test::drain;
using test::make_env;

std::vector<mmu::gfn_t> gfns(const std::vector<GuestOp>& ops) {
  std::vector<mmu::gfn_t> out;
  for (const GuestOp& op : ops) out.push_back(op.ipa >> mmu::PAGE_SHIFT);
  return out;
}

TEST(Phases, RunInOrderPerVcpu) {
  auto src = test::make(R"({"kind": "phases", "phases": [
      {"kind": "sequential", "ops": 3, "first_gfn": 524288, "pages": 16},
      {"kind": "sequential", "ops": 2, "first_gfn": 524800, "pages": 16, "write_ratio": 0}]})",
                        make_env(2));
  const auto v1 = drain(*src, 1);  // vCPU 1 finishes both phases before vCPU 0 starts
  const auto v0 = drain(*src, 0);
  const std::vector<mmu::gfn_t> expected = {0x80000, 0x80001, 0x80002, 0x80200, 0x80201};
  EXPECT_EQ(gfns(v0), expected);
  EXPECT_EQ(gfns(v1), expected);
  EXPECT_EQ(v0[2].access, mmu::Access::Write);
  EXPECT_EQ(v0[3].access, mmu::Access::Read);
}

TEST(Phases, IdenticalRandomPhasesDoNotRepeatEachOther) {
  auto src = test::make(R"({"kind": "phases", "phases": [{"kind": "uniform", "ops": 50}, {"kind": "uniform", "ops": 50}]})",
                        make_env());
  const auto ops = drain(*src, 0);
  ASSERT_EQ(ops.size(), 100u);
  EXPECT_NE(std::vector<GuestOp>(ops.begin(), ops.begin() + 50), std::vector<GuestOp>(ops.begin() + 50, ops.end()));
}

TEST(Phases, NestAndDescribe) {
  auto src = test::make(R"({"kind": "phases", "phases": [
      {"kind": "phases", "phases": [{"kind": "uniform", "ops": 1}, {"kind": "zipf", "ops": 2}]},
      {"kind": "hotset", "ops": 3}]})",
                        make_env());
  EXPECT_EQ(drain(*src, 0).size(), 6u);
  const std::string d = src->describe();
  EXPECT_EQ(d.rfind("phases: [phases: [uniform", 0), 0u) << d;
  EXPECT_NE(d.find("then [hotset"), std::string::npos) << d;
}

TEST(Phases, ErrorsPointIntoThePhase) {
  auto e = catch_input_error([] {
    test::make(R"({"kind": "phases", "phases": [{"kind": "uniform", "ops": 1}, {"kind": "unifrom", "ops": 1}]})", make_env());
  });
  EXPECT_EQ(e.where(), "test.json: /workload/phases/1/kind");
  EXPECT_NE(std::string(e.what()).find("did you mean \"uniform\"?"), std::string::npos) << e.what();

  e = catch_input_error([] { test::make(R"({"kind": "phases", "phases": [{"kind": "uniform"}]})", make_env()); });
  EXPECT_EQ(e.where(), "test.json: /workload/phases/0/ops");

  e = catch_input_error([] { test::make(R"({"kind": "phases", "phases": [42]})", make_env()); });
  EXPECT_EQ(e.where(), "test.json: /workload/phases/0");

  e = catch_input_error([] { test::make(R"({"kind": "phases", "ops": 5, "phases": [{"kind": "uniform", "ops": 1}]})", make_env()); });
  EXPECT_EQ(e.where(), "test.json: /workload/ops");
  EXPECT_NE(std::string(e.what()).find("inside each phase"), std::string::npos) << e.what();

  e = catch_input_error([] { test::make(R"({"kind": "phases", "phases": []})", make_env()); });
  EXPECT_EQ(e.where(), "test.json: /workload/phases");

  e = catch_input_error([] { test::make(R"({"kind": "phases", "phases": {"kind": "uniform"}})", make_env()); });
  EXPECT_EQ(e.where(), "test.json: /workload/phases");
}

}  // namespace
}  // namespace s2sim::workloads
