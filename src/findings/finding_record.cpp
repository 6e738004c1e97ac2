#include "findings/finding_record.h"

#include <boost/json/parse.hpp>

#include "core/json_input.h"
#include "core/time.h"
#include "findings/projection.h"

namespace vigil {

namespace json = boost::json;

namespace {

// The value at a dotted path of objects, or nullptr.
const json::value* At(const json::object& root, std::initializer_list<std::string_view> path) {
  const json::object* object = &root;
  const json::value* value = nullptr;
  for (std::string_view key : path) {
    if (object == nullptr) return nullptr;
    value = object->if_contains(key);
    if (value == nullptr) return nullptr;
    object = value->if_object();
  }
  return value;
}

std::string TextAt(const json::object& root, std::initializer_list<std::string_view> path) {
  const json::value* value = At(root, path);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::optional<double> NumberAt(const json::object& root,
                               std::initializer_list<std::string_view> path) {
  const json::value* value = At(root, path);
  if (value == nullptr) return std::nullopt;
  if (value->is_double()) return value->as_double();
  if (value->is_int64()) return static_cast<double>(value->as_int64());
  if (value->is_uint64()) return static_cast<double>(value->as_uint64());
  return std::nullopt;
}

// additionalInfo is {"value": "<JSON string>", "type": ...} in the model.
std::string ThreatListName(const json::object& finding) {
  const std::string value = TextAt(finding, {"service", "additionalInfo", "value"});
  if (value.empty()) return TextAt(finding, {"service", "additionalInfo", "threatListName"});
  boost::system::error_code ec;
  json::value parsed = json::parse(value, ec);
  if (ec || !parsed.is_object()) return "";
  const json::value* name = parsed.as_object().if_contains("threatListName");
  return name != nullptr && name->is_string() ? std::string(name->as_string()) : "";
}

Status Missing(std::string_view member) {
  return Status::InvalidInput("a finding must have " + std::string(member));
}

}  // namespace

StatusOr<FindingRecord> MakeFindingRecord(const json::object& finding,
                                          const std::string& detector_id,
                                          const std::string& aggregation_key) {
  FindingRecord record;
  record.detector_id = detector_id;
  record.aggregation_key = aggregation_key;
  record.id = TextAt(finding, {"id"});
  record.type = TextAt(finding, {"type"});
  if (record.id.empty()) return Missing("an id");
  if (record.type.empty()) return Missing("a type");
  const std::optional<double> severity = NumberAt(finding, {"severity"});
  if (!severity) return Missing("a numeric severity");
  record.severity = *severity;
  const std::optional<int64_t> created_at = ParseIsoMillis(TextAt(finding, {"createdAt"}));
  const std::optional<int64_t> updated_at = ParseIsoMillis(TextAt(finding, {"updatedAt"}));
  if (!created_at || !updated_at) return Missing("ISO-8601 createdAt and updatedAt");
  record.created_at = *created_at;
  record.updated_at = *updated_at;
  record.account_id = TextAt(finding, {"accountId"});
  record.region = TextAt(finding, {"region"});
  record.resource_type = TextAt(finding, {"resource", "resourceType"});
  record.access_key_id = TextAt(finding, {"resource", "accessKeyDetails", "accessKeyId"});
  record.instance_id = TextAt(finding, {"resource", "instanceDetails", "instanceId"});
  record.action_type = TextAt(finding, {"service", "action", "actionType"});
  if (record.action_type == "NETWORK_CONNECTION") {
    record.remote_ip = TextAt(finding, {"service", "action", "networkConnectionAction",
                                        "remoteIpDetails", "ipAddressV4"});
  } else if (record.action_type == "AWS_API_CALL") {
    record.remote_ip = TextAt(
        finding, {"service", "action", "awsApiCallAction", "remoteIpDetails", "ipAddressV4"});
  }
  record.threat_list_name = ThreatListName(finding);
  const json::value* archived = At(finding, {"service", "archived"});
  record.archived = archived != nullptr && archived->is_bool() && archived->as_bool();
  // ToJson, not a bare serialize: log text quoted in the finding may not be UTF-8, and the
  // document is published as it is stored.
  record.document = ToJson(finding);
  record.projection = FindingProjection::Encode(finding);
  return record;
}

StatusOr<json::object> ParseFindingDocument(const FindingRecord& record) {
  boost::system::error_code ec;
  json::value parsed = json::parse(record.document, ec);
  if (ec || !parsed.is_object()) {
    return Status::Internal("the stored document of finding " + record.id + " is not JSON");
  }
  return std::move(parsed.as_object());
}

}  // namespace vigil
