// Tags on detectors, filters, IPSets and ThreatIntelSets, addressed by ARN:
// TagResource, UntagResource, ListTagsForResource.
#include "api/routes.h"
#include "api/validation.h"
#include "core/arn.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

// Resolves the {resourceArn} label to a resource of the caller. An ARN of another
// account, region or partition is refused before anything is looked up.
StatusOr<ResourceRef> CallerResource(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(ResourceName name, ParseArn(request.Label("resourceArn"), "resourceArn"));
  const RequestContext& context = request.context;
  if (name.account != context.account || name.region != context.region ||
      name.partition != PartitionForRegion(context.region)) {
    return Status::AccessDenied(
        "The request is rejected because the resourceArn names a resource of another account "
        "or region than the caller's (" +
        context.account + ", " + context.region + ").");
  }
  if (name.kind == ResourceKind::kFinding) {
    return InvalidParameter("resourceArn", "findings cannot be tagged.");
  }
  VIGIL_RETURN_IF_ERROR(
      services.store->GetDetector(context.account, context.region, name.detector_id).status());
  return ResourceRef{name.detector_id, name.kind, name.child};
}

StatusOr<http::Response> TagResource(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(ResourceRef resource, CallerResource(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  std::optional<Tags> tags = ReadTags(in, "tags", Presence::kRequired);
  VIGIL_RETURN_IF_ERROR(in.status());
  VIGIL_RETURN_IF_ERROR(services.store->TagResource(resource, *tags, kMaxTagsPerResource));
  return NoContentResponse();
}

StatusOr<http::Response> UntagResource(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(ResourceRef resource, CallerResource(services, request));
  const std::vector<std::string> keys = request.QueryValues("tagKeys");
  if (keys.empty()) {
    return Status::InvalidInput(
        "The request is rejected because the required parameter tagKeys is missing.");
  }
  if (keys.size() > 200) return InvalidParameter("tagKeys", "at most 200 keys are allowed.");
  for (const std::string& key : keys) VIGIL_RETURN_IF_ERROR(ValidateTagKey(key, "tagKeys"));
  VIGIL_RETURN_IF_ERROR(services.store->UntagResource(resource, keys));
  return NoContentResponse();
}

StatusOr<http::Response> ListTagsForResource(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(ResourceRef resource, CallerResource(services, request));
  VIGIL_ASSIGN_OR_RETURN(Tags tags, services.store->GetTags(resource));
  return JsonResponse({{"tags", ToJsonObject(tags)}});
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/tags/{resourceArn}", "TagResource", TagResource},
    {"DELETE", "/tags/{resourceArn}", "UntagResource", UntagResource},
    {"GET", "/tags/{resourceArn}", "ListTagsForResource", ListTagsForResource},
};

}  // namespace

std::span<const RouteSpec> TagRoutes() { return kRoutes; }

}  // namespace vigil::api
