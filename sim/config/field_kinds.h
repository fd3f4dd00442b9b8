// The kinds of field a config table declares (config_fields.h holds the tables).
//
// A declaration says everything about one key: its JSON key, its default, the values
// it takes and a one-line meaning. A section's table is a function that hands a
// visitor each declaration together with the member it fills, in the order the keys
// are read; reading (parse_config), writing (to_json) and listing the keys (the
// README's table, the tests) are three visitors over the same tables, so a key is
// declared in one place only.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace s2sim::sim {

// How one enumerator is spelt in a config.
template <class E>
struct EnumName {
  E value;
  const char* name;
};

// The spelling of `value`; every enumerator has one, so a missing one is a bug.
template <class E>
const char* enum_name(std::span<const EnumName<E>> names, E value) {
  for (const auto& n : names)
    if (n.value == value) return n.name;
  throw std::logic_error("enum value without a config name");
}

// The enumerator spelt `name`, if any.
template <class E>
std::optional<E> enum_value(std::span<const EnumName<E>> names, std::string_view name) {
  for (const auto& n : names)
    if (name == n.name) return n.value;
  return std::nullopt;
}

template <class E>
std::vector<std::string> enum_names(std::span<const EnumName<E>> names) {
  std::vector<std::string> out;
  for (const auto& n : names) out.emplace_back(n.name);
  return out;
}

// true or false.
struct Flag {
  const char* key;
  bool def;
  const char* meaning;
};

// An integer in [min, max], held in a member of type T. `computed` names a default
// that depends on other keys (then `def` is that value, worked out when the table is
// visited); `values` replaces "min .. max" in the key list when only some of the
// range is allowed (a check in the table says which); `required` keys have none.
template <class T>
struct Whole {
  const char* key;
  T def;
  T min;
  T max;
  const char* meaning;
  const char* computed = nullptr;
  const char* values = nullptr;
  bool required = false;
  // Left out of a written config while it holds its default, so that adding the key
  // leaves every existing result's config (and so the result) byte-identical.
  bool quiet = false;
};

// A finite number in [min, max].
struct Real {
  const char* key;
  double def;
  double min;
  double max;
  const char* meaning;
};

// Free text.
struct Text {
  const char* key;
  const char* def;
  const char* meaning;
};

// A name a registry knows (the write-protect walkers); another is reported as
// "unknown <noun> "x" (expected a, b or c)" with the closest name.
struct Named {
  const char* key;
  const char* def;
  const char* noun;
  const std::vector<std::string>& (*names)();
  const char* meaning;
};

// One of a few words, held as an enum; `computed` as for Whole.
template <class E>
struct Choice {
  const char* key;
  E def;
  std::span<const EnumName<E>> names;
  const char* meaning;
  const char* computed = nullptr;
  bool quiet = false;  // as Whole::quiet
};

// One of a few words, held as the word itself.
struct Word {
  const char* key;
  const char* def;
  std::span<const char* const> words;
  const char* meaning;
};

// A value with a reader and writer of its own (the machine, the geometry, the
// memslots, the workload); `def` is null when the key is required.
struct Part {
  const char* key;
  nlohmann::json def;
  const char* meaning;
};

// An object of further keys, read with its own table; absent reads as {}.
struct Section {
  const char* key;
  const char* meaning;
};

// A key that selects which further keys its object takes (a stop rule's "kind"):
// its table names each option with the keys that option reads; the first option is
// the default.
struct Kind {
  const char* key;
  const char* meaning;
  // Left out of a written config, with its option's keys, while the first option is
  // chosen (as Whole::quiet).
  bool quiet = false;
};

// A key that is allowed and not read ("comment" in most objects).
struct Ignored {
  const char* key;
  const char* meaning;
};

}  // namespace s2sim::sim
