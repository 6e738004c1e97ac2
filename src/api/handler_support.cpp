#include "api/handler_support.h"

namespace vigil::api {

namespace json = boost::json;

http::Response JsonResponse(const json::object& body) { return {200, ToJson(body)}; }

http::Response NoContentResponse() { return {204, ""}; }

StatusOr<DetectorRecord> CallerDetector(Services& services, const http::Request& request) {
  const std::string& detector_id = request.Label("detectorId");
  if (detector_id.empty() || detector_id.size() > 300) {
    return Status::InvalidInput(
        "The request is rejected because the parameter detectorId has an invalid value.");
  }
  return services.store->GetDetector(request.context.account, request.context.region, detector_id);
}

StatusOr<std::vector<MemberDetector>> MonitoredDetectors(Services& services,
                                                         const DetectorRecord& detector) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<MemberDetector> members,
                         services.store->EnabledMembers(detector.account, detector.region));
  members.insert(members.begin(), MemberDetector{detector.account, detector.id});
  return members;
}

StatusOr<std::vector<std::string>> MonitoredDetectorIds(Services& services,
                                                        const DetectorRecord& detector) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<MemberDetector> detectors,
                         MonitoredDetectors(services, detector));
  std::vector<std::string> ids;
  for (const MemberDetector& monitored : detectors) ids.push_back(monitored.detector_id);
  return ids;
}

StatusOr<PageRequest> QueryPageRequest(const http::Request& request) {
  const std::optional<std::string> max_results = request.QueryValue("maxResults");
  const std::optional<std::string> next_token = request.QueryValue("nextToken");
  return MakePageRequest(max_results ? std::optional<std::string_view>(*max_results) : std::nullopt,
                         next_token ? std::optional<std::string_view>(*next_token) : std::nullopt);
}

void AddNextToken(json::object& body, const KeyPage& page) {
  if (page.has_more && !page.keys.empty()) body["nextToken"] = EncodePageToken(page.keys.back());
}

ClientToken ReadClientToken(JsonReader& in, std::string scope, std::string_view operation) {
  std::optional<std::string> token = in.String("clientToken", Presence::kOptional, 0, 64);
  return ClientToken{std::move(scope), std::string(operation), token.value_or("")};
}

json::array ToJsonArray(const std::vector<std::string>& values) {
  json::array array;
  array.reserve(values.size());
  for (const std::string& value : values) array.emplace_back(value);
  return array;
}

json::object ToJsonObject(const Tags& tags) {
  json::object object;
  for (const auto& [key, value] : tags) object[key] = value;
  return object;
}

}  // namespace vigil::api
