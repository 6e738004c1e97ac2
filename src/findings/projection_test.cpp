#include "findings/projection.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace vigil {
namespace {

namespace json = boost::json;

// GuardDuty's generated SSH brute-force sample, with a second network interface.
constexpr const char* kFindingJson = R"({
  "schemaVersion": "2.0", "accountId": "111122223333", "region": "us-east-1", "partition": "aws",
  "id": "16afba5c5c43e07c9e3e5e2e544e95df",
  "arn": "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/16afba5c5c43e07c9e3e5e2e544e95df",
  "type": "UnauthorizedAccess:EC2/SSHBruteForce",
  "resource": {
    "resourceType": "Instance",
    "instanceDetails": {
      "instanceId": "i-99999999", "instanceType": "m3.xlarge", "launchTime": "2016-08-02T02:05:06Z",
      "platform": null,
      "iamInstanceProfile": {"arn": "arn:aws:iam::111122223333:instance-profile/web", "id": "AIPAEXAMPLE"},
      "networkInterfaces": [
        {"ipv6Addresses": [], "networkInterfaceId": "eni-bfcffe88", "privateIpAddress": "10.0.0.1",
         "privateIpAddresses": [{"privateDnsName": "ip-10-0-0-1", "privateIpAddress": "10.0.0.1"}],
         "subnetId": "subnet-11111111", "vpcId": "vpc-11111111",
         "securityGroups": [{"groupName": "web", "groupId": "sg-11111111"},
                            {"groupName": "ssh", "groupId": "sg-22222222"}],
         "publicDnsName": "ec2-198-51-100-1.compute-1.amazonaws.com", "publicIp": "198.51.100.1"},
        {"ipv6Addresses": ["2001:db8::1", "2001:db8::2"], "networkInterfaceId": "eni-22222222",
         "privateIpAddress": "10.1.0.5",
         "privateIpAddresses": [{"privateIpAddress": "10.1.0.5"}, {"privateIpAddress": "10.1.0.6"}],
         "subnetId": "subnet-22222222", "vpcId": "vpc-22222222",
         "securityGroups": [{"groupName": "db", "groupId": "sg-33333333"}]}],
      "tags": [{"key": "Name", "value": "bastion"}, {"key": "env", "value": "prod"}],
      "instanceState": "running", "imageId": "ami-99999999"}
  },
  "service": {
    "serviceName": "guardduty", "detectorId": "12abc34d567e8fa901bc2d34e56789f0",
    "featureName": "FlowLogs",
    "action": {
      "actionType": "NETWORK_CONNECTION",
      "networkConnectionAction": {
        "connectionDirection": "INBOUND",
        "remoteIpDetails": {"ipAddressV4": "198.51.100.0",
                            "organization": {"asn": "64496", "asnOrg": "ExampleOrg"},
                            "country": {"countryName": "Netherlands"},
                            "city": {"cityName": "Amsterdam"},
                            "geoLocation": {"lat": 52.37, "lon": 4.89}},
        "remotePortDetails": {"port": 32794, "portName": "Unknown"},
        "localPortDetails": {"port": 22, "portName": "SSH"},
        "localIpDetails": {"ipAddressV4": "10.0.0.1"},
        "protocol": "TCP", "blocked": false}},
    "resourceRole": "TARGET",
    "additionalInfo": {"value": "{\"threatListName\":\"CorpBlocklist\"}", "type": "default"},
    "eventFirstSeen": "2018-01-23T21:50:00.000Z", "eventLastSeen": "2018-01-23T21:53:32.815Z",
    "archived": false, "count": 14
  },
  "severity": 8.0, "confidence": 5.5,
  "createdAt": "2018-01-23T21:50:00.000Z", "updatedAt": "2018-01-23T21:53:32.815Z",
  "title": "198.51.100.0 is performing SSH brute force attacks against i-99999999."
})";

uint16_t IdOf(std::string_view path) {
  const CriterionAttribute* attribute = FindCriterionAttribute(path);
  EXPECT_NE(attribute, nullptr) << path;
  return attribute == nullptr ? 0 : attribute->id;
}

std::vector<std::string> ValuesOf(std::string_view encoded, std::string_view path) {
  std::vector<std::string> values;
  FindingProjection(encoded).ForEachValue(IdOf(path), [&](std::string_view value) {
    values.emplace_back(value);
    return true;
  });
  return values;
}

std::string EncodeJson(std::string_view text) {
  return FindingProjection::Encode(json::parse(text).as_object());
}

using Values = std::vector<std::string>;

// ---- The catalogue ----

TEST(CriterionAttributesTest, IdsAreOneToNInOrderAndPathsUnique) {
  std::set<std::string_view> paths;
  uint16_t expected_id = 1;
  for (const CriterionAttribute& attribute : CriterionAttributes()) {
    EXPECT_EQ(attribute.id, expected_id++) << attribute.path;
    EXPECT_TRUE(paths.insert(attribute.path).second) << "duplicate " << attribute.path;
    EXPECT_EQ(FindCriterionAttribute(attribute.path), &attribute);
  }
  EXPECT_EQ(CriterionAttributes().size(), 102u);
}

TEST(CriterionAttributesTest, KindsFollowTheModel) {
  EXPECT_EQ(FindCriterionAttribute("severity")->kind, AttributeKind::kNumber);
  EXPECT_EQ(FindCriterionAttribute("confidence")->kind, AttributeKind::kNumber);
  EXPECT_EQ(FindCriterionAttribute("service.count")->kind, AttributeKind::kNumber);
  EXPECT_EQ(
      FindCriterionAttribute("service.action.networkConnectionAction.localPortDetails.port")->kind,
      AttributeKind::kNumber);
  EXPECT_EQ(FindCriterionAttribute("service.archived")->kind, AttributeKind::kBoolean);
  EXPECT_EQ(FindCriterionAttribute("service.action.networkConnectionAction.blocked")->kind,
            AttributeKind::kBoolean);
  EXPECT_EQ(FindCriterionAttribute("updatedAt")->kind, AttributeKind::kTimestamp);
  EXPECT_EQ(FindCriterionAttribute("service.eventLastSeen")->kind, AttributeKind::kTimestamp);
  // asn is a string in the model.
  EXPECT_EQ(FindCriterionAttribute(
                "service.action.networkConnectionAction.remoteIpDetails.organization.asn")
                ->kind,
            AttributeKind::kString);
}

TEST(CriterionAttributesTest, UnknownPathsAreNotFound) {
  EXPECT_EQ(FindCriterionAttribute(""), nullptr);
  EXPECT_EQ(FindCriterionAttribute("title"), nullptr);
  EXPECT_EQ(FindCriterionAttribute("Severity"), nullptr);
  EXPECT_EQ(FindCriterionAttribute("resource.instanceDetails"), nullptr);
  EXPECT_EQ(FindCriterionAttribute("severity.value"), nullptr);
}

// ---- Encode -> ForEachValue ----

TEST(FindingProjectionTest, StringsAreKeptAsTheyAre) {
  const std::string encoded = EncodeJson(kFindingJson);
  EXPECT_EQ(ValuesOf(encoded, "type"), Values{"UnauthorizedAccess:EC2/SSHBruteForce"});
  EXPECT_EQ(ValuesOf(encoded, "accountId"), Values{"111122223333"});
  EXPECT_EQ(ValuesOf(encoded, "resource.instanceDetails.iamInstanceProfile.id"),
            Values{"AIPAEXAMPLE"});
  EXPECT_EQ(
      ValuesOf(encoded, "service.action.networkConnectionAction.remoteIpDetails.organization.asn"),
      Values{"64496"});
}

TEST(FindingProjectionTest, NumbersTakeTheirShortestForm) {
  const std::string encoded = EncodeJson(kFindingJson);
  EXPECT_EQ(ValuesOf(encoded, "severity"), Values{"8"});  // 8.0 in the JSON
  EXPECT_EQ(ValuesOf(encoded, "confidence"), Values{"5.5"});
  EXPECT_EQ(ValuesOf(encoded, "service.action.networkConnectionAction.localPortDetails.port"),
            Values{"22"});
  EXPECT_EQ(ValuesOf(encoded, "service.action.networkConnectionAction.remotePortDetails.port"),
            Values{"32794"});
  EXPECT_EQ(ValuesOf(encoded, "service.count"), Values{"14"});
  EXPECT_EQ(ValuesOf(EncodeJson(R"({"severity": 18446744073709551615})"), "severity"),
            Values{"18446744073709551615"});
  EXPECT_EQ(ValuesOf(EncodeJson(R"({"severity": -2})"), "severity"), Values{"-2"});
}

TEST(FindingProjectionTest, BooleansAreTrueOrFalse) {
  const std::string encoded = EncodeJson(kFindingJson);
  EXPECT_EQ(ValuesOf(encoded, "service.archived"), Values{"false"});
  EXPECT_EQ(ValuesOf(encoded, "service.action.networkConnectionAction.blocked"), Values{"false"});
  EXPECT_EQ(ValuesOf(EncodeJson(R"({"service": {"archived": true}})"), "service.archived"),
            Values{"true"});
}

TEST(FindingProjectionTest, TimestampsBecomeEpochMilliseconds) {
  const std::string encoded = EncodeJson(kFindingJson);
  EXPECT_EQ(ValuesOf(encoded, "updatedAt"), Values{"1516744412815"});
  EXPECT_EQ(ValuesOf(encoded, "createdAt"), Values{"1516744200000"});
  EXPECT_EQ(ValuesOf(encoded, "service.eventFirstSeen"), Values{"1516744200000"});
  EXPECT_EQ(ValuesOf(encoded, "service.eventLastSeen"), Values{"1516744412815"});
  EXPECT_EQ(ValuesOf(EncodeJson(R"({"updatedAt": "2018-01-23T21:53:32Z"})"), "updatedAt"),
            Values{"1516744412000"});
}

TEST(FindingProjectionTest, UnparsableTimestampsAreLeftOut) {
  for (const char* text : {R"({"updatedAt": "yesterday"})", R"({"updatedAt": 1516744412815})",
                           R"({"updatedAt": "2018-13-23T21:53:32.815Z"})"}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(ValuesOf(EncodeJson(text), "updatedAt").empty());
  }
}

TEST(FindingProjectionTest, ListsFanOutInDocumentOrder) {
  const std::string encoded = EncodeJson(kFindingJson);
  EXPECT_EQ(ValuesOf(encoded, "resource.instanceDetails.networkInterfaces.vpcId"),
            (Values{"vpc-11111111", "vpc-22222222"}));
  EXPECT_EQ(ValuesOf(encoded, "resource.instanceDetails.networkInterfaces.securityGroups.groupId"),
            (Values{"sg-11111111", "sg-22222222", "sg-33333333"}));
  EXPECT_EQ(
      ValuesOf(encoded,
               "resource.instanceDetails.networkInterfaces.privateIpAddresses.privateIpAddress"),
      (Values{"10.0.0.1", "10.1.0.5", "10.1.0.6"}));
  EXPECT_EQ(ValuesOf(encoded, "resource.instanceDetails.networkInterfaces.ipv6Addresses"),
            (Values{"2001:db8::1", "2001:db8::2"}));
  EXPECT_EQ(ValuesOf(encoded, "resource.instanceDetails.tags.key"), (Values{"Name", "env"}));
  EXPECT_EQ(ValuesOf(encoded, "resource.instanceDetails.tags.value"), (Values{"bastion", "prod"}));
  // The first interface has no ipv6 address; the second has no public IP.
  EXPECT_EQ(ValuesOf(encoded, "resource.instanceDetails.networkInterfaces.publicIp"),
            Values{"198.51.100.1"});
}

TEST(FindingProjectionTest, NullsObjectsAndMissingPathsYieldNothing) {
  const std::string encoded = EncodeJson(R"({
      "accountId": null, "region": {"name": "us-east-1"},
      "resource": {"instanceDetails": {"networkInterfaces": [null, 3, {"vpcId": null}]}}})");
  EXPECT_TRUE(ValuesOf(encoded, "accountId").empty());
  EXPECT_TRUE(ValuesOf(encoded, "region").empty());
  EXPECT_TRUE(ValuesOf(encoded, "resource.instanceDetails.networkInterfaces.vpcId").empty());
  EXPECT_TRUE(ValuesOf(encoded, "resource.accessKeyDetails.userName").empty());
  EXPECT_EQ(FindingProjection(encoded).FirstValue(IdOf("type")), std::nullopt);
}

TEST(FindingProjectionTest, ThreatListNameComesFromTheAdditionalInfoDocument) {
  EXPECT_EQ(ValuesOf(EncodeJson(kFindingJson), "service.additionalInfo.threatListName"),
            Values{"CorpBlocklist"});
  // EventBridge events show additionalInfo inline.
  EXPECT_EQ(ValuesOf(EncodeJson(R"({"service": {"additionalInfo": {"threatListName": "Inline"}}})"),
                     "service.additionalInfo.threatListName"),
            Values{"Inline"});
  for (const char* text : {
           R"({"service": {"additionalInfo": {"value": "not json", "type": "default"}}})",
           R"({"service": {"additionalInfo": {"value": "[1, 2]", "type": "default"}}})",
           R"({"service": {"additionalInfo": {"value": "{\"sample\":true}"}}})",
           R"({"service": {"additionalInfo": {"value": 7}}})",
           R"({"service": {"additionalInfo": "threatListName"}})",
           R"({"service": []})",
       }) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(ValuesOf(EncodeJson(text), "service.additionalInfo.threatListName").empty());
  }
}

TEST(FindingProjectionTest, EffectivePermissionsReadsTheModelsEffectivePermission) {
  const std::string encoded = EncodeJson(R"({"resource": {"resourceType": "S3Bucket",
      "s3BucketDetails": [
        {"name": "logs", "type": "Destination", "publicAccess": {"effectivePermission": "NOT_PUBLIC"},
         "tags": [{"key": "team", "value": "sec"}]},
        {"name": "site", "type": "Source", "publicAccess": {"effectivePermission": "PUBLIC"}}]}})");
  EXPECT_EQ(ValuesOf(encoded, "resource.s3BucketDetails.publicAccess.effectivePermissions"),
            (Values{"NOT_PUBLIC", "PUBLIC"}));
  EXPECT_EQ(ValuesOf(encoded, "resource.s3BucketDetails.name"), (Values{"logs", "site"}));
  EXPECT_EQ(ValuesOf(encoded, "resource.s3BucketDetails.tags.value"), Values{"sec"});
}

TEST(FindingProjectionTest, OtherProtectionPlansFieldsAreProjected) {
  const std::string encoded = EncodeJson(R"({
      "resource": {"kubernetesDetails": {"kubernetesWorkloadDetails": {"containers": [
          {"image": "nginx:1.25", "imagePrefix": "nginx"}, {"image": "redis:7"}]}}},
      "service": {"action": {"kubernetesApiCallAction": {"statusCode": 403}}}})");
  EXPECT_EQ(
      ValuesOf(encoded, "resource.kubernetesDetails.kubernetesWorkloadDetails.containers.image"),
      (Values{"nginx:1.25", "redis:7"}));
  EXPECT_EQ(ValuesOf(encoded, "service.action.kubernetesApiCallAction.statusCode"), Values{"403"});
}

TEST(FindingProjectionTest, FirstValueAndEarlyStop) {
  const std::string encoded = EncodeJson(kFindingJson);
  const FindingProjection projection(encoded);
  EXPECT_EQ(projection.FirstValue(IdOf("resource.instanceDetails.networkInterfaces.subnetId")),
            "subnet-11111111");
  EXPECT_EQ(projection.FirstValue(IdOf("severity")), "8");
  int visits = 0;
  projection.ForEachValue(IdOf("resource.instanceDetails.networkInterfaces.securityGroups.groupId"),
                          [&](std::string_view) { return ++visits < 2; });
  EXPECT_EQ(visits, 2);
  EXPECT_EQ(projection.FirstValue(0), std::nullopt);
  EXPECT_EQ(projection.FirstValue(60000), std::nullopt);
}

TEST(FindingProjectionTest, EveryAttributeRoundTrips) {
  // One object per catalogue path holding the path itself as the value (kinds aside).
  for (const CriterionAttribute& attribute : CriterionAttributes()) {
    if (attribute.path == "service.additionalInfo.threatListName") continue;
    if (attribute.kind == AttributeKind::kTimestamp) continue;
    json::object finding;
    json::object* node = &finding;
    std::string_view rest = attribute.path;
    if (attribute.path == "resource.s3BucketDetails.publicAccess.effectivePermissions") {
      rest = "resource.s3BucketDetails.publicAccess.effectivePermission";
    }
    for (size_t dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
      node = &(*node)[rest.substr(0, dot)].emplace_object();
      rest = rest.substr(dot + 1);
    }
    (*node)[rest] = attribute.path;
    SCOPED_TRACE(attribute.path);
    const std::string encoded = FindingProjection::Encode(finding);
    EXPECT_EQ(FindingProjection(encoded).FirstValue(attribute.id), attribute.path);
  }
}

TEST(FindingProjectionTest, ProjectionIsMuchSmallerThanTheFinding) {
  const json::object finding = json::parse(kFindingJson).as_object();
  const std::string encoded = FindingProjection::Encode(finding);
  EXPECT_LT(encoded.size() * 2, json::serialize(finding).size());
}

// Every value handed out must lie inside the encoded buffer.
void ExpectSafeToRead(std::string_view bytes) {
  const FindingProjection projection(bytes);
  const char* begin = bytes.data();
  const char* end = bytes.data() + bytes.size();
  for (uint16_t id = 0; id <= 130; ++id) {
    projection.ForEachValue(id, [&](std::string_view value) {
      EXPECT_TRUE(value.empty() || (value.data() >= begin && value.data() + value.size() <= end));
      return true;
    });
    if (std::optional<std::string_view> first = projection.FirstValue(id);
        first && !first->empty()) {
      EXPECT_GE(first->data(), begin);
      EXPECT_LE(first->data() + first->size(), end);
    }
  }
}

TEST(FindingProjectionTest, FindingsOverSixtyFourKilobytesRoundTrip) {
  json::object finding = json::parse(kFindingJson).as_object();
  json::array& tags =
      finding["resource"].as_object()["instanceDetails"].as_object()["tags"].as_array();
  for (int i = 0; i < 300; ++i) {
    tags.push_back(
        json::object{{"key", "k" + std::to_string(i)}, {"value", std::string(300, 'v')}});
  }
  const std::string encoded = FindingProjection::Encode(finding);
  ASSERT_GT(encoded.size(), 90000u);
  EXPECT_EQ(ValuesOf(encoded, "resource.instanceDetails.tags.key").size(), 302u);
  EXPECT_EQ(ValuesOf(encoded, "resource.instanceDetails.tags.key").back(), "k299");
  EXPECT_EQ(ValuesOf(encoded, "service.count"), Values{"14"});
  EXPECT_EQ(ValuesOf(encoded, "accountId"), Values{"111122223333"});
  ExpectSafeToRead(encoded.substr(0, encoded.size() - 1));
}

TEST(FindingProjectionTest, EmptyOrForeignBytesHaveNoValues) {
  for (std::string_view bytes : {std::string_view(""), std::string_view("\x07\x01\x01\x20\x00", 5),
                                 std::string_view("{\"severity\":8}")}) {
    const FindingProjection projection(bytes);
    for (uint16_t id = 0; id < 110; ++id) EXPECT_EQ(projection.FirstValue(id), std::nullopt);
  }
}

TEST(FindingProjectionTest, TruncatedAndCorruptBytesNeverReadOutOfBounds) {
  const std::string encoded = EncodeJson(kFindingJson);
  for (size_t length = 0; length <= encoded.size(); ++length) {
    // A copy of exactly `length` bytes, so reading past it is a heap overflow under ASAN.
    const std::string truncated = encoded.substr(0, length);
    ExpectSafeToRead(truncated);
  }
  std::mt19937 random(20240123);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 2000; ++round) {
    std::string mutated = encoded;
    const int flips = 1 + round % 8;
    for (int i = 0; i < flips; ++i) {
      mutated[1 + random() % (mutated.size() - 1)] = static_cast<char>(byte(random));
    }
    ExpectSafeToRead(mutated);
  }
  for (int round = 0; round < 2000; ++round) {
    std::string noise(random() % 64, '\0');
    for (char& c : noise) c = static_cast<char>(byte(random));
    if (!noise.empty() && round % 2 == 0) noise[0] = 1;  // a valid format byte
    ExpectSafeToRead(noise);
  }
  // Oversized varints and lengths.
  ExpectSafeToRead(std::string("\x01\xff\xff\xff\xff\xff\xff", 7));
  ExpectSafeToRead(std::string("\x01\x05\xff\xff\xff\xff\x0f", 7));
  ExpectSafeToRead(std::string("\x01\x05\x7f", 3));
}

}  // namespace
}  // namespace vigil
