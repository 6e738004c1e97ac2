// Detectors: CreateDetector, GetDetector, UpdateDetector, DeleteDetector, ListDetectors.
// One detector per account and region; it owns filters, IPSets and ThreatIntelSets.
#include <array>

#include "api/data_sources.h"
#include "api/routes.h"
#include "api/validation.h"
#include "core/arn.h"
#include "core/ids.h"
#include "core/time.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 3> kFrequencies = {"FIFTEEN_MINUTES", "ONE_HOUR",
                                                          "SIX_HOURS"};

StatusOr<http::Response> CreateDetector(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  const RequestContext& context = request.context;
  JsonReader in(body);
  DetectorRecord detector;
  detector.id = NewResourceId();
  detector.account = context.account;
  detector.region = context.region;
  detector.enabled = in.Bool("enable", Presence::kRequired).value_or(false);
  detector.finding_publishing_frequency =
      in.Enum("findingPublishingFrequency", Presence::kOptional, kFrequencies)
          .value_or("SIX_HOURS");
  ReadDataSources(in, detector.data_sources);
  const Tags tags = ReadTags(in, "tags", Presence::kOptional).value_or(Tags{});
  const ClientToken token =
      ReadClientToken(in, context.account + "/" + context.region, "CreateDetector");
  VIGIL_RETURN_IF_ERROR(in.status());
  detector.created_at = detector.updated_at = context.clock->NowMillis();
  VIGIL_ASSIGN_OR_RETURN(std::string id, services.store->CreateDetector(detector, tags, token));
  return JsonResponse({{"detectorId", id}});
}

StatusOr<http::Response> GetDetector(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(Tags tags,
                         services.store->GetTags({detector.id, ResourceKind::kDetector, ""}));
  return JsonResponse({
      {"createdAt", FormatIsoMillis(detector.created_at)},
      {"findingPublishingFrequency", detector.finding_publishing_frequency},
      {"serviceRole", "arn:aws:iam::" + detector.account +
                          ":role/aws-service-role/guardduty.amazonaws.com/"
                          "AWSServiceRoleForAmazonGuardDuty"},
      {"status", detector.enabled ? "ENABLED" : "DISABLED"},
      {"updatedAt", FormatIsoMillis(detector.updated_at)},
      {"dataSources", DataSourcesResult(detector)},
      {"tags", ToJsonObject(tags)},
  });
}

StatusOr<http::Response> UpdateDetector(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  if (auto enable = in.Bool("enable", Presence::kOptional)) detector.enabled = *enable;
  if (auto frequency = in.Enum("findingPublishingFrequency", Presence::kOptional, kFrequencies)) {
    detector.finding_publishing_frequency = *frequency;
  }
  ReadDataSources(in, detector.data_sources);
  VIGIL_RETURN_IF_ERROR(in.status());
  detector.updated_at = std::max(detector.updated_at, request.context.clock->NowMillis());
  VIGIL_RETURN_IF_ERROR(services.store->UpdateDetector(detector));
  return JsonResponse({});
}

StatusOr<http::Response> DeleteDetector(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_RETURN_IF_ERROR(services.store->DeleteDetector(detector.id));
  return JsonResponse({});
}

StatusOr<http::Response> ListDetectors(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(PageRequest page_request, QueryPageRequest(request));
  VIGIL_ASSIGN_OR_RETURN(
      KeyPage page, services.store->ListDetectorIds(request.context.account, request.context.region,
                                                    page_request.after, page_request.limit));
  json::object body{{"detectorIds", ToJsonArray(page.keys)}};
  AddNextToken(body, page);
  return JsonResponse(body);
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/detector", "CreateDetector", CreateDetector},
    {"GET", "/detector", "ListDetectors", ListDetectors},
    {"GET", "/detector/{detectorId}", "GetDetector", GetDetector},
    {"POST", "/detector/{detectorId}", "UpdateDetector", UpdateDetector},
    {"DELETE", "/detector/{detectorId}", "DeleteDetector", DeleteDetector},
};

}  // namespace

std::span<const RouteSpec> DetectorRoutes() { return kRoutes; }

}  // namespace vigil::api
