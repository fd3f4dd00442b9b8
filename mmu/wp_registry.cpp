// Walkers registered by name (util/registry.h): the config and the benchmarks choose
// one by its name.
#include <functional>

#include "mmu/wp_walkers.h"
#include "util/registry.h"

namespace s2sim::mmu {

namespace {

using WpWalkerFactory = std::function<std::unique_ptr<WpWalker>()>;

const util::Registry<WpWalkerFactory>& registry() {
  static const util::Registry<WpWalkerFactory> r = [] {
    util::Registry<WpWalkerFactory> reg;
    reg.add("naive", [] { return std::make_unique<NaiveWalker>(); }, "a full pgd->pmd->pte walk for every set bit");
    reg.add("v4", [] { return std::make_unique<V4Walker>(); },
            "the 2014 seed's crosses_pmd walker, latent bugs included");
    reg.add("v4-fixed", [] { return std::make_unique<V4FixedWalker>(); },
            "crosses_pmd made correct: one upper walk per pmd region, blocks protected");
    reg.add("range", [] { return std::make_unique<RangeWalker>(); },
            "upstream's stage2_wp_range over [__ffs(mask), __fls(mask)]");
    return reg;
  }();
  return r;
}

}  // namespace

std::unique_ptr<WpWalker> make_wp_walker(const std::string& name) {
  const WpWalkerFactory* make = registry().find(name);
  return make ? (*make)() : nullptr;
}

const std::vector<std::string>& wp_walker_names() { return registry().names(); }

const char* wp_walker_description(const std::string& name) {
  const auto* e = registry().entry(name);
  return e ? e->description.c_str() : "";
}

}  // namespace s2sim::mmu
