// util::Registry, the name -> factory shape walkers, workloads and stop rules share:
// registration order, lookups, descriptions, "did you mean", duplicate names refused.
#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/registry.h"

namespace s2sim::util {
namespace {

using Factory = std::function<int(int)>;

Registry<Factory> small_registry() {
  Registry<Factory> r;
  r.add("double", [](int x) { return 2 * x; }, "twice the argument");
  r.add("square", [](int x) { return x * x; });
  r.add("negate", [](int x) { return -x; }, "minus the argument");
  return r;
}

TEST(Registry, FindsFactoriesByName) {
  const Registry<Factory> r = small_registry();
  ASSERT_NE(r.find("square"), nullptr);
  EXPECT_EQ((*r.find("square"))(7), 49);
  EXPECT_EQ((*r.find("negate"))(7), -7);
  EXPECT_EQ(r.find("cube"), nullptr);
  EXPECT_EQ(r.find(""), nullptr);
  EXPECT_EQ(r.find("Square"), nullptr);  // names are exact
}

TEST(Registry, NamesKeepRegistrationOrder) {
  EXPECT_EQ(small_registry().names(), (std::vector<std::string>{"double", "square", "negate"}));
  EXPECT_TRUE(Registry<Factory>().names().empty());
}

TEST(Registry, EntriesCarryTheirDescription) {
  const Registry<Factory> r = small_registry();
  ASSERT_NE(r.entry("double"), nullptr);
  EXPECT_EQ(r.entry("double")->name, "double");
  EXPECT_EQ(r.entry("double")->description, "twice the argument");
  EXPECT_EQ(r.entry("square")->description, "");
  EXPECT_EQ(r.entry("triple"), nullptr);
}

TEST(Registry, SuggestsTheClosestName) {
  const Registry<Factory> r = small_registry();
  EXPECT_EQ(r.closest("sqaure"), "square");
  EXPECT_EQ(r.closest("negat"), "negate");
  EXPECT_EQ(r.closest("something else entirely"), "");
}

TEST(Registry, RegisteringANameTwiceIsAProgrammingError) {
  Registry<Factory> r = small_registry();
  EXPECT_THROW(r.add("square", [](int x) { return x; }), std::logic_error);
  EXPECT_EQ((*r.find("square"))(3), 9);  // the first registration stands
  EXPECT_EQ(r.names().size(), 3u);
}

}  // namespace
}  // namespace s2sim::util
