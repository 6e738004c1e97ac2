// Publishing destinations: where a detector exports its findings. GuardDuty knows one
// type, S3 (a bucket ARN with an optional prefix, and the KMS key the export is encrypted
// with); one destination per detector. The exports themselves are written by the
// FindingPublisher, which also moves the status to UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY
// (with publishingFailureStartTimestamp) when the bucket cannot be written.
#include <array>

#include "api/routes.h"
#include "core/ids.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

constexpr size_t kMaxDestinationsPerDetector = 1;
constexpr std::array<std::string_view, 1> kDestinationTypes = {"S3"};

// "arn:aws:s3:::bucket" or "arn:aws:s3:::bucket/prefix" with a valid bucket name.
bool IsS3Arn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:s3:::";
  if (!arn.starts_with(kPrefix)) return false;
  const std::string_view path = arn.substr(kPrefix.size());
  const std::string_view bucket = path.substr(0, path.find('/'));
  return bucket.size() >= 3 && bucket.size() <= 63 &&
         bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") ==
             std::string_view::npos;
}

bool IsKmsKeyArn(std::string_view arn) {
  return arn.starts_with("arn:aws:kms:") && (arn.find(":key/") != std::string_view::npos ||
                                             arn.find(":alias/") != std::string_view::npos);
}

// Reads destinationProperties into `destination`; problems are recorded in `in`.
void ReadProperties(JsonReader& in, Presence presence, PublishingDestinationRecord& destination) {
  const json::object* properties = in.Object("destinationProperties", presence);
  if (properties == nullptr) return;
  JsonReader members(*properties);
  const std::optional<std::string> arn =
      members.String("destinationArn", Presence::kRequired, 1, 1024);
  const std::optional<std::string> key = members.String("kmsKeyArn", Presence::kRequired, 1, 2048);
  if (!members.status().ok()) return in.Fail(members.status());
  if (!IsS3Arn(*arn)) {
    return in.Fail(InvalidParameter(
        "destinationArn", "'" + *arn + "' is not an S3 bucket ARN (arn:aws:s3:::bucket/prefix)."));
  }
  if (!IsKmsKeyArn(*key)) {
    return in.Fail(InvalidParameter(
        "kmsKeyArn", "'" + *key + "' is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)."));
  }
  destination.destination_arn = *arn;
  destination.kms_key_arn = *key;
}

json::object Properties(const PublishingDestinationRecord& destination) {
  return {{"destinationArn", destination.destination_arn}, {"kmsKeyArn", destination.kms_key_arn}};
}

StatusOr<PublishingDestinationRecord> CallerDestination(Services& services,
                                                        const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  return services.store->GetPublishingDestination(detector.id, request.Label("destinationId"));
}

StatusOr<http::Response> Create(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  PublishingDestinationRecord destination;
  destination.detector_id = detector.id;
  destination.id = NewResourceId();
  destination.type =
      in.Enum("destinationType", Presence::kRequired, kDestinationTypes).value_or("");
  ReadProperties(in, Presence::kRequired, destination);
  const ClientToken token = ReadClientToken(in, detector.id, "CreatePublishingDestination");
  VIGIL_RETURN_IF_ERROR(in.status());
  destination.status = "PUBLISHING";
  destination.created_at = destination.updated_at = request.context.clock->NowMillis();
  VIGIL_ASSIGN_OR_RETURN(std::string id, services.store->CreatePublishingDestination(
                                             destination, kMaxDestinationsPerDetector, token));
  return JsonResponse({{"destinationId", id}});
}

StatusOr<http::Response> Describe(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(PublishingDestinationRecord destination,
                         CallerDestination(services, request));
  return JsonResponse({
      {"destinationId", destination.id},
      {"destinationType", destination.type},
      {"status", destination.status},
      {"publishingFailureStartTimestamp", destination.failure_started_at},
      {"destinationProperties", Properties(destination)},
  });
}

StatusOr<http::Response> Update(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(PublishingDestinationRecord destination,
                         CallerDestination(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  ReadProperties(in, Presence::kOptional, destination);
  VIGIL_RETURN_IF_ERROR(in.status());
  // New properties deserve a new attempt: publishing resumes with the next export.
  destination.status = "PUBLISHING";
  destination.failure_started_at = 0;
  destination.updated_at = request.context.clock->NowMillis();
  VIGIL_RETURN_IF_ERROR(services.store->UpdatePublishingDestination(destination));
  return JsonResponse({});
}

StatusOr<http::Response> Delete(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(PublishingDestinationRecord destination,
                         CallerDestination(services, request));
  VIGIL_RETURN_IF_ERROR(
      services.store->DeletePublishingDestination(destination.detector_id, destination.id));
  return JsonResponse({});
}

StatusOr<http::Response> List(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(PageRequest page_request, QueryPageRequest(request));
  VIGIL_ASSIGN_OR_RETURN(KeyPage page, services.store->ListPublishingDestinationIds(
                                           detector.id, page_request.after, page_request.limit));
  json::array destinations;
  for (const std::string& id : page.keys) {
    VIGIL_ASSIGN_OR_RETURN(PublishingDestinationRecord destination,
                           services.store->GetPublishingDestination(detector.id, id));
    destinations.push_back(json::object{{"destinationId", destination.id},
                                        {"destinationType", destination.type},
                                        {"status", destination.status}});
  }
  json::object body{{"destinations", std::move(destinations)}};
  AddNextToken(body, page);
  return JsonResponse(body);
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/detector/{detectorId}/publishingDestination", "CreatePublishingDestination", Create},
    {"GET", "/detector/{detectorId}/publishingDestination", "ListPublishingDestinations", List},
    {"GET", "/detector/{detectorId}/publishingDestination/{destinationId}",
     "DescribePublishingDestination", Describe},
    {"POST", "/detector/{detectorId}/publishingDestination/{destinationId}",
     "UpdatePublishingDestination", Update},
    {"DELETE", "/detector/{detectorId}/publishingDestination/{destinationId}",
     "DeletePublishingDestination", Delete},
};

}  // namespace

std::span<const RouteSpec> PublishingDestinationRoutes() { return kRoutes; }

}  // namespace vigil::api
