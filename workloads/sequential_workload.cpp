// "sequential": a memset-like sweep. Each pass visits the pages at offsets
// start, start+stride, start+2*stride, ... of the vCPU's region, wrapping around its
// end, ceil(pages / stride) pages per pass; every pass repeats the same sweep.
// The stream ends after `passes` passes (0 = no limit) or `ops` operations,
// whichever comes first. With shared regions every vCPU sweeps the same pages.
#include <memory>

#include "workloads/builtin_workloads.h"
#include "workloads/generator.h"

namespace s2sim::workloads {
namespace {

class SequentialWorkload final : public Generator {
 public:
  SequentialWorkload(const CommonKeys& keys, const WorkloadEnv& env, std::uint64_t stride, std::uint64_t passes,
                     std::uint64_t start)
      : Generator("sequential", keys, env), stride_(stride), passes_(passes), start_(start), pos_(vcpus()) {}

 protected:
  bool pick(unsigned vcpu, Lane& lane, mmu::gfn_t& gfn, GuestOp&) override {
    Position& p = pos_[vcpu];
    if (passes_ != 0 && p.passes_done >= passes_) return false;
    const std::uint64_t n = lane.region.npages;
    const std::uint64_t per_pass = (n + stride_ - 1) / stride_;
    // index < per_pass keeps index * stride below n + stride: no overflow.
    gfn = lane.region.first_gfn + (start_ + p.index * stride_) % n;
    if (++p.index == per_pass) {
      p.index = 0;
      ++p.passes_done;
    }
    return true;
  }

  std::string describe_own() const override {
    return "stride " + std::to_string(stride_) + ", passes " + (passes_ == 0 ? std::string("unlimited") : std::to_string(passes_)) +
           ", start " + std::to_string(start_);
  }

 private:
  struct Position {
    std::uint64_t index = 0;        // within the current pass
    std::uint64_t passes_done = 0;
  };
  std::uint64_t stride_, passes_, start_;
  std::vector<Position> pos_;
};

}  // namespace

void register_sequential_workload(WorkloadRegistry& registry) {
  registry.add("sequential", [](JsonReader& spec, const WorkloadEnv& env) -> std::unique_ptr<OpSource> {
    const CommonKeys keys = read_common_keys(spec, env);
    const std::uint64_t stride = spec.get_u64_or("stride", 1, 1, std::uint64_t{1} << 32);
    const std::uint64_t passes = spec.get_u64_or("passes", 1, 0, kMaxOpsPerVcpu);
    const std::uint64_t start = spec.get_u64_or("start", 0, 0, UINT64_MAX);
    spec.reject_unknown();
    check_region(spec, keys, env);
    const std::uint64_t lane_pages = lane_region(keys, 0, env.vcpus).npages;
    if (start >= lane_pages) {
      spec.fail("start", "page offset " + std::to_string(start) + " is outside the " + std::to_string(lane_pages) +
                             "-page region" + (keys.shared ? "" : " of each vCPU"));
    }
    return std::make_unique<SequentialWorkload>(keys, env, stride, passes, start);
  });
}

}  // namespace s2sim::workloads
