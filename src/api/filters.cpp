// Filters: saved FindingCriteria with an action (NOOP, or ARCHIVE to auto-archive)
// and a rank. CreateFilter, GetFilter, UpdateFilter, DeleteFilter, ListFilters.
#include <array>
#include <boost/json/parse.hpp>

#include "api/routes.h"
#include "api/validation.h"
#include "findings/criteria.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

constexpr size_t kMaxFiltersPerDetector = 100;
constexpr std::array<std::string_view, 2> kActions = {"NOOP", "ARCHIVE"};

// Reads the members CreateFilter and UpdateFilter share into `filter`; with
// Presence::kOptional for findingCriteria on update.
void ReadFilterSettings(JsonReader& in, Presence criteria_presence, FilterRecord& filter) {
  if (auto description = in.String("description", Presence::kOptional, 0, 512)) {
    filter.description = *description;
  }
  if (auto action = in.Enum("action", Presence::kOptional, kActions)) filter.action = *action;
  if (auto rank = in.Integer("rank", Presence::kOptional, 1, 100)) {
    filter.rank = static_cast<int>(*rank);
  }
  if (const json::object* criteria = in.Object("findingCriteria", criteria_presence)) {
    auto parsed = FindingCriteria::Parse(*criteria, in.PathOf("findingCriteria"));
    if (!parsed.ok()) {
      in.Fail(parsed.status());
    } else if (parsed->empty()) {
      // A filter without conditions would match every finding; GuardDuty refuses it.
      in.Fail(InvalidParameter("findingCriteria", "a filter needs at least one criterion."));
    } else {
      filter.finding_criteria_json = ToJson(*criteria);
    }
  }
}

// The {filterName} label; an invalid name cannot name a stored filter.
StatusOr<std::string> FilterNameLabel(const http::Request& request) {
  const std::string& name = request.Label("filterName");
  VIGIL_RETURN_IF_ERROR(ValidateFilterName(name, "filterName"));
  return name;
}

StatusOr<http::Response> CreateFilter(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  FilterRecord filter;
  filter.detector_id = detector.id;
  if (auto name = in.String("name", Presence::kRequired, 0, SIZE_MAX)) {
    if (Status valid = ValidateFilterName(*name, "name"); !valid.ok()) in.Fail(valid);
    filter.name = *name;
  }
  ReadFilterSettings(in, Presence::kRequired, filter);
  const Tags tags = ReadTags(in, "tags", Presence::kOptional).value_or(Tags{});
  const ClientToken token = ReadClientToken(in, detector.id, "CreateFilter");
  VIGIL_RETURN_IF_ERROR(in.status());
  filter.created_at = filter.updated_at = request.context.clock->NowMillis();
  VIGIL_ASSIGN_OR_RETURN(std::string name,
                         services.store->CreateFilter(filter, tags, kMaxFiltersPerDetector, token));
  return JsonResponse({{"name", name}});
}

StatusOr<http::Response> GetFilter(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(std::string name, FilterNameLabel(request));
  VIGIL_ASSIGN_OR_RETURN(FilterRecord filter, services.store->GetFilter(detector.id, name));
  VIGIL_ASSIGN_OR_RETURN(Tags tags,
                         services.store->GetTags({detector.id, ResourceKind::kFilter, name}));
  json::object body{
      {"name", filter.name},        {"action", filter.action},
      {"rank", filter.rank},        {"findingCriteria", json::parse(filter.finding_criteria_json)},
      {"tags", ToJsonObject(tags)},
  };
  if (!filter.description.empty()) body["description"] = filter.description;
  return JsonResponse(body);
}

StatusOr<http::Response> UpdateFilter(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(std::string name, FilterNameLabel(request));
  VIGIL_ASSIGN_OR_RETURN(FilterRecord filter, services.store->GetFilter(detector.id, name));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  ReadFilterSettings(in, Presence::kOptional, filter);
  VIGIL_RETURN_IF_ERROR(in.status());
  filter.updated_at = request.context.clock->NowMillis();
  VIGIL_RETURN_IF_ERROR(services.store->UpdateFilter(filter));
  return JsonResponse({{"name", filter.name}});
}

StatusOr<http::Response> DeleteFilter(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(std::string name, FilterNameLabel(request));
  VIGIL_RETURN_IF_ERROR(services.store->DeleteFilter(detector.id, name));
  return JsonResponse({});
}

StatusOr<http::Response> ListFilters(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(PageRequest page_request, QueryPageRequest(request));
  VIGIL_ASSIGN_OR_RETURN(KeyPage page, services.store->ListFilterNames(
                                           detector.id, page_request.after, page_request.limit));
  json::object body{{"filterNames", ToJsonArray(page.keys)}};
  AddNextToken(body, page);
  return JsonResponse(body);
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/detector/{detectorId}/filter", "CreateFilter", CreateFilter},
    {"GET", "/detector/{detectorId}/filter", "ListFilters", ListFilters},
    {"GET", "/detector/{detectorId}/filter/{filterName}", "GetFilter", GetFilter},
    {"POST", "/detector/{detectorId}/filter/{filterName}", "UpdateFilter", UpdateFilter},
    {"DELETE", "/detector/{detectorId}/filter/{filterName}", "DeleteFilter", DeleteFilter},
};

}  // namespace

std::span<const RouteSpec> FilterRoutes() { return kRoutes; }

}  // namespace vigil::api
