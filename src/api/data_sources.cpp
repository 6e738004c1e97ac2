#include "api/data_sources.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

// The two request shapes differ only in their switches: a detector's sources each hold an
// "enable" and its ebsVolumes is a bare bool (DataSourceConfigurations); an organization's
// each hold an "autoEnable", ebsVolumes included (OrganizationDataSourceConfigurations).
struct RequestShape {
  std::string_view flag;
  bool ebs_volumes_is_object;
};
constexpr RequestShape kDetectorShape{"enable", false};
constexpr RequestShape kOrganizationShape{"autoEnable", true};

// Reads the object `name` of `parent` and its bool `flag` into `setting`.
void ReadSwitch(JsonReader& parent, std::string_view name, Presence presence, std::string_view flag,
                Presence flag_presence, bool& setting) {
  const json::object* object = parent.Object(name, presence);
  if (object == nullptr) return;
  JsonReader object_in(*object, parent.PathOf(name));
  if (auto value = object_in.Bool(flag, flag_presence)) setting = *value;
  parent.Fail(object_in.status());
}

void ReadSources(JsonReader& in, const RequestShape& shape, DataSourceSettings& settings) {
  const json::object* sources = in.Object("dataSources", Presence::kOptional);
  if (sources == nullptr) return;
  JsonReader sources_in(*sources, in.PathOf("dataSources"));
  ReadSwitch(sources_in, "s3Logs", Presence::kOptional, shape.flag, Presence::kRequired,
             settings.s3_logs);
  if (const json::object* kubernetes = sources_in.Object("kubernetes", Presence::kOptional)) {
    JsonReader kubernetes_in(*kubernetes, sources_in.PathOf("kubernetes"));
    ReadSwitch(kubernetes_in, "auditLogs", Presence::kRequired, shape.flag, Presence::kRequired,
               settings.kubernetes_audit_logs);
    sources_in.Fail(kubernetes_in.status());
  }
  if (const json::object* malware = sources_in.Object("malwareProtection", Presence::kOptional)) {
    JsonReader malware_in(*malware, sources_in.PathOf("malwareProtection"));
    if (const json::object* scan =
            malware_in.Object("scanEc2InstanceWithFindings", Presence::kOptional)) {
      JsonReader scan_in(*scan, malware_in.PathOf("scanEc2InstanceWithFindings"));
      if (shape.ebs_volumes_is_object) {
        ReadSwitch(scan_in, "ebsVolumes", Presence::kOptional, shape.flag, Presence::kOptional,
                   settings.malware_protection_ebs_volumes);
      } else if (auto ebs = scan_in.Bool("ebsVolumes", Presence::kOptional)) {
        settings.malware_protection_ebs_volumes = *ebs;
      }
      malware_in.Fail(scan_in.status());
    }
    sources_in.Fail(malware_in.status());
  }
  in.Fail(sources_in.status());
}

json::object StatusObject(bool enabled) {
  return json::object{{"status", enabled ? "ENABLED" : "DISABLED"}};
}

}  // namespace

void ReadDataSources(JsonReader& in, DataSourceSettings& settings) {
  ReadSources(in, kDetectorShape, settings);
}

void ReadOrganizationDataSources(JsonReader& in, DataSourceSettings& settings) {
  ReadSources(in, kOrganizationShape, settings);
}

json::object DataSourcesResult(const DetectorRecord& detector) {
  const DataSourceSettings& sources = detector.data_sources;
  return json::object{
      {"cloudTrail", StatusObject(true)},
      {"dnsLogs", StatusObject(true)},
      {"flowLogs", StatusObject(true)},
      {"s3Logs", StatusObject(sources.s3_logs)},
      {"kubernetes", json::object{{"auditLogs", StatusObject(sources.kubernetes_audit_logs)}}},
      {"malwareProtection",
       json::object{
           {"scanEc2InstanceWithFindings",
            json::object{{"ebsVolumes", StatusObject(sources.malware_protection_ebs_volumes)}}},
           {"serviceRole", "arn:aws:iam::" + detector.account +
                               ":role/aws-service-role/malware-protection.guardduty.amazonaws.com/"
                               "AWSServiceRoleForAmazonGuardDutyMalwareProtection"}}},
  };
}

}  // namespace vigil::api
