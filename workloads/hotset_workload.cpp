// "hotset": a hot set of pages receives hot_probability of the operations, the rest
// of the region the remainder, each uniformly. The hot set is the first
// max(1, floor(hot_fraction * pages)) pages of the vCPU's region (none when
// hot_fraction is 0); a contiguous hot set keeps it inside as few pmds as possible,
// like a working set of adjacent pages.
#include <cmath>
#include <memory>

#include "workloads/builtin_workloads.h"
#include "workloads/generator.h"

namespace s2sim::workloads {
namespace {

class HotsetWorkload final : public Generator {
 public:
  HotsetWorkload(const CommonKeys& keys, const WorkloadEnv& env, double hot_fraction, double hot_probability)
      : Generator("hotset", keys, env), hot_fraction_(hot_fraction), hot_probability_(hot_probability) {
    const std::uint64_t n = lane(0).region.npages;
    hot_pages_ = static_cast<std::uint64_t>(std::floor(hot_fraction * static_cast<double>(n)));
    if (hot_fraction > 0.0 && hot_pages_ == 0) hot_pages_ = 1;
    if (hot_pages_ > n) hot_pages_ = n;
  }

 protected:
  bool pick(unsigned, Lane& lane, mmu::gfn_t& gfn, GuestOp&) override {
    const std::uint64_t n = lane.region.npages;
    std::uint64_t offset;
    if (hot_pages_ == 0 || hot_pages_ == n) {
      offset = lane.pages.below(n);  // one set only: plain uniform
    } else if (lane.pages.uniform01() < hot_probability_) {
      offset = lane.pages.below(hot_pages_);
    } else {
      offset = hot_pages_ + lane.pages.below(n - hot_pages_);
    }
    gfn = lane.region.first_gfn + offset;
    return true;
  }

  std::string describe_own() const override {
    return "hot_fraction " + format_number(hot_fraction_) + " (" + std::to_string(hot_pages_) + " hot pages), hot_probability " +
           format_number(hot_probability_);
  }

 private:
  double hot_fraction_, hot_probability_;
  std::uint64_t hot_pages_ = 0;
};

}  // namespace

void register_hotset_workload(WorkloadRegistry& registry) {
  registry.add("hotset", [](JsonReader& spec, const WorkloadEnv& env) -> std::unique_ptr<OpSource> {
    const CommonKeys keys = read_common_keys(spec, env);
    const double hot_fraction = spec.get_double_or("hot_fraction", 0.1, 0.0, 1.0);
    const double hot_probability = spec.get_double_or("hot_probability", 0.9, 0.0, 1.0);
    spec.reject_unknown();
    check_region(spec, keys, env);
    return std::make_unique<HotsetWorkload>(keys, env, hot_fraction, hot_probability);
  });
}

}  // namespace s2sim::workloads
