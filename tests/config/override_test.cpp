// apply_override (sim/config/config_override.h): where --set may write and how far an
// array may grow.
#include <gtest/gtest.h>

#include <string>

#include "sim/config/config_override.h"
#include "util/input_error.h"

namespace {

using nlohmann::json;
using s2sim::sim::apply_override;

std::string set_error(json doc, const std::string& assignment) {
  try {
    apply_override(doc, assignment);
  } catch (const s2sim::InputError& e) {
    return e.message();
  }
  return "";
}

TEST(ApplyOverride, CreatesAnAbsentSectionButNoOtherKey) {
  json doc = {{"vcpus", 2}};
  apply_override(doc, "dirty_log.walker=range");
  EXPECT_EQ(doc["dirty_log"], (json{{"walker", "range"}}));
  apply_override(doc, "/migration/stop_rule/kind=threshold");
  EXPECT_EQ(doc["migration"]["stop_rule"]["kind"], "threshold");
  EXPECT_EQ(set_error(doc, "nosuch.key=1"), "--set nosuch.key=1: no such key: /nosuch");
  EXPECT_EQ(set_error(doc, "/dirty_log/nosuch/x=1"), "--set /dirty_log/nosuch/x=1: no such key: /dirty_log/nosuch");
  EXPECT_EQ(set_error(doc, "vcpus.x=1"), "--set vcpus.x=1: cannot set /vcpus/x: /vcpus is number, not an object or array");
}

TEST(ApplyOverride, AnArrayGrowsByOneElementAtMost) {
  json doc = {{"memslots", json::array({json{{"npages", 1}}})}};
  apply_override(doc, "memslots.0.npages=8");
  apply_override(doc, "/memslots/1={\"npages\": 2}");
  apply_override(doc, "/memslots/-={\"npages\": 3}");
  EXPECT_EQ(doc["memslots"], json::parse(R"([{"npages": 8}, {"npages": 2}, {"npages": 3}])"));
  EXPECT_EQ(set_error(doc, "/memslots/100000000000={}"),
            "--set /memslots/100000000000={}: /memslots has 3 element(s): the index must be at most 3 (or -, to append), "
            "got \"100000000000\"");
  EXPECT_NE(set_error(doc, "/memslots/10000000000000000000={}").find("must be at most 3"), std::string::npos);
  EXPECT_NE(set_error(doc, "/memslots/01={}").find("got \"01\""), std::string::npos);
  EXPECT_EQ(set_error(doc, "memslots.7.npages=1"), "--set memslots.7.npages=1: no such key: /memslots/7");
  EXPECT_EQ(doc["memslots"].size(), 3u) << "a refused override changes nothing";
}

TEST(ApplyOverride, ValuesAreReadStrictly) {
  json doc = json::object();
  EXPECT_EQ(set_error(doc, R"(workload={"kind": "uniform", "kind": "zipf"})"),
            R"(--set workload={"kind": "uniform", "kind": "zipf"}: /kind: duplicate key)");
  std::string deep(1000, '[');
  deep += std::string(1000, ']');
  EXPECT_NE(set_error(doc, "comment=" + deep).find("nested deeper than 64 levels"), std::string::npos);
}

}  // namespace
