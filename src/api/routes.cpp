#include "api/routes.h"

namespace vigil::api {

void RegisterRoutes(http::Router& router, Services& services) {
  for (auto table : {DetectorRoutes(), FilterRoutes(), FindingRoutes(), ThreatListRoutes(),
                     PublishingDestinationRoutes(), TagRoutes(), IngestRoutes(), VigilRoutes()}) {
    for (const RouteSpec& spec : table) {
      router.Add(std::string(spec.method), std::string(spec.path), std::string(spec.operation),
                 [&services, handler = spec.handler](const http::Request& request) {
                   return handler(services, request);
                 });
    }
  }
}

}  // namespace vigil::api
