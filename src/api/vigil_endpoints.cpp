// Vigil's own endpoints under /_vigil/: health, Prometheus metrics, and a reset of
// all state for test suites (moto's /moto-api/reset), refused unless auth is none.
#include "api/routes.h"

namespace vigil::api {

namespace {

StatusOr<http::Response> Health(Services&, const http::Request&) {
  return JsonResponse({{"status", "ok"}, {"version", VIGIL_VERSION}});
}

StatusOr<http::Response> Metrics(Services& services, const http::Request&) {
  const std::string text =
      services.metrics ? services.metrics->RenderPrometheus(services.store->SizeBytes()) : "";
  return http::Response{200, text, "text/plain; version=0.0.4"};
}

StatusOr<http::Response> Reset(Services& services, const http::Request&) {
  if (!services.allow_reset) {
    return Status::AccessDenied("POST /_vigil/reset is only available with --auth none.");
  }
  VIGIL_RETURN_IF_ERROR(services.store->Reset());
  return JsonResponse({{"status", "reset"}});
}

constexpr RouteSpec kRoutes[] = {
    {"GET", "/_vigil/health", "VigilHealth", Health},
    {"GET", "/_vigil/metrics", "VigilMetrics", Metrics},
    {"POST", "/_vigil/reset", "VigilReset", Reset},
};

}  // namespace

std::span<const RouteSpec> VigilRoutes() { return kRoutes; }

}  // namespace vigil::api
