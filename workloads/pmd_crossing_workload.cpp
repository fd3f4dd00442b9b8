// "pmd_crossing": writes clustered in windows that straddle a 2 MiB (pmd) boundary,
// the case the write-protect walkers' crosses_pmd optimization is about: one bitmap
// word whose set bits span two pte tables. Each window picks a random pmd boundary
// b (a gfn multiple of PMD_PAGES, in the guest's IPA space, not relative to the region)
// whose window [b - window_pages/2, b + window_pages - window_pages/2) lies inside
// the vCPU's region, and touches the window's pages once each in ascending order;
// then the next window is drawn.
#include <memory>

#include "mmu/granule.h"
#include "workloads/builtin_workloads.h"
#include "workloads/generator.h"

namespace s2sim::workloads {
namespace {

// The pmd boundaries a window of `w` pages can straddle inside `r`.
struct Boundaries {
  mmu::gfn_t first = 0;     // lowest usable boundary gfn
  std::uint64_t count = 0;  // usable boundaries, PMD_PAGES apart
};

Boundaries usable_boundaries(const Region& r, std::uint64_t w) {
  const std::uint64_t below = w / 2, above = w - w / 2;
  if (r.npages < w) return {};
  const mmu::gfn_t lo = r.first_gfn + below;      // lowest b with b - below >= first
  const mmu::gfn_t hi = r.end_gfn() - above;      // highest b with b + above <= end
  const mmu::gfn_t first = mmu::pmd_aligned(lo) ? lo : mmu::pmd_end_gfn(lo);
  const mmu::gfn_t last = mmu::pmd_base_gfn(hi);
  if (first > hi || last < first) return {};
  return {first, (last - first) / mmu::PMD_PAGES + 1};
}

class PmdCrossingWorkload final : public Generator {
 public:
  PmdCrossingWorkload(const CommonKeys& keys, const WorkloadEnv& env, std::uint64_t window)
      : Generator("pmd_crossing", keys, env), window_(window) {
    for (unsigned v = 0; v < vcpus(); ++v) state_.push_back(State{usable_boundaries(lane(v).region, window), 0, 0});
  }

 protected:
  bool pick(unsigned vcpu, Lane& lane, mmu::gfn_t& gfn, GuestOp&) override {
    State& s = state_[vcpu];
    if (s.index == 0) s.boundary = s.usable.first + mmu::PMD_PAGES * lane.pages.below(s.usable.count);
    gfn = s.boundary - window_ / 2 + s.index;
    if (++s.index == window_) s.index = 0;
    return true;
  }

  std::string describe_own() const override { return "window_pages " + std::to_string(window_); }

 private:
  struct State {
    Boundaries usable;
    mmu::gfn_t boundary;
    std::uint64_t index;  // position in the current window
  };
  std::uint64_t window_;
  std::vector<State> state_;
};

}  // namespace

void register_pmd_crossing_workload(WorkloadRegistry& registry) {
  registry.add("pmd_crossing", [](JsonReader& spec, const WorkloadEnv& env) -> std::unique_ptr<OpSource> {
    const CommonKeys keys = read_common_keys(spec, env);
    // At most two pmds' worth, so a window straddles exactly one boundary.
    const std::uint64_t window = spec.get_u64_or("window_pages", 32, 2, 2 * mmu::PMD_PAGES);
    spec.reject_unknown();
    check_region(spec, keys, env);
    const unsigned n = env.vcpus == 0 ? 1 : env.vcpus;
    for (unsigned v = 0; v < n; ++v) {
      const Region r = lane_region(keys, v, n);
      if (usable_boundaries(r, window).count == 0) {
        spec.fail("pages", std::string(keys.shared ? "the region" : "vCPU " + std::to_string(v) + "'s partition") + " gfns [" +
                               hex(r.first_gfn) + ", " + hex(r.end_gfn()) + ") contains no 2 MiB boundary with " +
                               std::to_string(window / 2) + " pages below and " + std::to_string(window - window / 2) +
                               " above it inside the region");
      }
    }
    return std::make_unique<PmdCrossingWorkload>(keys, env, window);
  });
}

}  // namespace s2sim::workloads
