// util/error_text.h, util/strict_json.h, util/utf8.h: the pieces that keep an error
// one readable line and a JSON document strict.
#include <gtest/gtest.h>

#include <string>

#include "util/error_text.h"
#include "util/input_error.h"
#include "util/strict_json.h"
#include "util/utf8.h"

namespace {

using s2sim::one_line;

TEST(OneLine, EscapesControlBytesAndKeepsPlainTextAsItIs) {
  EXPECT_EQ(one_line("file: /a: bad"), "file: /a: bad");
  EXPECT_EQ(one_line("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(one_line("\x1b[31mred\x07\x7f"), "\\x1b[31mred\\x07\\x7f");
  EXPECT_EQ(one_line("caf\xc3\xa9"), "caf\xc3\xa9") << "UTF-8 above 0x7f is text, not control";
}

TEST(OneLine, EscapesWhatShowsAsNothingOrActsOnATerminal) {
  EXPECT_EQ(one_line("a\xc2\x9b" "31mb"), "a\\u009b31mb") << "C1 CSI";
  EXPECT_EQ(one_line("\xef\xbb\xbfq1"), "\\ufeffq1") << "byte-order mark";
  EXPECT_EQ(one_line("x\xe2\x80\xa8y\xe2\x80\x8bz"), "x\\u2028y\\u200bz");
  EXPECT_EQ(one_line("\xc2\xa0\xe2\x80\x94"), "\xc2\xa0\xe2\x80\x94") << "no-break space and em dash are text";
  EXPECT_EQ(one_line("\xc2"), "\xc2") << "a lone lead byte is left alone";
}

TEST(Utf8, WithoutBomDropsOnlyALeadingMark) {
  EXPECT_EQ(s2sim::without_bom("\xef\xbb\xbfq1: 5"), "q1: 5");
  EXPECT_EQ(s2sim::without_bom("q1: \xef\xbb\xbf"), "q1: \xef\xbb\xbf");
  EXPECT_EQ(s2sim::without_bom("\xef\xbb"), "\xef\xbb");
}

TEST(OneLine, CutsALongEchoInItsMiddleAndKeepsTheWordsAroundIt) {
  const std::string key(100000, 'k');
  const std::string m = one_line("f.json: /dirty_log/" + key + ": unknown key \"" + key + "\"");
  EXPECT_LE(m.size(), s2sim::kMaxErrorBytes);
  EXPECT_EQ(m.rfind("f.json: /dirty_log/kkk", 0), 0u) << m;
  EXPECT_NE(m.find(": unknown key \"kkk"), std::string::npos) << m;
  EXPECT_NE(m.find(" bytes cut ...] "), std::string::npos) << m;
}

TEST(OneLine, CutsALongSentenceOfShortWordsToo) {
  std::string many;
  for (int i = 0; i < 10000; ++i) many += "ab ";
  const std::string m = one_line("start " + many + "end");
  EXPECT_LE(m.size(), s2sim::kMaxErrorBytes);
  EXPECT_EQ(m.rfind("start ab", 0), 0u);
  EXPECT_EQ(m.substr(m.size() - 3), "end");
}

TEST(OneLine, NeverSplitsAUtf8Character) {
  std::string e;
  for (int i = 0; i < 5000; ++i) e += "\xc3\xa9";  // é, two bytes
  const std::string m = one_line(e);
  EXPECT_EQ(s2sim::invalid_utf8_at(m), std::string::npos);
}

TEST(Utf8, AcceptsRfc3629AndFindsTheFirstBadByte) {
  using s2sim::invalid_utf8_at;
  const auto npos = std::string::npos;
  EXPECT_EQ(invalid_utf8_at("plain"), npos);
  EXPECT_EQ(invalid_utf8_at("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), npos);  // é € 😀
  EXPECT_EQ(invalid_utf8_at("caf\xe9"), 3u);                               // Latin-1 é
  EXPECT_EQ(invalid_utf8_at("\xc0\xaf"), 0u);                              // overlong '/'
  EXPECT_EQ(invalid_utf8_at("a\xed\xa0\x80"), 1u);                         // a surrogate
  EXPECT_EQ(invalid_utf8_at("\xf4\x90\x80\x80"), 0u);                      // above U+10FFFF
  EXPECT_EQ(invalid_utf8_at("ab\xe2\x82"), 2u);                            // cut short
}

std::string strict_error(const std::string& text) {
  try {
    s2sim::parse_strict_json(text, "f.json");
  } catch (const s2sim::InputError& e) {
    return e.message();
  }
  return "";
}

TEST(StrictJson, RejectsADuplicateKeyWhereItIs) {
  EXPECT_EQ(strict_error(R"({"a": 1, "a": 2})"), "f.json: /a: duplicate key");
  EXPECT_EQ(strict_error(R"({"m": [{"x": 1}, {"x": 1, "y": {"z": 0, "z": 0}}]})"), "f.json: /m/1/y/z: duplicate key");
  EXPECT_EQ(strict_error(R"({"a/b~": 1, "a/b~": 1})"), "f.json: /a~1b~0: duplicate key");
  EXPECT_EQ(strict_error(R"({"a": {"k": 1}, "b": {"k": 1}})"), "") << "the same key in two objects is fine";
}

TEST(StrictJson, LimitsNestingAndNamesWhereItWentTooDeep) {
  std::string ok, deep;
  for (int i = 0; i < s2sim::kMaxJsonDepth; ++i) ok = "[" + ok + "]";
  EXPECT_EQ(strict_error(ok), "");
  for (int i = 0; i < 100000; ++i) deep += "[";
  const std::string m = strict_error(deep);
  EXPECT_EQ(m.rfind("f.json: /0/0/0/", 0), 0u) << m.substr(0, 100);
  EXPECT_NE(m.find(": nested deeper than 64 levels"), std::string::npos);
}

TEST(StrictJson, ASyntaxErrorStaysAParseError) {
  EXPECT_THROW(s2sim::parse_strict_json("{\"a\": }", "f.json"), nlohmann::json::parse_error);
}

}  // namespace
