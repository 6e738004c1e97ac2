// POST /_vigil/ingest/{detectorId}/{source}: raw log content (plain or gzip) for the
// caller's detector, parsed and evaluated as it streams in; answers once the findings are
// stored. Who may ingest where is decided from the path and headers, before the body.
#include <memory>

#include "api/routes.h"
#include "detect/ingest_session.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

// The body into an IngestSession; the batch's counts as the response.
class IngestSink : public http::BodySink {
 public:
  explicit IngestSink(std::unique_ptr<IngestSession> session) : session_(std::move(session)) {}

  Status Write(std::string_view piece) override { return session_->Feed(piece); }

  StatusOr<http::Response> Finish() override {
    VIGIL_ASSIGN_OR_RETURN(IngestOutcome outcome, session_->Finish());
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

 private:
  std::unique_ptr<IngestSession> session_;
};

StatusOr<std::unique_ptr<http::BodySink>> OpenIngest(Services& services,
                                                     const http::Request& request) {
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
  std::unique_ptr<http::BodySink> sink = std::make_unique<IngestSink>(
      services.engine->StartIngest(detector, *source, services.max_ingest_bytes * 10));
  return sink;
}

// The same for a body that is already whole.
StatusOr<http::Response> Ingest(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<http::BodySink> sink, OpenIngest(services, request));
  VIGIL_RETURN_IF_ERROR(sink->Write(request.body));
  return sink->Finish();
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/_vigil/ingest/{detectorId}/{source}", "VigilIngest", Ingest, OpenIngest},
};

}  // namespace

std::span<const RouteSpec> IngestRoutes() { return kRoutes; }

}  // namespace vigil::api
