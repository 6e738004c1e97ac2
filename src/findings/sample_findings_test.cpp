#include "findings/sample_findings.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace vigil {
namespace {

namespace json = boost::json;

constexpr char kModelPath[] =
    "/usr/lib/python3/dist-packages/botocore/data/guardduty/2017-11-28/service-2.json";
constexpr char kDetectorId[] = "12abc34d567e8fa901bc2d34e56789f0";
constexpr char kFindingId[] = "16afba5c5c43e07c9e3e5e2e544e95df";
constexpr int64_t kNowMillis = 1526050599976;  // 2018-05-11T14:56:39.976Z

FindingOrigin Origin(std::string region = "us-east-1") {
  return FindingOrigin{.account = "111122223333",
                       .region = std::move(region),
                       .detector_id = kDetectorId,
                       .finding_id = kFindingId,
                       .now_millis = kNowMillis};
}

// A JSON string to compare Finding members with catalogue fields.
json::value Text(std::string_view text) { return json::value(json::string_view(text)); }

const json::object& Object(const json::object& object, std::string_view key) {
  return object.at(key).as_object();
}
const json::object& Object(const json::value& value, std::string_view key) {
  return Object(value.as_object(), key);
}

// The botocore model's shapes, loaded once for all tests.
const json::object& ModelShapes() {
  static const json::value* const kModel = [] {
    std::ifstream file(kModelPath);
    std::stringstream text;
    text << file.rdbuf();
    return new json::value(json::parse(text.str()));
  }();
  return kModel->at("shapes").as_object();
}

// Checks `value` against model shape `shape_name`: every key is a member's wire name,
// every required member is present, JSON types match the shape types, and no value is
// null. Appends one line per violation to `errors`.
void CheckAgainstShape(const json::value& value, std::string_view shape_name,
                       const std::string& path, std::vector<std::string>& errors) {
  const json::object& shapes = ModelShapes();
  const json::value* shape_value = shapes.if_contains(shape_name);
  if (shape_value == nullptr) {
    errors.push_back(path + ": model has no shape " + std::string(shape_name));
    return;
  }
  const json::object& shape = shape_value->as_object();
  const std::string_view kind = shape.at("type").as_string();
  const auto error = [&](const std::string& message) { errors.push_back(path + ": " + message); };
  if (value.is_null()) {
    error("null");
    return;
  }
  if (kind == "structure") {
    if (!value.is_object()) return error("expected an object");
    const json::object& members = shape.at("members").as_object();
    for (const auto& [key, member_value] : value.as_object()) {
      const json::object* member = nullptr;
      for (const auto& [member_name, candidate] : members) {
        const json::object& candidate_object = candidate.as_object();
        const json::value* location_name = candidate_object.if_contains("locationName");
        const std::string_view wire_name = location_name != nullptr
                                               ? std::string_view(location_name->as_string())
                                               : std::string_view(member_name);
        if (wire_name == key) member = &candidate_object;
      }
      if (member == nullptr) {
        error("unknown member \"" + std::string(key) + "\" of " + std::string(shape_name));
        continue;
      }
      CheckAgainstShape(member_value, member->at("shape").as_string(),
                        path + "." + std::string(key), errors);
    }
    if (const json::value* required = shape.if_contains("required")) {
      for (const json::value& member_name : required->as_array()) {
        const json::object& member = members.at(member_name.as_string()).as_object();
        const json::value* location_name = member.if_contains("locationName");
        const std::string_view wire_name = location_name != nullptr
                                               ? std::string_view(location_name->as_string())
                                               : std::string_view(member_name.as_string());
        if (!value.as_object().contains(wire_name)) {
          error("missing required member " + std::string(wire_name));
        }
      }
    }
  } else if (kind == "list") {
    if (!value.is_array()) return error("expected an array");
    const std::string_view member_shape = shape.at("member").at("shape").as_string();
    for (size_t i = 0; i < value.as_array().size(); ++i) {
      CheckAgainstShape(value.as_array()[i], member_shape, path + "[" + std::to_string(i) + "]",
                        errors);
    }
  } else if (kind == "map") {
    if (!value.is_object()) return error("expected an object");
    const std::string_view value_shape = shape.at("value").at("shape").as_string();
    for (const auto& [key, entry] : value.as_object()) {
      CheckAgainstShape(entry, value_shape, path + "." + std::string(key), errors);
    }
  } else if (kind == "string") {
    if (!value.is_string()) return error("expected a string");
  } else if (kind == "boolean") {
    if (!value.is_bool()) return error("expected a boolean");
  } else if (kind == "integer" || kind == "long") {
    if (!value.is_int64() && !value.is_uint64()) return error("expected an integer");
  } else if (kind == "double" || kind == "float" || kind == "timestamp") {
    // rest-json sends the Timestamp shape as epoch seconds, a number.
    if (!value.is_number()) return error("expected a number");
  } else {
    error("unexpected shape type " + std::string(kind));
  }
}

TEST(SampleFindingTest, ModelIsAvailable) {
  ASSERT_TRUE(ModelShapes().contains("Finding")) << kModelPath;
}

TEST(SampleFindingTest, EveryTypeMatchesTheModelShape) {
  for (const FindingTypeInfo& info : FindingTypes()) {
    SCOPED_TRACE(std::string(info.type));
    std::vector<std::string> errors;
    CheckAgainstShape(json::value(BuildSampleFinding(info, Origin())), "Finding", "finding",
                      errors);
    for (const std::string& error : errors) ADD_FAILURE() << error;
  }
}

TEST(SampleFindingTest, EveryTypeHasTheRequiredTopLevelMembers) {
  for (const FindingTypeInfo& info : FindingTypes()) {
    SCOPED_TRACE(std::string(info.type));
    const json::object finding = BuildSampleFinding(info, Origin());
    for (std::string_view member : {"accountId", "arn", "createdAt", "id", "region", "resource",
                                    "schemaVersion", "severity", "type", "updatedAt"}) {
      EXPECT_TRUE(finding.contains(member)) << member;
    }
    EXPECT_EQ(finding.at("accountId"), "111122223333");
    EXPECT_EQ(finding.at("id"), kFindingId);
    EXPECT_EQ(finding.at("region"), "us-east-1");
    EXPECT_EQ(finding.at("partition"), "aws");
    EXPECT_EQ(finding.at("schemaVersion"), "2.0");
    EXPECT_EQ(finding.at("type"), Text(info.type));
    EXPECT_EQ(finding.at("severity").to_number<double>(), info.severity);
    EXPECT_EQ(finding.at("createdAt"), "2018-05-11T14:56:39.976Z");
    EXPECT_EQ(finding.at("updatedAt"), "2018-05-11T14:56:39.976Z");
    EXPECT_FALSE(finding.at("title").as_string().empty());
    EXPECT_FALSE(finding.at("description").as_string().empty());
  }
}

TEST(SampleFindingTest, ArnNamesTheFindingUnderItsDetector) {
  const FindingTypeInfo* ssh = FindFindingType("UnauthorizedAccess:EC2/SSHBruteForce");
  ASSERT_NE(ssh, nullptr);
  EXPECT_EQ(BuildSampleFinding(*ssh, Origin()).at("arn"),
            "arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/"
            "finding/16afba5c5c43e07c9e3e5e2e544e95df");
  const json::object china = BuildSampleFinding(*ssh, Origin("cn-north-1"));
  EXPECT_EQ(china.at("arn"),
            "arn:aws-cn:guardduty:cn-north-1:111122223333:detector/"
            "12abc34d567e8fa901bc2d34e56789f0/finding/16afba5c5c43e07c9e3e5e2e544e95df");
  EXPECT_EQ(china.at("partition"), "aws-cn");
}

TEST(SampleFindingTest, ResourceMatchesTheResourceType) {
  for (const FindingTypeInfo& info : FindingTypes()) {
    SCOPED_TRACE(std::string(info.type));
    const json::object finding = BuildSampleFinding(info, Origin());
    const json::object& resource = finding.at("resource").as_object();
    EXPECT_EQ(resource.at("resourceType"), Text(info.resource_type));
    if (info.resource_type == "Instance") {
      ASSERT_TRUE(resource.contains("instanceDetails"));
      EXPECT_FALSE(resource.contains("accessKeyDetails"));
      EXPECT_FALSE(resource.contains("s3BucketDetails"));
      const json::object& instance = resource.at("instanceDetails").as_object();
      EXPECT_EQ(instance.at("instanceId"), "i-99999999");
      EXPECT_EQ(instance.at("imageId"), "ami-99999999");
      const json::object& network_interface =
          instance.at("networkInterfaces").as_array().at(0).as_object();
      EXPECT_EQ(network_interface.at("networkInterfaceId"), "eni-bfcffe88");
      EXPECT_EQ(network_interface.at("privateIpAddress"), "10.0.0.1");
      EXPECT_EQ(network_interface.at("publicIp"), "198.51.100.0");
      EXPECT_FALSE(network_interface.at("securityGroups").as_array().empty());
      EXPECT_FALSE(instance.at("tags").as_array().empty());
    } else if (info.resource_type == "AccessKey") {
      ASSERT_TRUE(resource.contains("accessKeyDetails"));
      EXPECT_FALSE(resource.contains("instanceDetails"));
      EXPECT_FALSE(resource.contains("s3BucketDetails"));
      const json::object& access_key = resource.at("accessKeyDetails").as_object();
      EXPECT_EQ(access_key.at("accessKeyId"), "ASIASZ4SI7REEEXAMPLE");
      EXPECT_EQ(access_key.at("principalId"), "GeneratedFindingPrincipalId");
      EXPECT_EQ(access_key.at("userName"), "GeneratedFindingUserName");
      EXPECT_EQ(access_key.at("userType"), "IAMUser");
    } else {
      ASSERT_EQ(info.resource_type, "S3Bucket");
      EXPECT_FALSE(resource.contains("instanceDetails"));
      EXPECT_TRUE(resource.contains("accessKeyDetails"));
      const json::array& buckets = resource.at("s3BucketDetails").as_array();
      ASSERT_EQ(buckets.size(), 1u);
      const json::object& bucket = buckets[0].as_object();
      EXPECT_EQ(bucket.at("name"), "bucketName");
      EXPECT_EQ(bucket.at("arn"), "arn:aws:s3:::bucketName");
      EXPECT_EQ(bucket.at("type"), "Destination");
      EXPECT_TRUE(bucket.at("createdAt").is_number());
      EXPECT_EQ(Object(bucket.at("publicAccess"), "permissionConfiguration").size(), 2u);
      EXPECT_EQ(bucket.at("publicAccess").at("effectivePermission"), "NOT_PUBLIC");
    }
  }
}

TEST(SampleFindingTest, ActionMatchesTheActionType) {
  const std::map<std::string_view, std::string_view> member_of_action = {
      {"NETWORK_CONNECTION", "networkConnectionAction"},
      {"PORT_PROBE", "portProbeAction"},
      {"DNS_REQUEST", "dnsRequestAction"},
      {"AWS_API_CALL", "awsApiCallAction"},
  };
  for (const FindingTypeInfo& info : FindingTypes()) {
    SCOPED_TRACE(std::string(info.type));
    const json::object finding = BuildSampleFinding(info, Origin());
    const json::object& action = Object(finding.at("service"), "action");
    EXPECT_EQ(action.at("actionType"), Text(info.action_type));
    // actionType plus exactly the one member for it.
    ASSERT_EQ(action.size(), 2u);
    ASSERT_TRUE(action.contains(member_of_action.at(info.action_type)));
    const json::object& detail = action.at(member_of_action.at(info.action_type)).as_object();
    if (info.action_type == "NETWORK_CONNECTION") {
      EXPECT_EQ(detail.at("connectionDirection"),
                info.resource_role == "TARGET" ? "INBOUND" : "OUTBOUND");
      EXPECT_EQ(detail.at("remoteIpDetails").at("ipAddressV4"), "198.51.100.0");
      EXPECT_EQ(detail.at("blocked"), false);
    } else if (info.action_type == "PORT_PROBE") {
      EXPECT_EQ(detail.at("blocked"), false);
      const json::object& probe = detail.at("portProbeDetails").as_array().at(0).as_object();
      EXPECT_EQ(probe.at("localIpDetails").at("ipAddressV4"), "10.0.0.23");
      EXPECT_EQ(probe.at("remoteIpDetails").at("ipAddressV4"), "198.51.100.0");
      EXPECT_TRUE(probe.at("localPortDetails").at("port").is_int64());
    } else if (info.action_type == "DNS_REQUEST") {
      EXPECT_EQ(detail.at("domain"), "GeneratedFindingDomainName");
      EXPECT_EQ(detail.at("protocol"), "UDP");
    } else {
      EXPECT_EQ(detail.at("api"), "GeneratedFindingAPIName");
      EXPECT_EQ(detail.at("serviceName"), "GeneratedFindingAPIServiceName");
      EXPECT_EQ(detail.at("callerType"), "Remote IP");
      EXPECT_FALSE(detail.contains("errorCode"));
      EXPECT_EQ(detail.at("remoteIpDetails").at("organization").at("asn"), "-1");
    }
  }
}

TEST(SampleFindingTest, ServiceDescribesAFreshSample) {
  for (const FindingTypeInfo& info : FindingTypes()) {
    SCOPED_TRACE(std::string(info.type));
    const json::object finding = BuildSampleFinding(info, Origin());
    const json::object& service = finding.at("service").as_object();
    EXPECT_EQ(service.at("archived"), false);
    EXPECT_EQ(service.at("count"), 1);
    EXPECT_EQ(service.at("detectorId"), kDetectorId);
    EXPECT_EQ(service.at("eventFirstSeen"), finding.at("createdAt"));
    EXPECT_EQ(service.at("eventLastSeen"), finding.at("createdAt"));
    EXPECT_EQ(service.at("resourceRole"), Text(info.resource_role));
    EXPECT_EQ(service.at("serviceName"), "guardduty");
    EXPECT_EQ(service.at("featureName"), Text(info.feature_name));

    const json::object& additional_info = service.at("additionalInfo").as_object();
    EXPECT_EQ(additional_info.at("type"), "default");
    const json::value value = json::parse(additional_info.at("value").as_string());
    EXPECT_EQ(value.at("sample"), true);

    if (info.type.ends_with(".Custom")) {
      EXPECT_EQ(value.at("threatListName"), "GeneratedFindingThreatListName");
      ASSERT_TRUE(service.contains("evidence"));
      const json::object& threat =
          service.at("evidence").at("threatIntelligenceDetails").as_array().at(0).as_object();
      EXPECT_EQ(threat.at("threatListName"), "GeneratedFindingThreatListName");
      EXPECT_EQ(threat.at("threatNames").as_array().at(0), "GeneratedFindingThreatName");
    } else {
      EXPECT_FALSE(value.as_object().contains("threatListName"));
      EXPECT_FALSE(service.contains("evidence"));
    }
  }
}

TEST(SampleFindingTest, TitleAndDescriptionAreRenderedWithTheSampleValues) {
  for (const FindingTypeInfo& info : FindingTypes()) {
    SCOPED_TRACE(std::string(info.type));
    const json::object finding = BuildSampleFinding(info, Origin());
    EXPECT_EQ(finding.at("title").as_string().find('{'), json::string::npos);
    EXPECT_EQ(finding.at("description").as_string().find('{'), json::string::npos);
  }
  const FindingTypeInfo* ssh = FindFindingType("UnauthorizedAccess:EC2/SSHBruteForce");
  ASSERT_NE(ssh, nullptr);
  const json::object finding = BuildSampleFinding(*ssh, Origin());
  EXPECT_EQ(finding.at("title"),
            "198.51.100.0 is performing SSH brute force attacks against i-99999999.");
  EXPECT_EQ(finding.at("description"),
            "198.51.100.0 is performing SSH brute force attacks against i-99999999. Brute force "
            "attacks are used to gain unauthorized access to your instance by guessing the SSH "
            "password.");
}

TEST(SampleFindingTest, SshBruteForceMatchesTheReferenceSample) {
  const FindingTypeInfo* ssh = FindFindingType("UnauthorizedAccess:EC2/SSHBruteForce");
  ASSERT_NE(ssh, nullptr);
  const json::object finding = BuildSampleFinding(*ssh, Origin());
  EXPECT_EQ(finding.at("severity"), 2);
  EXPECT_EQ(finding.at("confidence"), 5);
  const json::object& connection =
      Object(Object(finding.at("service"), "action"), "networkConnectionAction");
  EXPECT_EQ(connection.at("connectionDirection"), "INBOUND");
  EXPECT_EQ(connection.at("localPortDetails"), (json::object{{"port", 22}, {"portName", "SSH"}}));
  EXPECT_EQ(connection.at("remotePortDetails"),
            (json::object{{"port", 32794}, {"portName", "Unknown"}}));
  EXPECT_EQ(connection.at("protocol"), "TCP");
  EXPECT_EQ(connection.at("remoteIpDetails").at("geoLocation"),
            (json::object{{"lat", 0}, {"lon", 0}}));
  const json::object& instance = Object(finding.at("resource"), "instanceDetails");
  EXPECT_EQ(instance.at("productCodes").as_array().at(0).at("productCodeId"),
            "GeneratedFindingProductCodeId");
  EXPECT_EQ(instance.at("iamInstanceProfile").at("id"), "GeneratedFindingInstanceProfileId");
  EXPECT_FALSE(instance.contains("platform"));
}

TEST(SampleFindingTest, ServicePortFollowsTheType) {
  const auto local_port = [](std::string_view type) -> int64_t {
    const FindingTypeInfo* info = FindFindingType(type);
    if (info == nullptr) return -1;
    const json::object finding = BuildSampleFinding(*info, Origin());
    const json::value& connection =
        finding.at("service").at("action").at("networkConnectionAction");
    return connection.at("localPortDetails").at("port").as_int64();
  };
  EXPECT_EQ(local_port("UnauthorizedAccess:EC2/SSHBruteForce"), 22);
  EXPECT_EQ(local_port("UnauthorizedAccess:EC2/RDPBruteForce"), 3389);
  EXPECT_EQ(local_port("Impact:EC2/WinRMBruteForce"), 5985);

  // An instance sending spam connects out: port 25 is the remote side's.
  const FindingTypeInfo* spambot = FindFindingType("Backdoor:EC2/Spambot");
  ASSERT_NE(spambot, nullptr);
  const json::object finding = BuildSampleFinding(*spambot, Origin());
  const json::value& connection = finding.at("service").at("action").at("networkConnectionAction");
  EXPECT_EQ(connection.at("connectionDirection"), "OUTBOUND");
  EXPECT_EQ(connection.at("remotePortDetails").at("port"), 25);
}

TEST(SampleFindingTest, SeverityIsWrittenAsAPlainNumber) {
  const FindingTypeInfo* portscan = FindFindingType("Recon:EC2/Portscan");
  ASSERT_NE(portscan, nullptr);
  const std::string text = json::serialize(BuildSampleFinding(*portscan, Origin()));
  EXPECT_NE(text.find("\"severity\":5,"), std::string::npos) << text;
}

}  // namespace
}  // namespace vigil
