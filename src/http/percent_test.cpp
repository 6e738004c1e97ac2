#include "http/percent.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vigil::http {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(DecodePathSegmentTest, LeavesPlainTextUnchanged) {
  EXPECT_EQ(DecodePathSegment("detector"), std::optional<std::string>("detector"));
  EXPECT_EQ(DecodePathSegment(""), std::optional<std::string>(""));
}

TEST(DecodePathSegmentTest, DecodesColonAndSlash) {
  EXPECT_EQ(DecodePathSegment("%3A"), std::optional<std::string>(":"));
  EXPECT_EQ(DecodePathSegment("%2F"), std::optional<std::string>("/"));
  EXPECT_EQ(DecodePathSegment("%2f"), std::optional<std::string>("/"));
}

TEST(DecodePathSegmentTest, DecodesAnEncodedArn) {
  EXPECT_EQ(
      DecodePathSegment("arn%3Aaws%3Aguardduty%3Aus-east-1%3A123456789012%3Adetector%2F"
                        "12abc34d567e8fa901bc2d34e56789f0"),
      std::optional<std::string>(
          "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0"));
}

TEST(DecodePathSegmentTest, KeepsPlusAsPlus) {
  EXPECT_EQ(DecodePathSegment("a+b"), std::optional<std::string>("a+b"));
  EXPECT_EQ(DecodePathSegment("%2B"), std::optional<std::string>("+"));
}

TEST(DecodePathSegmentTest, DecodesSpacesAndMultibyteSequences) {
  EXPECT_EQ(DecodePathSegment("a%20b"), std::optional<std::string>("a b"));
  EXPECT_EQ(DecodePathSegment("%C3%A9"), std::optional<std::string>("\xC3\xA9"));
}

TEST(DecodePathSegmentTest, RejectsMalformedEscapes) {
  EXPECT_EQ(DecodePathSegment("%G1"), std::nullopt);
  EXPECT_EQ(DecodePathSegment("%2"), std::nullopt);
  EXPECT_EQ(DecodePathSegment("%"), std::nullopt);
  EXPECT_EQ(DecodePathSegment("abc%"), std::nullopt);
  EXPECT_EQ(DecodePathSegment("%1G"), std::nullopt);
}

TEST(DecodeQueryTest, EmptyStringGivesNoPairs) {
  auto pairs = DecodeQuery("");
  ASSERT_TRUE(pairs.has_value());
  EXPECT_TRUE(pairs->empty());
}

TEST(DecodeQueryTest, KeepsRepeatedKeysInOrder) {
  EXPECT_EQ(DecodeQuery("a=1&b=x%20y&b=z"),
            std::optional<Pairs>(Pairs{{"a", "1"}, {"b", "x y"}, {"b", "z"}}));
}

TEST(DecodeQueryTest, DecodesPlusAndPercent20AsSpace) {
  EXPECT_EQ(DecodeQuery("q=a+b&r=c%20d"), std::optional<Pairs>(Pairs{{"q", "a b"}, {"r", "c d"}}));
}

TEST(DecodeQueryTest, DecodesEscapedPlusAsPlus) {
  EXPECT_EQ(DecodeQuery("q=a%2Bb"), std::optional<Pairs>(Pairs{{"q", "a+b"}}));
}

TEST(DecodeQueryTest, DecodesKeysToo) {
  EXPECT_EQ(DecodeQuery("max%52esults=5"), std::optional<Pairs>(Pairs{{"maxResults", "5"}}));
}

TEST(DecodeQueryTest, ValueLessKeyHasEmptyValue) {
  EXPECT_EQ(DecodeQuery("flag"), std::optional<Pairs>(Pairs{{"flag", ""}}));
  EXPECT_EQ(DecodeQuery("flag&x=1"), std::optional<Pairs>(Pairs{{"flag", ""}, {"x", "1"}}));
  EXPECT_EQ(DecodeQuery("empty="), std::optional<Pairs>(Pairs{{"empty", ""}}));
}

TEST(DecodeQueryTest, DecodesAPaginationQuery) {
  EXPECT_EQ(DecodeQuery("maxResults=10&nextToken=v1.6162%3D"),
            std::optional<Pairs>(Pairs{{"maxResults", "10"}, {"nextToken", "v1.6162="}}));
}

TEST(DecodeQueryTest, RejectsMalformedEscapes) {
  EXPECT_EQ(DecodeQuery("a=%G1"), std::nullopt);
  EXPECT_EQ(DecodeQuery("a=%2"), std::nullopt);
  EXPECT_EQ(DecodeQuery("%zz=1"), std::nullopt);
}

}  // namespace
}  // namespace vigil::http
