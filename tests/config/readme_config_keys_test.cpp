// The README's table of config keys is generated from the field tables
// (config_keys_markdown); this test fails when the two differ, and with
// S2SIM_UPDATE_README=1 it writes the generated table into README.md instead.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/config/config_keys.h"

namespace {

const char* const kBegin = "<!-- config-keys: generated from sim/config/config_fields.h; "
                           "S2SIM_UPDATE_README=1 ctest -R ConfigKeysReadme rewrites it -->\n";
const char* const kEnd = "<!-- end config-keys -->\n";

TEST(ConfigKeysReadme, TheReadmeTableIsTheFieldTables) {
  const std::string path = std::string(S2SIM_SOURCE_DIR) + "/README.md";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string readme = ss.str();
  const auto begin = readme.find(kBegin);
  const auto end = readme.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << "README.md lacks the line " << kBegin;
  ASSERT_NE(end, std::string::npos) << "README.md lacks the line " << kEnd;
  ASSERT_LT(begin, end);
  const auto from = begin + std::string(kBegin).size();
  const std::string want = s2sim::sim::config_keys_markdown();
  if (std::getenv("S2SIM_UPDATE_README")) {
    std::ofstream(path, std::ios::binary) << readme.substr(0, from) + want + readme.substr(end);
    return;
  }
  EXPECT_TRUE(readme.substr(from, end - from) == want)
      << "README.md's key table differs from the field tables; S2SIM_UPDATE_README=1 rewrites it. The table:\n"
      << want;
}

}  // namespace
