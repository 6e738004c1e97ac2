#include "http/request_limits.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::http {
namespace {

using Headers = std::vector<std::pair<std::string_view, std::string_view>>;

const RequestLimits kLimits{.max_target_bytes = 16, .max_header_count = 3, .max_field_bytes = 20};

TEST(RequestLimitsTest, AcceptsAHeadWithinEveryLimit) {
  const Headers headers = {{"Host", "x"}, {"Accept", "*/*"}};
  EXPECT_FALSE(CheckRequestHead("/detector", headers, kLimits));
  EXPECT_FALSE(CheckRequestHead(std::string(16, '/'), headers, kLimits));
}

TEST(RequestLimitsTest, LongTargetIs414) {
  const auto rejection = CheckRequestHead(std::string(17, '/'), {}, kLimits);
  ASSERT_TRUE(rejection);
  EXPECT_EQ(rejection->http_status, 414);
  EXPECT_EQ(rejection->status.code(), StatusCode::kInvalidInput);
  EXPECT_NE(rejection->status.message().find("16 bytes"), std::string::npos);
}

TEST(RequestLimitsTest, TooManyHeadersIs431) {
  const Headers headers = {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}};
  const auto rejection = CheckRequestHead("/", headers, kLimits);
  ASSERT_TRUE(rejection);
  EXPECT_EQ(rejection->http_status, 431);
  EXPECT_NE(rejection->status.message().find("more than 3 header fields"), std::string::npos);
}

TEST(RequestLimitsTest, OversizedFieldIs431NamingIt) {
  const std::string value(16, 'v');
  const auto rejection = CheckRequestHead("/", {{"X-Long", value}}, kLimits);
  ASSERT_TRUE(rejection);
  EXPECT_EQ(rejection->http_status, 431);
  EXPECT_NE(rejection->status.message().find("X-Long"), std::string::npos);
  EXPECT_FALSE(CheckRequestHead("/", {{"X-Fits", std::string(14, 'v')}}, kLimits));
}

TEST(RequestLimitsTest, RequestLineTooLongIs414WhetherOrNotItEnded) {
  EXPECT_EQ(CheckRequestLine("GET /" + std::string(20, 'a'), kLimits)->http_status, 414);
  EXPECT_EQ(
      CheckRequestLine("GET /" + std::string(20, 'a') + " HTTP/1.1\r\n", kLimits)->http_status,
      414);
  // A short request line: the headers, not the target, outgrew their limit.
  EXPECT_FALSE(CheckRequestLine("GET /short HTTP/1.1\r\nX: " + std::string(99, 'a'), kLimits));
  EXPECT_FALSE(CheckRequestLine("garbage", kLimits));
}

}  // namespace
}  // namespace vigil::http
