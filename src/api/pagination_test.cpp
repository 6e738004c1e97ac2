#include "api/pagination.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace vigil::api {
namespace {

TEST(PageTokenTest, RoundTripsPlainKeys) {
  const std::string keys[] = {"a", "filter-1", "12abc34d567e8fa901bc2d34e56789f0",
                              std::string(500, 'z')};
  for (const std::string& key : keys) {
    SCOPED_TRACE(key);
    EXPECT_EQ(DecodePageToken(EncodePageToken(key)), std::optional<std::string>(key));
  }
}

TEST(PageTokenTest, RoundTripsBinaryKeys) {
  const std::string key("\x00\x01\xff\x80 /+=?&%\n", 12);
  ASSERT_EQ(key.size(), 12u);
  EXPECT_EQ(DecodePageToken(EncodePageToken(key)), std::optional<std::string>(key));
}

TEST(PageTokenTest, RoundTripsASingleNulByte) {
  const std::string key(1, '\0');
  EXPECT_EQ(DecodePageToken(EncodePageToken(key)), std::optional<std::string>(key));
}

TEST(PageTokenTest, TokenIsSafeInAQueryString) {
  const std::string token = EncodePageToken(std::string("a b&c=d/\xff", 9));
  for (char c : token) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    EXPECT_TRUE(unreserved) << token;
  }
}

TEST(PageTokenTest, DifferentKeysGiveDifferentTokens) {
  EXPECT_NE(EncodePageToken("a"), EncodePageToken("b"));
  EXPECT_NE(EncodePageToken("ab"), EncodePageToken("a"));
}

TEST(PageTokenTest, RejectsGarbageTokens) {
  for (const char* token : {"", "garbage", "v1.", "v1.6", "v1.zz", "v1.6G", "v2.61", "V1.61", "61",
                            "v1.6161 ", " v1.6161", "v1.61=="}) {
    SCOPED_TRACE(token);
    EXPECT_EQ(DecodePageToken(token), std::nullopt);
  }
}

TEST(PageTokenTest, RejectsOverlongTokens) {
  EXPECT_EQ(DecodePageToken("v1." + std::string(100000, 'a')), std::nullopt);
}

TEST(MakePageRequestTest, DefaultsTo50FromTheStart) {
  auto page = MakePageRequest(std::nullopt, std::nullopt);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->limit, 50u);
  EXPECT_EQ(page->after, "");
}

TEST(MakePageRequestTest, AcceptsMaxResultsFrom1To50) {
  for (const auto& [text, expected] :
       {std::pair<const char*, size_t>{"1", 1}, {"25", 25}, {"50", 50}}) {
    SCOPED_TRACE(text);
    auto page = MakePageRequest(std::string_view(text), std::nullopt);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(page->limit, expected);
  }
}

TEST(MakePageRequestTest, RejectsBadMaxResultsNamingIt) {
  for (const char* text : {"0", "51", "-1", "abc", "5x", "", " 5", "1.5", "99999999999999999999"}) {
    SCOPED_TRACE(text);
    auto page = MakePageRequest(std::string_view(text), std::nullopt);
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(page.status().message().find("maxResults"), std::string::npos)
        << page.status().message();
  }
}

TEST(MakePageRequestTest, ResumesAfterTheKeyInTheToken) {
  const std::string token = EncodePageToken("filter-7");
  auto page = MakePageRequest(std::string_view("10"), std::string_view(token));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->limit, 10u);
  EXPECT_EQ(page->after, "filter-7");
}

TEST(MakePageRequestTest, EmptyNextTokenStartsFromTheBeginning) {
  auto page = MakePageRequest(std::nullopt, std::string_view(""));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->after, "");
}

TEST(MakePageRequestTest, RejectsBadNextTokenNamingIt) {
  for (const char* token : {"garbage", "v1.zz", "v1.6"}) {
    SCOPED_TRACE(token);
    auto page = MakePageRequest(std::nullopt, std::string_view(token));
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(page.status().message().find("nextToken"), std::string::npos)
        << page.status().message();
  }
}

TEST(OffsetTokenTest, RoundTripsOffsetsAndRejectsOtherTokens) {
  for (size_t offset : {size_t{0}, size_t{50}, size_t{123456789}}) {
    EXPECT_EQ(DecodeOffsetToken(EncodeOffsetToken(offset)), offset);
  }
  EXPECT_EQ(DecodeOffsetToken("garbage"), std::nullopt);
  EXPECT_EQ(DecodeOffsetToken(EncodePageToken("not-a-number")), std::nullopt);
  EXPECT_EQ(DecodeOffsetToken(EncodePageToken("12x")), std::nullopt);
  EXPECT_EQ(DecodeOffsetToken(EncodePageToken("-1")), std::nullopt);
}

}  // namespace
}  // namespace vigil::api
