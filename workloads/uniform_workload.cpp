// "uniform": every operation touches a page drawn uniformly from the vCPU's region.
#include <memory>

#include "workloads/builtin_workloads.h"
#include "workloads/generator.h"

namespace s2sim::workloads {
namespace {

class UniformWorkload final : public Generator {
 public:
  UniformWorkload(const CommonKeys& keys, const WorkloadEnv& env) : Generator("uniform", keys, env) {}

  std::size_t next_batch(unsigned vcpu, GuestOp* out, std::size_t n) override {
    return fill(vcpu, out, n, [this](unsigned v, Lane& l, mmu::gfn_t& gfn, GuestOp& o) {
      return UniformWorkload::pick(v, l, gfn, o);  // qualified: no virtual call
    });
  }

 protected:
  bool pick(unsigned, Lane& lane, mmu::gfn_t& gfn, GuestOp&) override {
    gfn = lane.region.first_gfn + lane.pages.below(lane.region.npages);
    return true;
  }
  std::string describe_own() const override { return {}; }
};

}  // namespace

void register_uniform_workload(WorkloadRegistry& registry) {
  registry.add("uniform", [](JsonReader& spec, const WorkloadEnv& env) -> std::unique_ptr<OpSource> {
    const CommonKeys keys = read_common_keys(spec, env);
    spec.reject_unknown();
    check_region(spec, keys, env);
    return std::make_unique<UniformWorkload>(keys, env);
  });
}

}  // namespace s2sim::workloads
