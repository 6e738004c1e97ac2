#include "core/arn.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil {
namespace {

constexpr char kDetectorId[] = "12abc34d567e8fa901bc2d34e56789f0";

TEST(PartitionForRegionTest, CommercialRegionsAreInAws) {
  EXPECT_EQ(PartitionForRegion("us-east-1"), "aws");
  EXPECT_EQ(PartitionForRegion("eu-west-1"), "aws");
  EXPECT_EQ(PartitionForRegion("us-west-2"), "aws");
}

TEST(PartitionForRegionTest, ChinaRegionsAreInAwsCn) {
  EXPECT_EQ(PartitionForRegion("cn-north-1"), "aws-cn");
  EXPECT_EQ(PartitionForRegion("cn-northwest-1"), "aws-cn");
}

TEST(PartitionForRegionTest, GovCloudRegionsAreInAwsUsGov) {
  EXPECT_EQ(PartitionForRegion("us-gov-west-1"), "aws-us-gov");
  EXPECT_EQ(PartitionForRegion("us-gov-east-1"), "aws-us-gov");
}

TEST(KindPathWordTest, NamesEachKindAsGuardDutyDoes) {
  EXPECT_EQ(KindPathWord(ResourceKind::kDetector), "detector");
  EXPECT_EQ(KindPathWord(ResourceKind::kFilter), "filter");
  EXPECT_EQ(KindPathWord(ResourceKind::kIpSet), "ipset");
  EXPECT_EQ(KindPathWord(ResourceKind::kThreatIntelSet), "threatintelset");
  EXPECT_EQ(KindPathWord(ResourceKind::kFinding), "finding");
}

TEST(FormatArnTest, FormatsDetectorArn) {
  const ResourceName name{"aws", "us-east-1", "123456789012", kDetectorId, ResourceKind::kDetector,
                          ""};
  EXPECT_EQ(FormatArn(name),
            "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0");
}

TEST(FormatArnTest, NestsChildrenUnderTheirDetector) {
  ResourceName name{"aws",       "eu-west-1",           "111122223333",
                    kDetectorId, ResourceKind::kFilter, "my-filter"};
  EXPECT_EQ(FormatArn(name),
            "arn:aws:guardduty:eu-west-1:111122223333:detector/"
            "12abc34d567e8fa901bc2d34e56789f0/filter/my-filter");
  name.kind = ResourceKind::kIpSet;
  name.child = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(FormatArn(name),
            "arn:aws:guardduty:eu-west-1:111122223333:detector/"
            "12abc34d567e8fa901bc2d34e56789f0/ipset/0123456789abcdef0123456789abcdef");
  name.kind = ResourceKind::kThreatIntelSet;
  EXPECT_EQ(FormatArn(name),
            "arn:aws:guardduty:eu-west-1:111122223333:detector/"
            "12abc34d567e8fa901bc2d34e56789f0/threatintelset/0123456789abcdef0123456789abcdef");
  name.kind = ResourceKind::kFinding;
  EXPECT_EQ(FormatArn(name),
            "arn:aws:guardduty:eu-west-1:111122223333:detector/"
            "12abc34d567e8fa901bc2d34e56789f0/finding/0123456789abcdef0123456789abcdef");
}

TEST(DetectorArnTest, UsesThePartitionOfTheRegion) {
  EXPECT_EQ(DetectorArn("us-east-1", "123456789012", kDetectorId),
            "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0");
  EXPECT_EQ(DetectorArn("cn-north-1", "123456789012", kDetectorId),
            "arn:aws-cn:guardduty:cn-north-1:123456789012:detector/"
            "12abc34d567e8fa901bc2d34e56789f0");
  EXPECT_EQ(DetectorArn("us-gov-west-1", "123456789012", kDetectorId),
            "arn:aws-us-gov:guardduty:us-gov-west-1:123456789012:detector/"
            "12abc34d567e8fa901bc2d34e56789f0");
}

TEST(ParseArnTest, ParsesDetectorArn) {
  auto parsed =
      ParseArn("arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0",
               "resourceArn");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->partition, "aws");
  EXPECT_EQ(parsed->region, "us-east-1");
  EXPECT_EQ(parsed->account, "123456789012");
  EXPECT_EQ(parsed->detector_id, kDetectorId);
  EXPECT_EQ(parsed->kind, ResourceKind::kDetector);
  EXPECT_EQ(parsed->child, "");
}

TEST(ParseArnTest, ParsesOtherPartitions) {
  auto parsed = ParseArn(DetectorArn("cn-north-1", "123456789012", kDetectorId), "resourceArn");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->partition, "aws-cn");
  EXPECT_EQ(parsed->region, "cn-north-1");
}

TEST(ParseArnTest, ParsesEachChildKind) {
  const std::string prefix =
      "arn:aws:guardduty:eu-west-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/";
  struct Case {
    std::string suffix;
    ResourceKind kind;
    std::string child;
  };
  const Case cases[] = {
      {"filter/my-filter", ResourceKind::kFilter, "my-filter"},
      {"ipset/0123456789abcdef0123456789abcdef", ResourceKind::kIpSet,
       "0123456789abcdef0123456789abcdef"},
      {"threatintelset/fedcba9876543210fedcba9876543210", ResourceKind::kThreatIntelSet,
       "fedcba9876543210fedcba9876543210"},
      {"finding/aabbccddeeff00112233445566778899", ResourceKind::kFinding,
       "aabbccddeeff00112233445566778899"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.suffix);
    auto parsed = ParseArn(prefix + c.suffix, "resourceArn");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->region, "eu-west-1");
    EXPECT_EQ(parsed->account, "111122223333");
    EXPECT_EQ(parsed->detector_id, kDetectorId);
    EXPECT_EQ(parsed->kind, c.kind);
    EXPECT_EQ(parsed->child, c.child);
  }
}

TEST(ParseArnTest, RoundTripsWhatFormatArnWrites) {
  const ResourceName name{"aws-us-gov",
                          "us-gov-east-1",
                          "210987654321",
                          kDetectorId,
                          ResourceKind::kThreatIntelSet,
                          "0123456789abcdef0123456789abcdef"};
  auto parsed = ParseArn(FormatArn(name), "resourceArn");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->partition, name.partition);
  EXPECT_EQ(parsed->region, name.region);
  EXPECT_EQ(parsed->account, name.account);
  EXPECT_EQ(parsed->detector_id, name.detector_id);
  EXPECT_EQ(parsed->kind, name.kind);
  EXPECT_EQ(parsed->child, name.child);
}

TEST(ParseArnTest, RejectsMalformedArnsNamingTheParameter) {
  const std::string bad_arns[] = {
      "",
      "not an arn",
      // Wrong service.
      "arn:aws:s3:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0",
      // Account with a non-digit, and an empty account.
      "arn:aws:guardduty:us-east-1:12345678901x:detector/12abc34d567e8fa901bc2d34e56789f0",
      "arn:aws:guardduty:us-east-1::detector/12abc34d567e8fa901bc2d34e56789f0",
      // Empty partition or region.
      "arn::guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0",
      "arn:aws:guardduty::123456789012:detector/12abc34d567e8fa901bc2d34e56789f0",
      // Not "arn" at the start.
      "urn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0",
      // Missing "detector/".
      "arn:aws:guardduty:us-east-1:123456789012:12abc34d567e8fa901bc2d34e56789f0",
      "arn:aws:guardduty:us-east-1:123456789012:filter/12abc34d567e8fa901bc2d34e56789f0",
      "arn:aws:guardduty:us-east-1:123456789012:detector/",
      // Unknown child kind.
      "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/"
      "member/123456789012",
      // Child kind without a child.
      "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/"
      "filter/",
      "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/"
      "filter",
      // Extra path segments.
      "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0/"
      "filter/a/b",
      // Extra ':' fields.
      "arn:aws:guardduty:us-east-1:123456789012:detector/12abc34d567e8fa901bc2d34e56789f0:x",
  };
  for (const std::string& arn : bad_arns) {
    SCOPED_TRACE(arn);
    auto parsed = ParseArn(arn, "resourceArn");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(parsed.status().message().find("resourceArn"), std::string::npos)
        << parsed.status().message();
  }
}

}  // namespace
}  // namespace vigil
