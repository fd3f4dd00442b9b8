// "periodic": the dirtyram test published with the 2014 KVM/ARM dirty-logging
// series (2,048 pages, every 200th of 409,600, dirtied every 30 ms). Every period_ms
// of simulated time the vCPU dirties burst_pages pages stride pages apart, starting
// at its region's first page and wrapping inside the region, then idles until the
// next period. Burst k's first operation carries not_before_cycles =
// round(k * period_ms * clock_hz / 1000); burst 0 starts at once. Every burst
// touches the same pages, as dirtyram does. `ops` bounds the operations per vCPU.
// With shared = false each vCPU bursts over its own partition.
#include <cmath>
#include <memory>

#include "workloads/builtin_workloads.h"
#include "workloads/generator.h"

namespace s2sim::workloads {
namespace {

class PeriodicWorkload final : public Generator {
 public:
  PeriodicWorkload(const CommonKeys& keys, const WorkloadEnv& env, double period_ms, std::uint64_t burst_pages,
                   std::uint64_t stride)
      : Generator("periodic", keys, env),
        period_ms_(period_ms),
        period_cycles_(period_ms * env.clock_hz / 1000.0),
        burst_pages_(burst_pages),
        stride_(stride),
        state_(vcpus()) {}

 protected:
  bool pick(unsigned vcpu, Lane& lane, mmu::gfn_t& gfn, GuestOp& op) override {
    State& s = state_[vcpu];
    if (s.index == 0 && s.burst > 0) {
      op.not_before_cycles = static_cast<std::uint64_t>(std::llround(static_cast<double>(s.burst) * period_cycles_));
    }
    // index < burst_pages <= 2^31 and stride <= 2^31: the product fits.
    gfn = lane.region.first_gfn + (s.index * stride_) % lane.region.npages;
    if (++s.index == burst_pages_) {
      s.index = 0;
      ++s.burst;
    }
    return true;
  }

  std::string describe_own() const override {
    return "period " + format_number(period_ms_) + " ms (" + std::to_string(std::llround(period_cycles_)) + " cycles), burst_pages " +
           std::to_string(burst_pages_) + ", stride " + std::to_string(stride_);
  }

 private:
  struct State {
    std::uint64_t burst = 0;  // k
    std::uint64_t index = 0;  // position in the burst
  };
  double period_ms_, period_cycles_;
  std::uint64_t burst_pages_, stride_;
  std::vector<State> state_;
};

}  // namespace

void register_periodic_workload(WorkloadRegistry& registry) {
  registry.add("periodic", [](JsonReader& spec, const WorkloadEnv& env) -> std::unique_ptr<OpSource> {
    const CommonKeys keys = read_common_keys(spec, env);
    const double period_ms = spec.get_double_or("period_ms", 30.0, 0.001, 1e7);
    const std::uint64_t burst_pages = spec.get_u64_or("burst_pages", 2048, 1, std::uint64_t{1} << 31);
    const std::uint64_t stride = spec.get_u64_or("stride", 200, 1, std::uint64_t{1} << 31);
    spec.reject_unknown();
    check_region(spec, keys, env);
    // The last burst's start time must fit the engine's cycle counters comfortably.
    const double period_cycles = period_ms * env.clock_hz / 1000.0;
    const std::uint64_t last_burst = keys.ops == 0 ? 0 : (keys.ops - 1) / burst_pages;
    if (static_cast<double>(last_burst) * period_cycles > 0x1.0p62) {
      spec.fail("period_ms", "with " + std::to_string(keys.ops) + " ops the last burst would start after 2^62 cycles");
    }
    return std::make_unique<PeriodicWorkload>(keys, env, period_ms, burst_pages, stride);
  });
}

}  // namespace s2sim::workloads
