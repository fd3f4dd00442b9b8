// The field tables (sim/config/config_fields.h) against the reader and writer built
// from them: every key reads into a member and is written back under the same key,
// every enum word maps both ways, an absent key reads as its declared default (in a
// bare config and in the built-in default alike), and a misspelt key is answered
// with the key the table declares.
#include <gtest/gtest.h>

#include <set>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "sim/config/config_fields.h"
#include "sim/config/config_keys.h"
#include "util/input_error.h"

namespace s2sim::sim {
namespace {

using nlohmann::json;

// The smallest config there is: one memslot, everything else left to its default.
// On the kernel that offers every dirty-log API, so that each API's keys are read.
json bare_config() {
  return json::parse(R"({"kernel": "linux-6.6-arm64", "memslots": [{"base_gfn": 524288, "npages": 4096}]})");
}

// Read as a file is read (nlohmann keeps non-negative integers from text unsigned).
json resolve(const json& doc) { return to_json(parse_config(json::parse(doc.dump()), "test.json", configs_dir())); }

bool is_scalar(const ConfigKey& k) {
  return k.type == "boolean" || k.type == "integer" || k.type == "number" || k.type == "string";
}

// The config `doc` with `k` set to `value`, its parents made objects where the bare
// config has none (a geometry spelt out) and its object (a stop rule, the dirty log's
// API) of the kind it belongs to.
json with_key(json doc, const ConfigKey& k, const json& value) {
  const json::json_pointer p(k.pointer);
  if (!doc.contains(p.parent_pointer()) || !doc.at(p.parent_pointer()).is_object())
    doc[p.parent_pointer()] = json::object();
  if (!k.when.empty()) doc[p.parent_pointer() / k.when_key] = k.when;
  doc[p] = value;
  return doc;
}

// Values to try for a key: its every word, or both ends of its range, next to them
// and the middle.
std::vector<json> candidate_values(const ConfigKey& k) {
  if (!k.choices.empty()) {
    std::vector<json> v;
    for (const auto& c : k.choices) v.emplace_back(c);
    return v;
  }
  if (k.type == "boolean") return {true, false};
  if (k.type == "string") return {"a name of our own"};
  if (k.type == "number") return {k.min, k.max, (k.min.get<double>() + k.max.get<double>()) / 2};
  if (k.type == "integer") {
    const std::uint64_t lo = k.min.get<std::uint64_t>(), hi = k.max.get<std::uint64_t>();
    return {lo, hi, lo + 1, hi - 1, lo + (hi - lo) / 2};
  }
  return {};
}

// Every enumerator has one word of its own, and that word reads back as it.
template <class E>
void expect_both_ways(std::span<const EnumName<E>> names, const std::vector<E>& enumerators) {
  std::set<std::string> words;
  for (const E e : enumerators) {
    const char* word = enum_name(names, e);
    EXPECT_TRUE(words.insert(word).second) << "two enumerators are spelt " << word;
    EXPECT_EQ(enum_value(names, word), e) << word;
  }
  EXPECT_EQ(words.size(), names.size()) << "a word without its own enumerator";
  EXPECT_FALSE(enum_value(names, "no-such-word").has_value());
}

TEST(ConfigFields, EveryEnumWordMapsBothWays) {
  using mmu::BlockPolicy, mmu::FlushPlacement, mmu::SnapshotOrder;
  expect_both_ways<SnapshotOrder>(kSnapshotOrders, {SnapshotOrder::Kernel, SnapshotOrder::AfterWp});
  expect_both_ways<FlushPlacement>(kFlushPlacements, {FlushPlacement::Seed, FlushPlacement::Merged});
  expect_both_ways<BlockPolicy>(kBlockPolicies, {BlockPolicy::Dissolve, BlockPolicy::Keep});
}

TEST(ConfigFields, EveryEnumWordReadsIntoItsEnumerator) {
  json doc = bare_config();
  doc["dirty_log"] = {{"snapshot", "after_wp"}, {"flush_placement", "merged"}, {"block_policy", "keep"}};
  const SimConfig c = parse_config(doc, "test.json", configs_dir());
  EXPECT_EQ(c.dirty_log.options.snapshot, mmu::SnapshotOrder::AfterWp);
  EXPECT_EQ(c.dirty_log.options.flush_placement, mmu::FlushPlacement::Merged);
  EXPECT_EQ(c.block_policy, mmu::BlockPolicy::Keep);
}

TEST(ConfigFields, KeysAreDeclaredOnce) {
  std::set<std::string> seen;
  for (const ConfigKey& k : config_keys()) {
    EXPECT_TRUE(seen.insert(k.when + " " + k.path).second) << k.path << " is declared twice";
    EXPECT_FALSE(k.meaning.empty()) << k.path << " has no meaning";
  }
}

TEST(ConfigFields, EveryKeyRoundTripsThroughParseAndToJson) {
  int round_trips = 0;
  for (const ConfigKey& k : config_keys()) {
    if (!is_scalar(k)) continue;
    SCOPED_TRACE(k.path + (k.when.empty() ? "" : " (kind " + k.when + ")"));
    int accepted = 0;
    for (const json& value : candidate_values(k)) {
      json doc = with_key(bare_config(), k, value);
      // Hardware dirty state exists from ARMv8.1 on: its keys are tried on an ARMv8 geometry.
      if (k.path == "dirty_log.hw_dirty") doc["geometry"] = "armv8-3level";
      json resolved;
      try {
        resolved = resolve(doc);
      } catch (const InputError&) {
        continue;  // refused for another key's sake (a slot outside the IPA space, ...)
      }
      ++accepted;
      if (k.quiet && value == k.def) EXPECT_FALSE(resolved.contains(json::json_pointer(k.pointer)));
      else EXPECT_EQ(resolved.at(json::json_pointer(k.pointer)), value) << value.dump();
      EXPECT_EQ(resolve(resolved), resolved) << "the resolved config does not replay";
    }
    // A word key takes every one of its words; any other key at least one value.
    if (!k.choices.empty()) {
      EXPECT_EQ(accepted, static_cast<int>(k.choices.size()));
    }
    EXPECT_GT(accepted, 0) << "no value of the key is accepted";
    round_trips += accepted;
  }
  EXPECT_GT(round_trips, 100);
}

TEST(ConfigFields, KeysThatAreNotReadAreAllowedAndNotWritten) {
  for (const ConfigKey& k : config_keys()) {
    if (k.type != "any") continue;
    SCOPED_TRACE(k.path);
    const json resolved = resolve(with_key(bare_config(), k, "a note"));
    EXPECT_FALSE(resolved.contains(json::json_pointer(k.pointer)));
  }
}

// Each key left out reads as its declared default; a config spelling out every
// default resolves exactly as the bare one.
TEST(ConfigFields, AnAbsentKeyReadsAsItsDefault) {
  json no_keys = bare_config();
  no_keys.erase("kernel");  // the default profile's values are the declared defaults
  const json bare = resolve(no_keys);
  const std::string kind = bare["migration"]["stop_rule"]["kind"];
  json spelt_out = no_keys;
  for (const ConfigKey& k : config_keys()) {
    if (k.def.is_null() || !(k.when.empty() || (k.when_key == "kind" && k.when == kind))) continue;
    SCOPED_TRACE(k.path);
    if (is_scalar(k) && k.path.rfind("geometry.", 0) != 0) {
      if (k.quiet) EXPECT_FALSE(bare.contains(json::json_pointer(k.pointer)));
      else EXPECT_EQ(bare.at(json::json_pointer(k.pointer)), k.def);
    }
    // The geometry's own keys only apply when it is spelt out, not named.
    if (k.path.rfind("geometry.", 0) != 0) spelt_out[json::json_pointer(k.pointer)] = k.def;
  }
  EXPECT_EQ(resolve(spelt_out), bare);
}

TEST(ConfigFields, DefaultsComputedFromOtherKeys) {
  json doc = json::parse(R"({"memslots": [{"base_gfn": 0, "npages": 64}, {"id": 5, "base_gfn": 4096, "npages": 64}],
                             "geometry": {"arch": 8}})");
  const json resolved = resolve(doc);
  EXPECT_EQ(resolved["memslots"][0]["id"], 0);  // its index
  EXPECT_EQ(resolved["memslots"][1]["id"], 5);
  EXPECT_EQ(resolved["migration"]["slot"], 0);   // the first memslot's id
  EXPECT_EQ(resolved["geometry"]["pa_bits"], 48);  // arch 8
  doc["geometry"]["arch"] = 7;
  doc["memslots"][0]["id"] = 3;
  const json armv7 = resolve(doc);
  EXPECT_EQ(armv7["geometry"]["pa_bits"], 40);
  EXPECT_EQ(armv7["migration"]["slot"], 3);
}

// The built-in default (configs/default.json) is the tables' defaults plus what that
// file says: every key it gives is declared, every key it leaves out reads as its
// default (vcpus among them is 2 only because the file says so).
TEST(ConfigFields, TheBuiltInDefaultIsTheTableDefaultsPlusWhatItSays) {
  const json given = json::parse(default_config_text());
  const json resolved = resolve(given);
  std::set<std::string> declared;
  for (const ConfigKey& k : config_keys()) declared.insert(k.pointer);
  const auto check_declared = [&](const auto& self, const json& obj, const std::string& at) -> void {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string p = at + "/" + it.key();
      if (p == "/machine" || p == "/workload") continue;  // read by their own loaders
      EXPECT_TRUE(declared.count(p)) << p << " is not a declared key";
      if (it->is_object()) self(self, *it, p);
      if (it->is_array()) self(self, it->front(), p + "/0");
    }
  };
  check_declared(check_declared, given, "");
  const std::string kind = resolved["migration"]["stop_rule"]["kind"];
  int defaulted = 0;
  for (const ConfigKey& k : config_keys()) {
    if (!is_scalar(k) || k.def.is_null() || !(k.when.empty() || (k.when_key == "kind" && k.when == kind))) continue;
    if (given.contains(json::json_pointer(k.pointer)) || k.path.rfind("geometry.", 0) == 0) continue;
    SCOPED_TRACE(k.path);
    if (k.quiet) EXPECT_FALSE(resolved.contains(json::json_pointer(k.pointer)));
    else EXPECT_EQ(resolved.at(json::json_pointer(k.pointer)), k.def);
    ++defaulted;
  }
  EXPECT_GT(defaulted, 5);
  EXPECT_EQ(resolved["vcpus"], 2);
}

// "Did you mean" offers every key its table declares, a section left out included.
TEST(ConfigFields, AMisspeltKeyIsAnsweredWithTheDeclaredKey) {
  for (const ConfigKey& k : config_keys()) {
    if (k.default_text == "required") continue;  // its absence is reported first
    SCOPED_TRACE(k.path);
    const json::json_pointer p(k.pointer);
    const std::string typo = p.back() + "x";
    json doc = with_key(bare_config(), k, 1);
    doc.at(p.parent_pointer()).erase(p.back());
    doc[p.parent_pointer() / typo] = 1;
    try {
      (void)parse_config(json::parse(doc.dump()), "test.json", configs_dir());
      ADD_FAILURE() << "the misspelt key was accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(e.message(), "test.json: " + (p.parent_pointer() / typo).to_string() + ": unknown key \"" + typo +
                                 "\"; did you mean \"" + p.back() + "\"?");
    }
  }
}

}  // namespace
}  // namespace s2sim::sim
