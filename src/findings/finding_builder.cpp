#include "findings/finding_builder.h"

#include <boost/json/serialize.hpp>
#include <cmath>
#include <map>

#include "core/arn.h"
#include "core/time.h"

namespace vigil {

namespace json = boost::json;

namespace {

std::string_view PortName(int64_t port) {
  switch (port) {
    case 22:
      return "SSH";
    case 25:
      return "SMTP";
    case 53:
      return "DNS";
    case 80:
      return "HTTP";
    case 443:
      return "HTTPS";
    case 3389:
      return "RDP";
    case 5985:
    case 5986:
      return "WinRM";
    default:
      return "Unknown";
  }
}

json::object PortDetails(int64_t port) {
  return json::object{{"port", port}, {"portName", PortName(port)}};
}

json::object RemoteIpDetails(const std::string& ip) {
  // Vigil has no geolocation database: the location members stay out.
  return json::object{{"ipAddressV4", ip}};
}

json::object Resource(const Occurrence& occurrence) {
  json::object resource{{"resourceType", occurrence.resource_type.empty()
                                             ? std::string(occurrence.type->resource_type)
                                             : occurrence.resource_type}};
  if (occurrence.instance) {
    const InstanceResource& instance = *occurrence.instance;
    json::object network_interface;
    if (!instance.interface_id.empty())
      network_interface["networkInterfaceId"] = instance.interface_id;
    if (!instance.private_ip.empty()) {
      network_interface["privateIpAddress"] = instance.private_ip;
      network_interface["privateIpAddresses"] =
          json::array{json::object{{"privateIpAddress", instance.private_ip}}};
    }
    if (!instance.vpc_id.empty()) network_interface["vpcId"] = instance.vpc_id;
    if (!instance.subnet_id.empty()) network_interface["subnetId"] = instance.subnet_id;
    json::object details;
    if (!instance.instance_id.empty()) details["instanceId"] = instance.instance_id;
    if (!network_interface.empty()) details["networkInterfaces"] = json::array{network_interface};
    resource["instanceDetails"] = std::move(details);
  }
  if (occurrence.access_key) {
    const AccessKeyResource& key = *occurrence.access_key;
    json::object details;
    if (!key.access_key_id.empty()) details["accessKeyId"] = key.access_key_id;
    if (!key.principal_id.empty()) details["principalId"] = key.principal_id;
    if (!key.user_name.empty()) details["userName"] = key.user_name;
    if (!key.user_type.empty()) details["userType"] = key.user_type;
    resource["accessKeyDetails"] = std::move(details);
  }
  return resource;
}

json::object Action(const ActionDetails& action) {
  json::object result{{"actionType", action.action_type}};
  if (action.action_type == "NETWORK_CONNECTION") {
    json::object connection{{"connectionDirection", action.connection_direction},
                            {"protocol", action.protocol},
                            {"blocked", action.blocked}};
    if (action.local_port >= 0) connection["localPortDetails"] = PortDetails(action.local_port);
    if (action.remote_port >= 0) connection["remotePortDetails"] = PortDetails(action.remote_port);
    if (!action.local_ip.empty())
      connection["localIpDetails"] = json::object{{"ipAddressV4", action.local_ip}};
    if (!action.remote_ip.empty())
      connection["remoteIpDetails"] = RemoteIpDetails(action.remote_ip);
    result["networkConnectionAction"] = std::move(connection);
  } else if (action.action_type == "PORT_PROBE") {
    json::object detail;
    if (action.local_port >= 0) detail["localPortDetails"] = PortDetails(action.local_port);
    if (!action.local_ip.empty())
      detail["localIpDetails"] = json::object{{"ipAddressV4", action.local_ip}};
    if (!action.remote_ip.empty()) detail["remoteIpDetails"] = RemoteIpDetails(action.remote_ip);
    result["portProbeAction"] =
        json::object{{"blocked", action.blocked}, {"portProbeDetails", json::array{detail}}};
  } else if (action.action_type == "DNS_REQUEST") {
    result["dnsRequestAction"] =
        json::object{{"domain", action.domain},
                     {"protocol", action.protocol.empty() ? "UDP" : action.protocol},
                     {"blocked", action.blocked}};
  } else if (action.action_type == "AWS_API_CALL") {
    json::object call{{"api", action.api}, {"serviceName", action.service_name}};
    call["callerType"] = action.caller_type.empty() ? "Remote IP" : action.caller_type;
    if (!action.user_agent.empty()) call["userAgent"] = action.user_agent;
    if (!action.error_code.empty()) call["errorCode"] = action.error_code;
    if (!action.remote_ip.empty()) call["remoteIpDetails"] = RemoteIpDetails(action.remote_ip);
    result["awsApiCallAction"] = std::move(call);
  }
  return result;
}

std::map<std::string, std::string> TemplateValues(const Occurrence& occurrence) {
  const ActionDetails& action = occurrence.action;
  std::map<std::string, std::string> values{
      {"remoteIp", action.remote_ip.empty() ? "an unknown address" : action.remote_ip},
      {"api", action.api},
      {"serviceName", action.service_name},
      {"domain", action.domain},
      {"port", std::to_string(action.local_port >= 0 ? action.local_port : action.remote_port)},
      {"threatListName", occurrence.threat_list_name},
      {"bucketName", ""},
  };
  const std::string instance = occurrence.instance && !occurrence.instance->instance_id.empty()
                                   ? occurrence.instance->instance_id
                               : occurrence.instance ? occurrence.instance->interface_id
                                                     : "";
  values["instanceId"] = instance.empty() ? "an EC2 instance" : instance;
  if (occurrence.access_key) {
    values["accessKeyId"] = occurrence.access_key->access_key_id;
    values["userName"] = occurrence.access_key->user_name.empty()
                             ? occurrence.access_key->principal_id
                             : occurrence.access_key->user_name;
  }
  return values;
}

}  // namespace

json::value FindingNumber(double number) {
  if (std::trunc(number) == number) return json::value(static_cast<int64_t>(number));
  return json::value(number);
}

json::object BuildFinding(const Occurrence& occurrence, const FindingOrigin& origin) {
  const FindingTypeInfo& type = *occurrence.type;
  const std::map<std::string, std::string> values = TemplateValues(occurrence);
  const std::string created = FormatIsoMillis(origin.now_millis);
  json::object service{
      {"serviceName", "guardduty"},
      {"detectorId", origin.detector_id},
      {"featureName", type.feature_name},
      {"action", Action(occurrence.action)},
      {"resourceRole", occurrence.resource_role.empty() ? std::string(type.resource_role)
                                                        : occurrence.resource_role},
      {"eventFirstSeen", FormatIsoMillis(occurrence.first_seen)},
      {"eventLastSeen", FormatIsoMillis(occurrence.last_seen)},
      {"archived", false},
      {"count", 1},
  };
  if (!occurrence.threat_list_name.empty()) {
    json::array names;
    for (const std::string& name : occurrence.threat_names) names.emplace_back(name);
    service["additionalInfo"] = json::object{
        {"value", json::serialize(json::object{{"threatListName", occurrence.threat_list_name}})},
        {"type", "default"}};
    service["evidence"] =
        json::object{{"threatIntelligenceDetails",
                      json::array{json::object{{"threatListName", occurrence.threat_list_name},
                                               {"threatNames", std::move(names)}}}}};
  }
  const ResourceName name{PartitionForRegion(origin.region),
                          origin.region,
                          origin.account,
                          origin.detector_id,
                          ResourceKind::kFinding,
                          origin.finding_id};
  return json::object{
      {"accountId", origin.account},
      {"arn", FormatArn(name)},
      {"createdAt", created},
      {"description", RenderTemplate(type.description, values)},
      {"id", origin.finding_id},
      {"partition", name.partition},
      {"region", origin.region},
      {"resource", Resource(occurrence)},
      {"schemaVersion", "2.0"},
      {"service", std::move(service)},
      {"severity", FindingNumber(occurrence.severity.value_or(type.severity))},
      {"confidence", 5},
      {"title", RenderTemplate(type.title, values)},
      {"type", type.type},
      {"updatedAt", created},
  };
}

}  // namespace vigil
