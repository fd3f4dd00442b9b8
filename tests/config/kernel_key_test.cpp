// The `kernel` key: a profile name checked against the registry (with "did you mean"),
// whose values become the defaults of the dirty_log keys a profile decides, while a
// dirty_log key written in the config wins. The default profile leaves every earlier
// config's resolved values as they were.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "util/input_error.h"

namespace s2sim::sim {
namespace {

using nlohmann::json;

json with(const json& extra) {
  json doc = json::parse(R"({"geometry": "armv8-3level", "memslots": [{"base_gfn": 524288, "npages": 4096}]})");
  doc.merge_patch(extra);
  return doc;
}

SimConfig parse(const json& doc) { return parse_config(doc, "test.json", configs_dir()); }

TEST(KernelKey, TheDefaultProfileKeepsTheEarlierDefaults) {
  const SimConfig c = parse(with(json::object()));
  EXPECT_EQ(c.kernel, "seed-2014-armv7");
  EXPECT_EQ(c.dirty_log.options.bits_per_long, 32u);
  EXPECT_EQ(c.dirty_log.options.flush_placement, mmu::FlushPlacement::Seed);
  EXPECT_EQ(c.block_policy, mmu::BlockPolicy::Dissolve);
}

TEST(KernelKey, AnArm64ProfileSetsTheDefaultsItDecides) {
  const SimConfig c = parse(with({{"kernel", "linux-6.6-arm64"}}));
  EXPECT_EQ(c.dirty_log.options.bits_per_long, 64u);
  EXPECT_EQ(c.dirty_log.options.flush_placement, mmu::FlushPlacement::Merged);
  const SimConfig merged = parse(with({{"kernel", "linux-4.0-armv7"}}));
  EXPECT_EQ(merged.dirty_log.options.bits_per_long, 32u);
  EXPECT_EQ(merged.dirty_log.options.flush_placement, mmu::FlushPlacement::Merged);
}

TEST(KernelKey, ExplicitDirtyLogKeysOverrideTheProfile) {
  const SimConfig c = parse(with({{"kernel", "linux-6.6-arm64"},
                                  {"dirty_log", {{"bits_per_long", 32}, {"flush_placement", "seed"},
                                                 {"block_policy", "keep"}}}}));
  EXPECT_EQ(c.dirty_log.options.bits_per_long, 32u);
  EXPECT_EQ(c.dirty_log.options.flush_placement, mmu::FlushPlacement::Seed);
  EXPECT_EQ(c.block_policy, mmu::BlockPolicy::Keep);
  // The resolved config names the profile and the overriding values, and replays.
  const json resolved = to_json(c);
  EXPECT_EQ(resolved["kernel"], "linux-6.6-arm64");
  EXPECT_EQ(resolved["dirty_log"]["bits_per_long"], 32);
  EXPECT_EQ(to_json(parse(resolved)), resolved);
}

TEST(KernelKey, AnUnknownProfileIsRefusedWithTheClosestName) {
  try {
    parse(with({{"kernel", "linux-6.6-arm46"}}));
    FAIL() << "accepted an unknown kernel";
  } catch (const InputError& e) {
    const std::string what = e.message();
    EXPECT_NE(what.find("/kernel"), std::string::npos) << what;
    EXPECT_NE(what.find("did you mean \"linux-6.6-arm64\""), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace s2sim::sim
