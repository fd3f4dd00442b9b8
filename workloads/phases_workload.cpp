// "phases": workloads run one after the other, per vCPU: a vCPU moves to phase i+1
// as soon as its own stream of phase i is exhausted, independently of the others.
//
//   {"kind": "phases", "phases": [{"kind": "sequential", "ops": 1000}, {"kind": "zipf", "ops": 5000}]}
//
// The outer object takes only "kind" and "phases": each phase is a complete workload
// spec of any kind (a trace or another "phases" included) with its own ops, region
// and keys, and errors point into it (/workload/phases/1/kind). Phase i runs with a
// seed derived from the run seed and i, so two identical phases do not repeat each
// other's random choices.
#include <memory>
#include <vector>

#include "workloads/builtin_workloads.h"
#include "workloads/prng.h"

namespace s2sim::workloads {
namespace {

inline constexpr std::uint64_t kPhaseSeedLabel = 0x7068617365;  // "phase"

class PhasesWorkload final : public OpSource {
 public:
  PhasesWorkload(std::vector<std::unique_ptr<OpSource>> phases, unsigned vcpus)
      : phases_(std::move(phases)), current_(vcpus == 0 ? 1 : vcpus, 0) {}

  bool next(unsigned vcpu, GuestOp& op) override {
    if (vcpu >= current_.size()) return false;
    std::size_t& i = current_[vcpu];
    for (; i < phases_.size(); ++i) {
      if (phases_[i]->next(vcpu, op)) return true;
    }
    return false;
  }

  std::string describe() const override {
    std::string s = "phases: ";
    for (std::size_t i = 0; i < phases_.size(); ++i) s += (i ? "; then " : "") + ("[" + phases_[i]->describe() + "]");
    return s;
  }

  bool can_read_ahead() const override {
    for (const auto& p : phases_)
      if (!p->can_read_ahead()) return false;
    return true;
  }

  std::uint64_t skipped_lines() const override {
    std::uint64_t n = 0;
    for (const auto& p : phases_) n += p->skipped_lines();
    return n;
  }

  std::uint64_t mapped_regions() const override {
    std::uint64_t n = 0;
    for (const auto& p : phases_) n += p->mapped_regions();
    return n;
  }

  // The phases' units added up (operations, or a trace phase's bytes); unknown when
  // any phase's total is.
  ReadProgress read_progress() const override {
    ReadProgress sum;
    for (const auto& p : phases_) {
      const ReadProgress one = p->read_progress();
      if (one.total == 0) return {};
      sum.done += one.done;
      sum.total += one.total;
    }
    return sum;
  }

 private:
  std::vector<std::unique_ptr<OpSource>> phases_;
  std::vector<std::size_t> current_;  // per vCPU: the phase it is in
};

}  // namespace

void register_phases_workload(WorkloadRegistry& registry) {
  registry.add("phases", [](JsonReader& spec, const WorkloadEnv& env) -> std::unique_ptr<OpSource> {
    // A common key here would be ambiguous (which phase does it bound?); say where it belongs.
    for (const char* key : {"ops", "pages", "first_gfn", "write_ratio", "think_cycles", "shared"}) {
      if (spec.has(key)) spec.fail(key, std::string("belongs inside each phase, not in the \"phases\" workload itself"));
    }
    const nlohmann::json& list = spec.get_array("phases");
    spec.reject_unknown();
    if (list.empty()) spec.fail("phases", "must hold at least one workload");
    std::vector<std::unique_ptr<OpSource>> phases;
    for (std::size_t i = 0; i < list.size(); ++i) {
      WorkloadEnv phase_env = env;
      phase_env.seed = derive_seed(env.seed, kPhaseSeedLabel, i);
      phases.push_back(make_workload(list[i], spec.path("phases") + "/" + std::to_string(i), phase_env));
    }
    return std::make_unique<PhasesWorkload>(std::move(phases), env.vcpus);
  });
}

}  // namespace s2sim::workloads
