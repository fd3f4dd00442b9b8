// Walkers registered by name: the config and the benchmarks choose one by its name.
#include <functional>

#include "mmu/wp_walkers.h"

namespace s2sim::mmu {

namespace {

struct Entry {
  const char* name;
  const char* description;
  std::function<std::unique_ptr<WpWalker>()> make;
};

const std::vector<Entry>& registry() {
  static const std::vector<Entry> r = {
      {"naive", "a full pgd->pmd->pte walk for every set bit", [] { return std::make_unique<NaiveWalker>(); }},
      {"v4", "the 2014 seed's crosses_pmd walker, latent bugs included", [] { return std::make_unique<V4Walker>(); }},
      {"v4-fixed", "crosses_pmd made correct: one upper walk per pmd region, blocks protected",
       [] { return std::make_unique<V4FixedWalker>(); }},
      {"range", "upstream's stage2_wp_range over [__ffs(mask), __fls(mask)]",
       [] { return std::make_unique<RangeWalker>(); }},
  };
  return r;
}

}  // namespace

std::unique_ptr<WpWalker> make_wp_walker(const std::string& name) {
  for (const auto& e : registry())
    if (name == e.name) return e.make();
  return nullptr;
}

const std::vector<std::string>& wp_walker_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& e : registry()) n.emplace_back(e.name);
    return n;
  }();
  return names;
}

const char* wp_walker_description(const std::string& name) {
  for (const auto& e : registry())
    if (name == e.name) return e.description;
  return "";
}

}  // namespace s2sim::mmu
