// The dirty-log API keys (dirty_log.api and its options, dirty_log.eager_split_chunk):
// what they read into, what they refuse (one error naming the key), and that a config
// which leaves them out writes none of them back, so results of configs older than
// the keys keep their bytes.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "sim/config/config.h"
#include "util/input_error.h"

namespace s2sim::sim {
namespace {

using nlohmann::json;

json with_dirty_log(const json& dirty_log) {
  json doc = json::parse(R"({"kernel": "linux-6.6-arm64", "memslots": [{"base_gfn": 524288, "npages": 4096}]})");
  doc["dirty_log"] = dirty_log;
  return doc;
}

SimConfig parse(const json& doc) { return parse_config(json::parse(doc.dump()), "test.json", configs_dir()); }

std::string error_of(const json& doc) {
  try {
    (void)parse(doc);
  } catch (const InputError& e) {
    return e.message();
  }
  return "";
}

TEST(DirtyLogApiConfig, DefaultsArePlainGetDirtyLogAndAreNotWritten) {
  const SimConfig c = parse(with_dirty_log(json::object()));
  EXPECT_EQ(c.dirty_log.api, "get");
  EXPECT_EQ(c.dirty_log.eager_split_chunk, 0u);
  const json written = to_json(c);
  EXPECT_FALSE(written["dirty_log"].contains("api"));
  EXPECT_FALSE(written["dirty_log"].contains("eager_split_chunk"));
  EXPECT_FALSE(written["dirty_log"].contains("ring_entries"));
}

TEST(DirtyLogApiConfig, EachApiReadsItsOwnKeys) {
  const SimConfig clear =
      parse(with_dirty_log({{"api", "clear"}, {"initially_set", false}, {"clear_bitmap_shift", 6}}));
  EXPECT_EQ(clear.dirty_log.api, "clear");
  EXPECT_FALSE(clear.dirty_log.initially_set);
  EXPECT_EQ(clear.dirty_log.clear_bitmap_shift, 6u);
  const json w = to_json(clear);
  EXPECT_EQ(w["dirty_log"]["api"], "clear");
  EXPECT_EQ(w["dirty_log"]["clear_bitmap_shift"], 6);
  EXPECT_FALSE(w["dirty_log"].contains("ring_entries"));

  const SimConfig ring = parse(with_dirty_log({{"api", "ring"}, {"ring_entries", 512}, {"eager_split_chunk", 2097152}}));
  EXPECT_EQ(ring.dirty_log.ring_entries, 512u);
  EXPECT_EQ(ring.dirty_log.eager_split_chunk, 2097152u);
  EXPECT_EQ(to_json(ring)["dirty_log"]["eager_split_chunk"], 2097152);
  // QEMU's defaults: INITIALLY_SET when offered, 1 GiB clear chunks; a 4,096-entry ring.
  const SimConfig clear_default = parse(with_dirty_log({{"api", "clear"}}));
  EXPECT_TRUE(clear_default.dirty_log.initially_set);
  EXPECT_EQ(clear_default.dirty_log.clear_bitmap_shift, 18u);
  EXPECT_EQ(parse(with_dirty_log({{"api", "ring"}})).dirty_log.ring_entries, 4096u);
}

TEST(DirtyLogApiConfig, BadValuesAreRefusedAtTheirKey) {
  EXPECT_NE(error_of(with_dirty_log({{"api", "bitmap"}})).find("test.json: /dirty_log/api: "), std::string::npos);
  EXPECT_EQ(error_of(with_dirty_log({{"api", "ring"}, {"ring_entries", 1000}})),
            "test.json: /dirty_log/ring_entries: must be a power of two");
  EXPECT_NE(error_of(with_dirty_log({{"api", "ring"}, {"ring_entries", 128}})).find("/dirty_log/ring_entries"),
            std::string::npos);
  EXPECT_NE(error_of(with_dirty_log({{"api", "clear"}, {"clear_bitmap_shift", 5}})).find("/dirty_log/clear_bitmap_shift"),
            std::string::npos);
  EXPECT_NE(error_of(with_dirty_log({{"eager_split_chunk", 65536}})).find("test.json: /dirty_log/eager_split_chunk: must be"),
            std::string::npos);
  EXPECT_EQ(error_of(with_dirty_log({{"api", "ring"}, {"block_policy", "keep"}})),
            "test.json: /dirty_log/api: the dirty ring needs block_policy \"dissolve\" (a kept block marks 512 pages "
            "in one fault)");
  // An option's key under another API is not read, so it is refused rather than ignored.
  EXPECT_NE(error_of(with_dirty_log({{"ring_entries", 512}})).find("/dirty_log/ring_entries: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of(with_dirty_log({{"api", "ring"}, {"initially_set", true}})).find("unknown key"), std::string::npos);
}

// The kernel profile decides which APIs exist: the 2014 seed has none of today's, 5.17
// arm64 has CLEAR but neither the ring nor eager splitting.
TEST(DirtyLogApiConfig, RefusesAnApiTheKernelDoesNotHave) {
  auto on = [](const char* kernel, const json& dirty_log) {
    json doc = with_dirty_log(dirty_log);
    doc["kernel"] = kernel;
    return doc;
  };
  EXPECT_EQ(error_of(on("seed-2014-armv7", {{"api", "clear"}})),
            "test.json: /dirty_log/api: kernel seed-2014-armv7 has no KVM_CLEAR_DIRTY_LOG (Linux 5.0+): choose a "
            "kernel profile that offers it, such as linux-6.6-arm64");
  EXPECT_EQ(error_of(on("linux-5.17-arm64", {{"api", "clear"}})), "");
  EXPECT_NE(error_of(on("linux-5.17-arm64", {{"api", "ring"}})).find("/dirty_log/api: kernel linux-5.17-arm64 has no dirty ring"),
            std::string::npos);
  EXPECT_NE(error_of(on("linux-4.0-armv7", {{"eager_split_chunk", 2097152}}))
                .find("/dirty_log/eager_split_chunk: kernel linux-4.0-armv7 has no eager page splitting"),
            std::string::npos);
}

}  // namespace
}  // namespace s2sim::sim
