#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"

using s2sim::test::error_lines;
using s2sim::test::run_s2sim;

TEST(DecodeCli, PageReadWrite) {
  const auto r = run_s2sim("decode 0x801237FF");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("0x00000000801237FF at level 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("page"), std::string::npos);
  EXPECT_NE(r.out.find("0x0080123000"), std::string::npos);
  EXPECT_NE(r.out.find("0b11  read/write"), std::string::npos);
  EXPECT_NE(r.out.find("0b1111  normal write-back"), std::string::npos);
  EXPECT_NE(r.out.find("0b11  inner shareable"), std::string::npos);
  EXPECT_NE(r.out.find("AF                [10]     1  accessed"), std::string::npos);
  EXPECT_TRUE(r.err.empty());
}

TEST(DecodeCli, JsonReadOnlyBlock) {
  const auto r = run_s2sim("decode 0x8020077D --level 2 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["type"], "block");
  EXPECT_EQ(j["output_address"], "0x0080200000");
  EXPECT_EQ(j["s2ap"], 1);
  EXPECT_EQ(j["s2ap_meaning"], "read-only");
  EXPECT_EQ(j["af"], true);
  EXPECT_EQ(j["xn"], false);
}

TEST(DecodeCli, BlockBitsAtLevelThreeAreReserved) {
  const auto r = run_s2sim("decode 0x8020077D --level 3");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("invalid (0b01 is reserved at level 3)"), std::string::npos) << r.out;
}

TEST(DecodeCli, TableDescriptor) {
  const auto r = run_s2sim("decode 0x80004003 --level 1");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("table"), std::string::npos);
  EXPECT_NE(r.out.find("next-level table"), std::string::npos);
  EXPECT_EQ(r.out.find("S2AP"), std::string::npos);  // tables carry no leaf attributes
}

TEST(DecodeCli, BadInputIsOneErrorLineExitTwo) {
  for (const char* args : {"decode 0xZZ", "decode 12abc", "decode 0x1FFFFFFFFFFFFFFFF", "decode", "decode 0x3 --level 4",
                           "decode 0x3 --level", "decode 0x3 --bogus", "decode 1 2", "frobnicate", ""}) {
    const auto r = run_s2sim(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_EQ(error_lines(r.err), 1) << args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
  }
}
