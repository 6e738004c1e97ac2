// Findings: ListFindings, GetFindings, GetFindingsStatistics, ArchiveFindings,
// UnarchiveFindings, UpdateFindingsFeedback and CreateSampleFindings.
#include <fmt/format.h>

#include <array>

#include "api/routes.h"
#include "findings/finding_types.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

constexpr size_t kMaxFindingIds = 50;

// The optional findingCriteria member; an absent one matches everything.
StatusOr<std::shared_ptr<const FindingCriteria>> ReadCriteria(JsonReader& in) {
  const json::object* object = in.Object("findingCriteria", Presence::kOptional);
  VIGIL_RETURN_IF_ERROR(in.status());
  if (object == nullptr) return std::make_shared<const FindingCriteria>();
  VIGIL_ASSIGN_OR_RETURN(FindingCriteria criteria,
                         FindingCriteria::Parse(*object, "findingCriteria"));
  return std::make_shared<const FindingCriteria>(std::move(criteria));
}

StatusOr<std::optional<SortCriteria>> ReadSort(JsonReader& in) {
  const json::object* object = in.Object("sortCriteria", Presence::kOptional);
  VIGIL_RETURN_IF_ERROR(in.status());
  if (object == nullptr) return std::optional<SortCriteria>();
  VIGIL_ASSIGN_OR_RETURN(SortCriteria sort, ParseSortCriteria(*object, "sortCriteria"));
  return std::optional<SortCriteria>(sort);
}

StatusOr<std::vector<std::string>> ReadFindingIds(JsonReader& in) {
  std::optional<std::vector<std::string>> ids =
      in.StringList("findingIds", Presence::kRequired, 0, kMaxFindingIds, 1, 300);
  VIGIL_RETURN_IF_ERROR(in.status());
  return std::move(*ids);
}

// GuardDuty's countBySeverity keys: "8.0", "5.5".
std::string SeverityKey(double severity) {
  std::string key = fmt::format("{}", severity);
  if (key.find_first_of(".e") == std::string::npos) key += ".0";
  return key;
}

StatusOr<http::Response> ListFindings(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  VIGIL_ASSIGN_OR_RETURN(auto criteria, ReadCriteria(in));
  VIGIL_ASSIGN_OR_RETURN(auto sort, ReadSort(in));
  const size_t limit =
      static_cast<size_t>(in.Integer("maxResults", Presence::kOptional, 1, 50).value_or(50));
  const std::string token = in.String("nextToken", Presence::kOptional, 0, 4096).value_or("");
  VIGIL_RETURN_IF_ERROR(in.status());
  std::optional<size_t> offset = token.empty() ? 0 : DecodeOffsetToken(token);
  if (!offset) return InvalidParameter("nextToken", "the token is not one this service issued.");
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> detectors,
                         MonitoredDetectorIds(services, detector));
  VIGIL_ASSIGN_OR_RETURN(FindingIdPage page,
                         services.findings->List(detectors, criteria, sort, *offset, limit));
  json::object response{{"findingIds", ToJsonArray(page.ids)}};
  if (page.has_more) response["nextToken"] = EncodeOffsetToken(*offset + limit);
  return JsonResponse(response);
}

StatusOr<http::Response> GetFindings(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> ids, ReadFindingIds(in));
  VIGIL_ASSIGN_OR_RETURN(auto sort, ReadSort(in));
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> detectors,
                         MonitoredDetectorIds(services, detector));
  VIGIL_ASSIGN_OR_RETURN(std::vector<json::object> findings,
                         services.findings->Get(detectors, ids, sort));
  json::array array;
  for (json::object& finding : findings) array.emplace_back(std::move(finding));
  return JsonResponse({{"findings", std::move(array)}});
}

StatusOr<http::Response> GetFindingsStatistics(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  std::optional<std::vector<std::string>> types =
      in.StringList("findingStatisticTypes", Presence::kRequired, 0, 10, 1, 64);
  VIGIL_ASSIGN_OR_RETURN(auto criteria, ReadCriteria(in));
  VIGIL_RETURN_IF_ERROR(in.status());
  for (const std::string& type : *types) {
    if (type != "COUNT_BY_SEVERITY") {
      return InvalidParameter("findingStatisticTypes",
                              "'" + type + "' is not one of COUNT_BY_SEVERITY.");
    }
  }
  json::object statistics;
  if (!types->empty()) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> detectors,
                           MonitoredDetectorIds(services, detector));
    VIGIL_ASSIGN_OR_RETURN(auto counts, services.findings->CountBySeverity(detectors, criteria));
    json::object by_severity;
    for (const auto& [severity, count] : counts) by_severity[SeverityKey(severity)] = count;
    statistics["countBySeverity"] = std::move(by_severity);
  }
  return JsonResponse({{"findingStatistics", std::move(statistics)}});
}

template <bool kArchived>
StatusOr<http::Response> SetArchived(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> ids, ReadFindingIds(in));
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> detectors,
                         MonitoredDetectorIds(services, detector));
  VIGIL_RETURN_IF_ERROR(services.findings->SetArchived(detectors, ids, kArchived));
  return JsonResponse({});
}

StatusOr<http::Response> UpdateFindingsFeedback(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  static constexpr std::array<std::string_view, 2> kFeedback = {"USEFUL", "NOT_USEFUL"};
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> ids, ReadFindingIds(in));
  const std::optional<std::string> feedback = in.Enum("feedback", Presence::kRequired, kFeedback);
  const std::string comments = in.String("comments", Presence::kOptional, 0, 10000).value_or("");
  VIGIL_RETURN_IF_ERROR(in.status());
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> detectors,
                         MonitoredDetectorIds(services, detector));
  VIGIL_RETURN_IF_ERROR(services.findings->SetFeedback(detectors, ids, *feedback, comments));
  return JsonResponse({});
}

StatusOr<http::Response> CreateSampleFindings(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  const std::vector<std::string> names =
      // The model caps a type at 50 characters, yet GuardDuty's own types run longer
      // (UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS is 68).
      in.StringList("findingTypes", Presence::kOptional, 0, 50, 1, 300)
          .value_or(std::vector<std::string>{});
  VIGIL_RETURN_IF_ERROR(in.status());
  std::vector<const FindingTypeInfo*> types;
  for (const std::string& name : names) {
    const FindingTypeInfo* type = FindFindingType(name);
    if (type == nullptr) {
      return InvalidParameter("findingTypes",
                              "'" + name + "' is not a finding type Vigil produces.");
    }
    types.push_back(type);
  }
  if (names.empty()) {
    for (const FindingTypeInfo& type : FindingTypes()) types.push_back(&type);
  }
  const RequestContext& context = request.context;
  VIGIL_RETURN_IF_ERROR(services.findings->CreateSamples(
      context.account, context.region, detector.id, types, context.clock->NowMillis()));
  return JsonResponse({});
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/detector/{detectorId}/findings", "ListFindings", ListFindings},
    {"POST", "/detector/{detectorId}/findings/get", "GetFindings", GetFindings},
    {"POST", "/detector/{detectorId}/findings/statistics", "GetFindingsStatistics",
     GetFindingsStatistics},
    {"POST", "/detector/{detectorId}/findings/archive", "ArchiveFindings", SetArchived<true>},
    {"POST", "/detector/{detectorId}/findings/unarchive", "UnarchiveFindings", SetArchived<false>},
    {"POST", "/detector/{detectorId}/findings/feedback", "UpdateFindingsFeedback",
     UpdateFindingsFeedback},
    {"POST", "/detector/{detectorId}/findings/create", "CreateSampleFindings",
     CreateSampleFindings},
};

}  // namespace

std::span<const RouteSpec> FindingRoutes() { return kRoutes; }

}  // namespace vigil::api
