// POST /_vigil/ingest/{detectorId}/{source}: raw log content (plain or gzip) for the
// caller's detector; answers once the findings are stored.
#include "api/routes.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

StatusOr<http::Response> Ingest(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  const std::optional<LogSource> source = ParseLogSource(request.Label("source"));
  if (!source) {
    return InvalidParameter(
        "source", "'" + request.Label("source") + "' is not one of flowlogs, cloudtrail, dns.");
  }
  if (!detector.enabled) {
    return Status::InvalidInput("The request is rejected because the detector " + detector.id +
                                " is disabled; enable it with UpdateDetector to ingest logs.");
  }
  if (services.engine == nullptr) return Status::Internal("no detection engine");
  // Compressed logs expand ~10x; the decompressed batch may be that much larger.
  VIGIL_ASSIGN_OR_RETURN(
      IngestOutcome outcome,
      services.engine->Ingest(detector, *source, request.body, services.max_ingest_bytes * 10));
  json::array rejects;
  for (const RejectedRecord& reject : outcome.rejects) {
    rejects.push_back(json::object{{"position", reject.position}, {"reason", reject.reason}});
  }
  return JsonResponse({
      {"records", outcome.records},
      {"rejected", outcome.rejected},
      {"findingsCreated", outcome.findings_created},
      {"findingsUpdated", outcome.findings_updated},
      {"rejectedRecords", std::move(rejects)},
  });
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/_vigil/ingest/{detectorId}/{source}", "VigilIngest", Ingest},
};

}  // namespace

std::span<const RouteSpec> IngestRoutes() { return kRoutes; }

}  // namespace vigil::api
