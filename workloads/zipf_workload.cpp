// "zipf": pages chosen with Zipf popularity: rank k is touched with probability
// proportional to k^-exponent. Ranks map to pages of the vCPU's region by
//   permute = true (default): page offset = (a * (k-1) + b) mod pages, with a coprime
//     to pages and a, b drawn from the run seed. An affine bijection needs no table,
//     so a region of millions of pages costs O(1) memory and time per operation; it
//     scatters the popular pages over the region (they do not all share one pmd),
//     without being a uniformly random permutation. The same a, b serve every vCPU,
//     so in a shared region all vCPUs agree on which pages are hot.
//   permute = false: rank order, page offset = k-1 (the first page is the hottest).
#include <memory>
#include <numeric>

#include "workloads/builtin_workloads.h"
#include "workloads/generator.h"
#include "workloads/zipf_sampler.h"

namespace s2sim::workloads {
namespace {

__extension__ typedef unsigned __int128 uint128_t;  // (a * rank) mod n needs 128 bits

inline constexpr std::uint64_t kZipfPermutationLabel = 0x7a697066;  // "zipf"

class ZipfWorkload final : public Generator {
 public:
  ZipfWorkload(const CommonKeys& keys, const WorkloadEnv& env, double exponent, bool permute)
      : Generator("zipf", keys, env), sampler_(lane(0).region.npages, exponent), permute_(permute) {
    const std::uint64_t n = lane(0).region.npages;
    if (permute_ && n > 1) {
      Rng rng(derive_seed(env.seed, kZipfPermutationLabel));
      do {
        a_ = 1 + rng.below(n - 1);
      } while (std::gcd(a_, n) != 1);
      b_ = rng.below(n);
    }
  }

 protected:
  bool pick(unsigned, Lane& lane, mmu::gfn_t& gfn, GuestOp&) override {
    const std::uint64_t rank0 = sampler_.sample(lane.pages) - 1;
    const std::uint64_t n = lane.region.npages;
    const std::uint64_t offset = permute_ ? static_cast<std::uint64_t>((static_cast<uint128_t>(a_) * rank0 + b_) % n) : rank0;
    gfn = lane.region.first_gfn + offset;
    return true;
  }

  std::string describe_own() const override {
    return "exponent " + format_number(sampler_.exponent()) + (permute_ ? ", ranks scattered" : ", ranks in page order");
  }

 private:
  ZipfSampler sampler_;
  bool permute_;
  std::uint64_t a_ = 1, b_ = 0;
};

}  // namespace

void register_zipf_workload(WorkloadRegistry& registry) {
  registry.add("zipf", [](JsonReader& spec, const WorkloadEnv& env) -> std::unique_ptr<OpSource> {
    const CommonKeys keys = read_common_keys(spec, env);
    const double exponent = spec.get_double_or("exponent", 0.99, 0.0, 100.0);
    if (exponent <= 0.0) spec.fail("exponent", "must be greater than 0");
    const bool permute = spec.get_bool_or("permute", true);
    spec.reject_unknown();
    check_region(spec, keys, env);
    return std::make_unique<ZipfWorkload>(keys, env, exponent, permute);
  });
}

}  // namespace s2sim::workloads
