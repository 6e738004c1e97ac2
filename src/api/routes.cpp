#include "api/routes.h"

namespace vigil::api {

void RegisterRoutes(http::Router& router, Services& services) {
  for (auto table :
       {DetectorRoutes(), FilterRoutes(), FindingRoutes(), ThreatListRoutes(),
        PublishingDestinationRoutes(), TagRoutes(), UsageRoutes(), MalwareScanRoutes(),
        IngestRoutes(), VigilRoutes(), MemberRoutes(), InvitationRoutes(), OrganizationRoutes()}) {
    for (const RouteSpec& spec : table) {
      http::BodySinkFactory open_body_sink;
      if (spec.open_body_sink != nullptr) {
        open_body_sink = [&services, open = spec.open_body_sink](const http::Request& request) {
          return open(services, request);
        };
      }
      router.Add(
          std::string(spec.method), std::string(spec.path), std::string(spec.operation),
          [&services, handler = spec.handler](const http::Request& request) {
            return handler(services, request);
          },
          std::move(open_body_sink), spec.anonymous);
    }
  }
}

}  // namespace vigil::api
