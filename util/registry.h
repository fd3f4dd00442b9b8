// Components chosen by name: write-protect walkers (mmu/wp_registry.cpp), workload
// kinds (workloads/workload_factory.cpp) and migration stop rules
// (sim/engine/stop_rule.cpp) all use this one shape. A name maps to a factory and a
// one-line description; names() lists them in registration order, for help texts
// and for the "did you mean" of an unknown name (closest()). A registry is filled
// once at start-up by explicit calls (not static initializers, which a static
// library may drop) and only read afterwards; it is not synchronized.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/json_reader.h"

namespace s2sim::util {

template <class Factory>
class Registry {
 public:
  struct Entry {
    std::string name;
    Factory make;
    std::string description;
  };

  // Registering a name twice is a programming error (std::logic_error): the second
  // entry would silently shadow the first.
  void add(std::string name, Factory make, std::string description = {}) {
    if (entry(name) != nullptr) throw std::logic_error("\"" + name + "\" registered twice");
    names_.push_back(name);
    entries_.push_back(Entry{std::move(name), std::move(make), std::move(description)});
  }

  // The entry registered under `name`, or nullptr.
  const Entry* entry(std::string_view name) const {
    for (const Entry& e : entries_)
      if (e.name == name) return &e;
    return nullptr;
  }
  // The factory registered under `name`, or nullptr.
  const Factory* find(std::string_view name) const {
    const Entry* e = entry(name);
    return e ? &e->make : nullptr;
  }
  // Every name, in registration order.
  const std::vector<std::string>& names() const { return names_; }
  // The registered name closest to `word` (for "did you mean"), or "" if none is close.
  std::string closest(const std::string& word) const { return closest_match(word, names_); }

 private:
  std::vector<Entry> entries_;
  std::vector<std::string> names_;
};

}  // namespace s2sim::util
