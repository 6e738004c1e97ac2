#include "api/data_sources.h"

namespace vigil::api {

namespace json = boost::json;

void ReadDataSources(JsonReader& in, DataSourceSettings& settings) {
  const json::object* sources = in.Object("dataSources", Presence::kOptional);
  if (sources == nullptr) return;
  JsonReader sources_in(*sources, in.PathOf("dataSources"));
  if (const json::object* s3 = sources_in.Object("s3Logs", Presence::kOptional)) {
    JsonReader s3_in(*s3, sources_in.PathOf("s3Logs"));
    if (auto enable = s3_in.Bool("enable", Presence::kRequired)) settings.s3_logs = *enable;
    in.Fail(s3_in.status());
  }
  if (const json::object* kubernetes = sources_in.Object("kubernetes", Presence::kOptional)) {
    JsonReader kubernetes_in(*kubernetes, sources_in.PathOf("kubernetes"));
    if (const json::object* audit = kubernetes_in.Object("auditLogs", Presence::kRequired)) {
      JsonReader audit_in(*audit, kubernetes_in.PathOf("auditLogs"));
      if (auto enable = audit_in.Bool("enable", Presence::kRequired)) {
        settings.kubernetes_audit_logs = *enable;
      }
      in.Fail(audit_in.status());
    }
    in.Fail(kubernetes_in.status());
  }
  if (const json::object* malware = sources_in.Object("malwareProtection", Presence::kOptional)) {
    JsonReader malware_in(*malware, sources_in.PathOf("malwareProtection"));
    if (const json::object* scan =
            malware_in.Object("scanEc2InstanceWithFindings", Presence::kOptional)) {
      JsonReader scan_in(*scan, malware_in.PathOf("scanEc2InstanceWithFindings"));
      if (auto ebs = scan_in.Bool("ebsVolumes", Presence::kOptional)) {
        settings.malware_protection_ebs_volumes = *ebs;
      }
      in.Fail(scan_in.status());
    }
    in.Fail(malware_in.status());
  }
  in.Fail(sources_in.status());
}

namespace {

json::object StatusObject(bool enabled) {
  return json::object{{"status", enabled ? "ENABLED" : "DISABLED"}};
}

}  // namespace

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
