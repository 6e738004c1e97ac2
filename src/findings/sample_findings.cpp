// Sample findings as CreateSampleFindings makes them. The placeholder values are
// GuardDuty's own ("GeneratedFinding...", i-99999999, 198.51.100.0, eni-bfcffe88), so
// tools and filters written against AWS's samples behave the same against Vigil's.
#include "findings/sample_findings.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/arn.h"
#include "core/time.h"
#include "findings/finding_builder.h"

namespace vigil {

namespace {

namespace json = boost::json;

constexpr std::string_view kInstanceId = "i-99999999";
constexpr std::string_view kRemoteIp = "198.51.100.0";
constexpr std::string_view kPrivateIp = "10.0.0.1";
// The address GuardDuty's samples give the probed side of a port probe and the local
// side of a connection.
constexpr std::string_view kLocalIp = "10.0.0.23";
constexpr std::string_view kAccessKeyId = "ASIASZ4SI7REEEXAMPLE";
constexpr std::string_view kUserName = "GeneratedFindingUserName";
constexpr std::string_view kApiName = "GeneratedFindingAPIName";
constexpr std::string_view kApiServiceName = "GeneratedFindingAPIServiceName";
constexpr std::string_view kDomain = "GeneratedFindingDomainName";
constexpr std::string_view kThreatListName = "GeneratedFindingThreatListName";
constexpr std::string_view kThreatName = "GeneratedFindingThreatName";
constexpr std::string_view kBucketName = "bucketName";
constexpr int64_t kEphemeralPort = 32794;
// S3BucketDetail.createdAt is the model's Timestamp shape: epoch seconds on the wire.
constexpr int64_t kBucketCreatedAtSeconds = 1513612692;

// The service port a type is about, and the name GuardDuty gives it.
struct ServicePort {
  int64_t port = 80;
  std::string_view name = "HTTP";
};

ServicePort ServicePortFor(std::string_view type) {
  if (type.find("SSH") != std::string_view::npos) return {22, "SSH"};
  if (type.find("RDP") != std::string_view::npos) return {3389, "RDP"};
  if (type.find("WinRM") != std::string_view::npos) return {5985, "WinRM"};
  if (type.find("Spambot") != std::string_view::npos) return {25, "SMTP"};
  if (type.find("EMR") != std::string_view::npos) return {8088, "Unknown"};
  if (type.ends_with("DenialOfService.Dns")) return {53, "DNS"};
  return {};
}

std::string_view ProtocolFor(std::string_view type) {
  if (type.ends_with(".Udp") || type.ends_with(".UdpOnTcpPorts") || type.ends_with(".Dns")) {
    return "UDP";
  }
  if (type.ends_with(".UnusualProtocol")) return "Unknown";
  return "TCP";
}

json::object Tag(std::string_view key, std::string_view value) {
  return json::object{{"key", key}, {"value", value}};
}

json::object PortDetails(int64_t port, std::string_view name) {
  return json::object{{"port", port}, {"portName", name}};
}

json::object LocalIpDetails() { return json::object{{"ipAddressV4", kLocalIp}}; }

json::object RemoteIpDetails() {
  return json::object{
      {"ipAddressV4", kRemoteIp},
      {"organization", json::object{{"asn", "-1"},
                                    {"asnOrg", "GeneratedFindingASNOrg"},
                                    {"isp", "GeneratedFindingISP"},
                                    {"org", "GeneratedFindingORG"}}},
      {"country", json::object{{"countryName", "GeneratedFindingCountryName"}}},
      {"city", json::object{{"cityName", "GeneratedFindingCityName"}}},
      {"geoLocation", json::object{{"lat", 0}, {"lon", 0}}},
  };
}

json::object InstanceDetails() {
  json::object network_interface{
      {"ipv6Addresses", json::array{}},
      {"networkInterfaceId", "eni-bfcffe88"},
      {"privateDnsName", "GeneratedFindingPrivateDnsName"},
      {"privateIpAddress", kPrivateIp},
      {"privateIpAddresses",
       json::array{json::object{{"privateDnsName", "GeneratedFindingPrivateName"},
                                {"privateIpAddress", kPrivateIp}}}},
      {"subnetId", "GeneratedFindingSubnetId"},
      {"vpcId", "GeneratedFindingVPCId"},
      {"securityGroups",
       json::array{json::object{{"groupName", "GeneratedFindingSecurityGroupName"},
                                {"groupId", "GeneratedFindingSecurityId"}}}},
      {"publicDnsName", "GeneratedFindingPublicDNSName"},
      {"publicIp", kRemoteIp},
  };
  // The reference sample's "platform": null is left out: Vigil never writes JSON nulls.
  return json::object{
      {"instanceId", kInstanceId},
      {"instanceType", "m3.xlarge"},
      {"launchTime", "2016-08-02T02:05:06Z"},
      {"productCodes",
       json::array{json::object{{"productCodeId", "GeneratedFindingProductCodeId"},
                                {"productCodeType", "GeneratedFindingProductCodeType"}}}},
      {"iamInstanceProfile", json::object{{"arn", "GeneratedFindingInstanceProfileArn"},
                                          {"id", "GeneratedFindingInstanceProfileId"}}},
      {"networkInterfaces", json::array{std::move(network_interface)}},
      {"tags", json::array{Tag("GeneratedFindingInstaceTag1", "GeneratedFindingInstaceValue1")}},
      {"instanceState", "running"},
      {"availabilityZone", "GeneratedFindingInstaceAvailabilityZone"},
      {"imageId", "ami-99999999"},
      {"imageDescription", "GeneratedFindingInstaceImageDescription"},
  };
}

json::object AccessKeyDetails() {
  return json::object{
      {"accessKeyId", kAccessKeyId},
      {"principalId", "GeneratedFindingPrincipalId"},
      {"userName", kUserName},
      {"userType", "IAMUser"},
  };
}

json::object BlockPublicAccess() {
  return json::object{
      {"ignorePublicAcls", false},
      {"restrictPublicBuckets", false},
      {"blockPublicAcls", false},
      {"blockPublicPolicy", false},
  };
}

json::object S3BucketDetail(const FindingOrigin& origin, std::string_view partition) {
  const json::object public_read_write{{"allowsPublicReadAccess", false},
                                       {"allowsPublicWriteAccess", false}};
  json::object permission_configuration{
      {"bucketLevelPermissions", json::object{{"accessControlList", public_read_write},
                                              {"bucketPolicy", public_read_write},
                                              {"blockPublicAccess", BlockPublicAccess()}}},
      {"accountLevelPermissions", json::object{{"blockPublicAccess", BlockPublicAccess()}}},
  };
  return json::object{
      {"arn", "arn:" + std::string(partition) + ":s3:::" + std::string(kBucketName)},
      {"name", kBucketName},
      {"type", "Destination"},
      {"createdAt", kBucketCreatedAtSeconds},
      {"owner", json::object{{"id", "CanonicalId of Owner"}}},
      {"tags", json::array{Tag("foo", "bar")}},
      {"defaultServerSideEncryption",
       json::object{{"encryptionType", "SSEAlgorithm"},
                    {"kmsMasterKeyArn", "arn:" + std::string(partition) + ":kms:" + origin.region +
                                            ":" + origin.account + ":key/key-id"}}},
      {"publicAccess",
       json::object{{"permissionConfiguration", std::move(permission_configuration)},
                    {"effectivePermission", "NOT_PUBLIC"}}},
  };
}

json::object Resource(const FindingTypeInfo& type, const FindingOrigin& origin,
                      std::string_view partition) {
  json::object resource{{"resourceType", type.resource_type}};
  if (type.resource_type == "Instance") {
    resource["instanceDetails"] = InstanceDetails();
  } else if (type.resource_type == "S3Bucket") {
    // GuardDuty's S3 findings name the bucket and the credentials that acted on it.
    resource["s3BucketDetails"] = json::array{S3BucketDetail(origin, partition)};
    resource["accessKeyDetails"] = AccessKeyDetails();
  } else {
    resource["accessKeyDetails"] = AccessKeyDetails();
  }
  return resource;
}

json::object Action(const FindingTypeInfo& type, const ServicePort& service_port) {
  json::object action{{"actionType", type.action_type}};
  if (type.action_type == "NETWORK_CONNECTION") {
    // The service port is on the instance's side when it is connected to, and on the
    // remote side when the instance connects out.
    const bool inbound = type.resource_role == "TARGET";
    const json::object service = PortDetails(service_port.port, service_port.name);
    const json::object ephemeral = PortDetails(kEphemeralPort, "Unknown");
    action["networkConnectionAction"] = json::object{
        {"connectionDirection", inbound ? "INBOUND" : "OUTBOUND"},
        {"remoteIpDetails", RemoteIpDetails()},
        {"remotePortDetails", inbound ? ephemeral : service},
        {"localPortDetails", inbound ? service : ephemeral},
        {"localIpDetails", LocalIpDetails()},
        {"protocol", ProtocolFor(type.type)},
        {"blocked", false},
    };
  } else if (type.action_type == "PORT_PROBE") {
    action["portProbeAction"] = json::object{
        {"blocked", false},
        {"portProbeDetails",
         json::array{json::object{
             {"localPortDetails", PortDetails(service_port.port, service_port.name)},
             {"localIpDetails", LocalIpDetails()},
             {"remoteIpDetails", RemoteIpDetails()},
         }}},
    };
  } else if (type.action_type == "DNS_REQUEST") {
    action["dnsRequestAction"] =
        json::object{{"domain", kDomain}, {"protocol", "UDP"}, {"blocked", false}};
  } else if (type.action_type == "AWS_API_CALL") {
    action["awsApiCallAction"] = json::object{
        {"api", kApiName},
        {"serviceName", kApiServiceName},
        {"callerType", "Remote IP"},
        {"userAgent", "GeneratedFindingUserAgent"},
        {"remoteIpDetails", RemoteIpDetails()},
    };
  }
  return action;
}

}  // namespace

json::object BuildSampleFinding(const FindingTypeInfo& type, const FindingOrigin& origin) {
  const std::string partition = PartitionForRegion(origin.region);
  const std::string now = FormatIsoMillis(origin.now_millis);
  const bool custom_list = type.type.ends_with(".Custom");
  const ServicePort service_port = ServicePortFor(type.type);

  json::object additional_info_value{{"sample", true}};
  if (custom_list) additional_info_value["threatListName"] = kThreatListName;

  json::object service{
      {"action", Action(type, service_port)},
      {"archived", false},
      {"count", 1},
      {"detectorId", origin.detector_id},
      {"eventFirstSeen", now},
      {"eventLastSeen", now},
      {"resourceRole", type.resource_role},
      {"serviceName", "guardduty"},
      {"featureName", type.feature_name},
      // The model's ServiceAdditionalInfo carries the details as a JSON document in a string.
      {"additionalInfo",
       json::object{{"value", json::serialize(additional_info_value)}, {"type", "default"}}},
  };
  if (custom_list) {
    service["evidence"] = json::object{
        {"threatIntelligenceDetails",
         json::array{json::object{{"threatListName", kThreatListName},
                                  {"threatNames", json::array{kThreatName}}}}},
    };
  }

  const std::map<std::string, std::string> placeholders{
      {"remoteIp", std::string(kRemoteIp)},
      {"instanceId", std::string(kInstanceId)},
      {"accessKeyId", std::string(kAccessKeyId)},
      {"userName", std::string(kUserName)},
      {"api", std::string(kApiName)},
      {"serviceName", std::string(kApiServiceName)},
      {"domain", std::string(kDomain)},
      {"port", std::to_string(service_port.port)},
      {"threatListName", std::string(kThreatListName)},
      {"bucketName", std::string(kBucketName)},
  };

  const ResourceName arn{partition,          origin.region,          origin.account,
                         origin.detector_id, ResourceKind::kFinding, origin.finding_id};
  return json::object{
      {"accountId", origin.account},
      {"arn", FormatArn(arn)},
      {"createdAt", now},
      {"description", RenderTemplate(type.description, placeholders)},
      {"id", origin.finding_id},
      {"partition", partition},
      {"region", origin.region},
      {"resource", Resource(type, origin, partition)},
      {"schemaVersion", "2.0"},
      {"service", std::move(service)},
      {"severity", FindingNumber(type.severity)},
      {"confidence", 5},
      {"title", RenderTemplate(type.title, placeholders)},
      {"type", type.type},
      {"updatedAt", now},
  };
}

}  // namespace vigil
