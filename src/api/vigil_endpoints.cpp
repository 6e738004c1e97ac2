// Vigil's own endpoints under /_vigil/: health, Prometheus metrics, a reset of all
// state for test suites (moto's /moto-api/reset, refused unless auth is none), the
// load reports of a detector's lists and the progress of the watched folders.
#include "api/routes.h"
#include "core/time.h"

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
  if (services.intel != nullptr) services.intel->Reset();
  return JsonResponse({{"status", "reset"}});
}

boost::json::object ReportJson(const ListLoadReport& report) {
  boost::json::array bad_lines;
  for (const BadLine& bad : report.bad_lines) {
    bad_lines.push_back(boost::json::object{{"line", bad.line}, {"reason", bad.reason}});
  }
  boost::json::object json{
      {"lines", report.lines},
      {"ipRanges", report.ip_ranges},
      {"domains", report.domains},
      {"ipv6Ignored", report.ipv6_ignored},
      {"badLineCount", report.bad_line_count},
      {"badLines", std::move(bad_lines)},
      {"loadedAt", FormatIsoMillis(report.loaded_at)},
      {"loadMillis", report.load_millis},
  };
  if (!report.last_error.empty()) json["lastError"] = report.last_error;
  return json;
}

// Every IPSet and ThreatIntelSet of the caller's detector with its status and what its
// last load found (entries, bad lines with their line numbers, errors).
StatusOr<http::Response> DetectorLists(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  boost::json::array lists;
  for (ThreatListKind kind : {ThreatListKind::kIpSet, ThreatListKind::kThreatIntelSet}) {
    std::string after;
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(KeyPage page,
                             services.store->ListThreatListIds(kind, detector.id, after, 50));
      for (const std::string& id : page.keys) {
        VIGIL_ASSIGN_OR_RETURN(ThreatListRecord list,
                               services.store->GetThreatList(kind, detector.id, id));
        boost::json::object json{
            {"id", list.id},
            {"kind", kind == ThreatListKind::kIpSet ? "IPSet" : "ThreatIntelSet"},
            {"name", list.name},
            {"format", list.format},
            {"location", list.location},
            {"status", list.status},
        };
        const std::optional<ListLoadReport> report =
            services.intel ? services.intel->Report(id) : std::nullopt;
        if (report) json["load"] = ReportJson(*report);
        lists.push_back(std::move(json));
      }
      if (!page.has_more) break;
      after = page.keys.back();
    }
  }
  return JsonResponse({{"detectorId", detector.id}, {"lists", std::move(lists)}});
}

// POST /_vigil/clock {"advanceSeconds": N}: moves the test clock on (vigil serve
// --test-clock) and publishes what has become due before answering, so tests of the
// publishing frequencies need not wait.
StatusOr<http::Response> AdvanceClock(Services& services, const http::Request& request) {
  if (services.test_clock == nullptr) {
    return Status::InvalidInput("POST /_vigil/clock needs vigil serve --test-clock.");
  }
  VIGIL_ASSIGN_OR_RETURN(boost::json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  const std::optional<int64_t> seconds =
      in.Integer("advanceSeconds", Presence::kRequired, 0, int64_t{10} * 365 * 24 * 3600);
  VIGIL_RETURN_IF_ERROR(in.status());
  services.test_clock->Advance(*seconds * 1000);
  if (services.publisher != nullptr) services.publisher->RunOnce();
  return JsonResponse({{"now", FormatIsoMillis(services.test_clock->NowMillis())}});
}

// GET /_vigil/watch: what each `vigil serve --watch` folder has done (an empty list
// without --watch). Server-wide, like health and metrics.
StatusOr<http::Response> WatchProgress(Services& services, const http::Request&) {
  boost::json::array folders;
  const std::vector<FolderProgress> progress =
      services.watcher != nullptr ? services.watcher->Progress() : std::vector<FolderProgress>();
  for (const FolderProgress& folder : progress) {
    const auto text_or_null = [](const std::string& text) -> boost::json::value {
      return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
    };
    folders.push_back(boost::json::object{
        {"source", folder.source},
        {"directory", folder.directory},
        {"detectorId", text_or_null(folder.detector_id)},
        {"filesSeen", folder.files_seen},
        {"filesProcessed", folder.files_processed},
        {"filesFailed", folder.files_failed},
        {"filesPending", folder.files_pending},
        {"records", folder.records},
        {"rejected", folder.rejected},
        {"findingsCreated", folder.findings_created},
        {"findingsUpdated", folder.findings_updated},
        {"lastError", text_or_null(folder.last_error)},
        {"lastProcessedAt", folder.last_processed_at > 0
                                ? boost::json::value(FormatIsoMillis(folder.last_processed_at))
                                : boost::json::value(nullptr)},
    });
  }
  return JsonResponse({{"folders", std::move(folders)}});
}

constexpr RouteSpec kRoutes[] = {
    // Load balancers and Prometheus do not sign their requests.
    {"GET", "/_vigil/health", "VigilHealth", Health, nullptr, /*anonymous=*/true},
    {"GET", "/_vigil/metrics", "VigilMetrics", Metrics, nullptr, /*anonymous=*/true},
    {"POST", "/_vigil/reset", "VigilReset", Reset},
    {"POST", "/_vigil/clock", "VigilClock", AdvanceClock},
    {"GET", "/_vigil/detectors/{detectorId}/lists", "VigilDetectorLists", DetectorLists},
    {"GET", "/_vigil/watch", "VigilWatch", WatchProgress},
};

}  // namespace

std::span<const RouteSpec> VigilRoutes() { return kRoutes; }

}  // namespace vigil::api
