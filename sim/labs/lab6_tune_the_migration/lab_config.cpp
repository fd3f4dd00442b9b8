// The workload and budget kind lab 6 draws for a seed, before any run: a small
// memslot, one or two vCPUs, a generator and a link, in the lab's starting config.
#include <algorithm>

#include "mmu/granule.h"
#include "sim/labs/lab6_tune_the_migration/tune_lab.h"
#include "sim/labs/lab_problems.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab {

using tune::kGridWalker;
using tune::ojson;
using workloads::Rng;

nlohmann::ordered_json tune_lab_config(std::uint64_t seed, unsigned attempt) {
  // The first draw is the seed's own; later draws (make_tune_lab's retries) a stream apart.
  Rng rng(attempt == 0 ? workloads::derive_seed(seed, 6) : workloads::derive_seed(seed, 6, 16 + attempt));
  const std::uint64_t npages = rng.below(2) ? 1024 : 512;
  const std::uint64_t base = 0x80000 + rng.below(0x400) * mmu::PMD_PAGES;  // 2 MiB aligned, 2 GiB to 4 GiB
  const unsigned vcpus = 1 + static_cast<unsigned>(rng.below(2));
  const double links[] = {0.5, 1.0, 2.0};
  const double link = links[rng.below(3)];
  const std::uint64_t thinks[] = {20000, 40000, 80000};
  const std::uint64_t think = thinks[rng.below(3)];
  const double write_ratios[] = {0.3, 0.5, 0.7};

  ojson w;
  const unsigned kind = static_cast<unsigned>(rng.below(3));
  w["kind"] = kind == 0 ? "hotset" : kind == 1 ? "zipf" : "uniform";
  // The guest runs for 40 times round 0 (which sends the whole slot): longer than
  // any grid config's migration (at most 10 rounds), and a bound on what a run costs.
  const double page_cycles = std::max(2500.0, 4096.0 * 8.0 / (link * 1e9) * 1.7e9);
  const auto ops =
      static_cast<std::uint64_t>(40.0 * static_cast<double>(npages) * page_cycles / static_cast<double>(think + 300));
  w["ops"] = ops;
  if (kind == 0) {
    // A hot set rewritten all the time over a colder rest.
    const double fractions[] = {0.05, 0.1, 0.2};
    const double probabilities[] = {0.8, 0.9, 0.95};
    w["hot_fraction"] = fractions[rng.below(3)];
    w["hot_probability"] = probabilities[rng.below(3)];
    w["write_ratio"] = write_ratios[rng.below(3)];
  } else if (kind == 1) {
    const double exponents[] = {0.9, 1.1, 1.3};
    w["exponent"] = exponents[rng.below(3)];
    w["permute"] = true;
    w["write_ratio"] = write_ratios[rng.below(3)];
  } else {
    // Few writes spread over the whole slot: each round finds about as many dirty
    // pages as its length allows.
    const double rare[] = {0.05, 0.1, 0.2};
    w["write_ratio"] = rare[rng.below(3)];
  }
  w["think_cycles"] = think;

  ojson d;
  d["comment"] = "Lab 6 (tune the migration), seed " + std::to_string(seed) +
                 ": choose /migration/stop_rule, /migration/max_rounds and /dirty_log/walker to meet the budget "
                 "s2sim lab show 6 --seed " +
                 std::to_string(seed) + " states.";
  d["seed"] = workloads::derive_seed(seed, 6, 2) % 1000000;
  d["machine"] = "cortex-a15";
  d["geometry"] = "armv7-lpae";
  d["vcpus"] = vcpus;
  d["memslots"] = ojson::array({{{"id", 0}, {"base_gfn", base}, {"npages", npages}}});
  d["workload"] = w;
  d["dirty_log"] = {{"walker", kGridWalker}, {"bits_per_long", 32}};
  d["migration"] = {{"link_gbps", link},
                    {"start_ms", 1},
                    {"max_rounds", 30},
                    {"stop_rule", {{"kind", "qemu"}, {"downtime_limit_ms", 300}}}};
  d["verify"] = {{"enabled", true}};
  return d;
}

}  // namespace s2sim::sim::lab
