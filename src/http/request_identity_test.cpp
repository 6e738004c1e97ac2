#include "http/request_identity.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::http {
namespace {

IdentityDefaults Defaults() {
  IdentityDefaults defaults;
  defaults.account = "999988887777";
  defaults.region = "ap-south-1";
  return defaults;
}

TEST(IdentityFromAuthorizationTest, ReadsAccountAndRegionFromARealSigV4Header) {
  const Identity identity = IdentityFromAuthorization(
      "AWS4-HMAC-SHA256 Credential=111122223333/20260101/eu-west-1/guardduty/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc",
      Defaults());
  EXPECT_EQ(identity.access_key_id, "111122223333");
  EXPECT_EQ(identity.account, "111122223333");
  EXPECT_EQ(identity.region, "eu-west-1");
}

TEST(IdentityFromAuthorizationTest, AcceptsHeaderWithoutSpacesAfterCommas) {
  const Identity identity = IdentityFromAuthorization(
      "AWS4-HMAC-SHA256 Credential=111122223333/20260101/us-west-2/guardduty/aws4_request,"
      "SignedHeaders=host;x-amz-date,Signature=abc",
      Defaults());
  EXPECT_EQ(identity.account, "111122223333");
  EXPECT_EQ(identity.region, "us-west-2");
}

TEST(IdentityFromAuthorizationTest, NonAccountKeyGivesDefaultAccountButScopeRegion) {
  const Identity identity = IdentityFromAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/eu-central-1/guardduty/"
      "aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
      Defaults());
  EXPECT_EQ(identity.access_key_id, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(identity.account, "999988887777");
  EXPECT_EQ(identity.region, "eu-central-1");
}

TEST(IdentityFromAuthorizationTest, KeyMustBeExactlyTwelveDigitsToBeTheAccount) {
  for (const char* key : {"11112222333", "1111222233334", "11112222333x", "testing"}) {
    SCOPED_TRACE(key);
    const Identity identity = IdentityFromAuthorization(
        std::string("AWS4-HMAC-SHA256 Credential=") + key +
            "/20260101/eu-west-1/guardduty/aws4_request, SignedHeaders=host, Signature=abc",
        Defaults());
    EXPECT_EQ(identity.account, "999988887777");
    EXPECT_EQ(identity.region, "eu-west-1");
  }
}

TEST(IdentityFromAuthorizationTest, EmptyHeaderGivesDefaults) {
  const Identity identity = IdentityFromAuthorization("", Defaults());
  EXPECT_EQ(identity.access_key_id, "");
  EXPECT_EQ(identity.account, "999988887777");
  EXPECT_EQ(identity.region, "ap-south-1");
}

TEST(IdentityFromAuthorizationTest, BuiltInDefaultsAreTheDocumentedOnes) {
  const Identity identity = IdentityFromAuthorization("", IdentityDefaults());
  EXPECT_EQ(identity.account, "123456789012");
  EXPECT_EQ(identity.region, "us-east-1");
}

TEST(IdentityFromAuthorizationTest, GarbageGivesDefaults) {
  for (const char* header :
       {"garbage", "Bearer abc.def", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=",
        "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host", "Credential=////"}) {
    SCOPED_TRACE(header);
    const Identity identity = IdentityFromAuthorization(header, Defaults());
    EXPECT_EQ(identity.account, "999988887777");
    EXPECT_EQ(identity.region, "ap-south-1");
  }
}

TEST(IdentityFromAuthorizationTest, TruncatedScopeKeepsTheDefaultRegion) {
  const Identity identity =
      IdentityFromAuthorization("AWS4-HMAC-SHA256 Credential=111122223333/20260101", Defaults());
  EXPECT_EQ(identity.account, "111122223333");
  EXPECT_EQ(identity.region, "ap-south-1");
}

TEST(IdentityFromAuthorizationTest, RejectsOddRegionTextAndKeepsTheDefaultRegion) {
  for (const char* region : {"EU-WEST-1", "eu west 1", "eu_west_1", "eu-west-1;drop", "<script>",
                             "", "a-very-long-region-name-that-is-not-real-at-all"}) {
    SCOPED_TRACE(region);
    const Identity identity = IdentityFromAuthorization(
        std::string("AWS4-HMAC-SHA256 Credential=111122223333/20260101/") + region +
            "/guardduty/aws4_request, SignedHeaders=host, Signature=abc",
        Defaults());
    EXPECT_EQ(identity.account, "111122223333");
    EXPECT_EQ(identity.region, "ap-south-1");
  }
}

}  // namespace
}  // namespace vigil::http
