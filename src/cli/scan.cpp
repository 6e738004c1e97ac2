#include "cli/scan.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/log_files.h"
#include "core/ids.h"
#include "detect/detection_engine.h"
#include "findings/finding_service.h"
#include "intel/threat_intel_service.h"

namespace vigil {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr size_t kMaxFileBytes = size_t{4} << 30;

std::string Text(const json::object& object, std::initializer_list<std::string_view> path) {
  const json::object* at = &object;
  for (auto it = path.begin(); it != path.end(); ++it) {
    const json::value* value = at->if_contains(*it);
    if (value == nullptr) return "";
    if (std::next(it) == path.end()) {
      if (value->is_string()) return std::string(value->as_string());
      return json::serialize(*value);
    }
    at = value->if_object();
    if (at == nullptr) return "";
  }
  return "";
}

bool ActivateLists(Store& store, ThreatIntelService& intel, const std::string& detector_id,
                   const std::vector<std::string>& files, ThreatListKind kind,
                   const std::string& format) {
  bool ok = true;
  for (const std::string& file : files) {
    ThreatListRecord list{kind,
                          detector_id,
                          NewResourceId(),
                          fs::path(file).filename().string(),
                          format,
                          "file://" + fs::absolute(file).string(),
                          "ACTIVATING",
                          0,
                          0};
    if (!store.CreateThreatList(list, {}, 32, {}).ok()) return false;
    intel.ListChanged(detector_id, kind, list.id, true);
    intel.WaitIdle();
    const auto loaded = store.GetThreatList(kind, detector_id, list.id);
    const auto report = intel.Report(list.id);
    if (!loaded.ok() || loaded->status != "ACTIVE") {
      std::cerr << "vigil scan: list " << file << " did not load"
                << (report ? ": " + report->last_error : std::string()) << "\n";
      ok = false;
    } else if (report) {
      std::cerr << "list " << file << ": " << report->ip_ranges + report->domains << " entries, "
                << report->bad_line_count << " bad lines\n";
    }
  }
  return ok;
}

}  // namespace

int RunScan(const ScanOptions& options) {
  spdlog::set_level(spdlog::level::warn);  // the findings go to stdout, problems to stderr
  const std::optional<LogSource> source = ParseLogSource(options.source);
  if (!source) {
    std::cerr << "vigil scan: --source must be flowlogs, cloudtrail or dns\n";
    return 2;
  }
  std::optional<FlowLogFormat> flow_format;
  if (!options.flowlog_format.empty()) {
    auto parsed = FlowLogFormat::Parse(options.flowlog_format);
    if (!parsed.ok()) {
      std::cerr << "vigil scan: " << parsed.status().message() << "\n";
      return 2;
    }
    flow_format = *parsed;
  }
  std::shared_ptr<const AwsIpRanges> aws_ip_ranges;
  if (!options.aws_ip_ranges.empty()) {
    auto loaded = AwsIpRanges::Load(options.aws_ip_ranges);
    if (!loaded.ok()) {
      std::cerr << "vigil scan: --aws-ip-ranges: " << loaded.status().message() << "\n";
      return 2;
    }
    aws_ip_ranges = std::make_shared<const AwsIpRanges>(std::move(*loaded));
  }
  auto store = OpenSqliteStore(":memory:");
  if (!store.ok()) {
    std::cerr << "vigil scan: " << store.status().message() << "\n";
    return 2;
  }
  SystemClock clock;
  DetectorRecord detector;
  detector.id = NewResourceId();
  detector.account = "123456789012";
  detector.region = "us-east-1";
  detector.created_at = detector.updated_at = clock.NowMillis();
  (*store)->CreateDetector(detector, {}, {});

  ThreatIntelService intel(**store, FetchOptions{}, clock);
  if (!ActivateLists(**store, intel, detector.id, options.trusted_lists, ThreatListKind::kIpSet,
                     options.list_format) ||
      !ActivateLists(**store, intel, detector.id, options.threat_lists,
                     ThreatListKind::kThreatIntelSet, options.list_format)) {
    return 2;
  }
  FindingService findings(**store);
  DetectionEngine engine(**store, findings, &intel, clock, DetectionSettings{}, flow_format,
                         aws_ip_ranges);

  const LogFiles log_files = FindLogFiles(options.paths, *source);
  bool ok = log_files.unreadable.empty();
  for (const std::string& path : log_files.unreadable) {
    std::cerr << "vigil scan: cannot read " << path << "\n";
  }
  const std::vector<fs::path>& files = log_files.files;
  const bool terminal = isatty(STDERR_FILENO) != 0;
  size_t records = 0, rejected = 0, created = 0, done = 0;
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto outcome = engine.Ingest(detector, *source, content, kMaxFileBytes);
    ++done;
    if (!outcome.ok()) {
      std::cerr << (terminal ? "\n" : "") << "vigil scan: " << file.string() << ": "
                << outcome.status().message() << "\n";
      ok = false;
      continue;
    }
    records += outcome->records;
    rejected += outcome->rejected;
    created += outcome->findings_created;
    for (const RejectedRecord& reject : outcome->rejects) {
      if (!terminal) {
        std::cerr << file.string() << ":" << reject.position << ": " << reject.reason << "\n";
      }
    }
    if (terminal) {
      std::fprintf(stderr, "\r[%zu/%zu files] %zu records, %zu rejected, %zu findings", done,
                   files.size(), records, rejected, created);
    }
  }
  if (terminal) std::fprintf(stderr, "\n");

  // Every finding, most severe first.
  auto sort = ParseSortCriteria(json::object{{"attributeName", "severity"}, {"orderBy", "DESC"}},
                                "sortCriteria");
  auto everything = std::make_shared<const FindingCriteria>();
  size_t printed = 0;
  if (options.output == "table") {
    std::printf("%-55s %-8s %-6s %-24s %s\n", "TYPE", "SEVERITY", "COUNT", "RESOURCE", "TITLE");
  }
  for (size_t offset = 0;; offset += 50) {
    auto page = findings.List({detector.id}, everything, *sort, offset, 50);
    if (!page.ok()) break;
    auto found = findings.Get({detector.id}, page->ids, *sort);
    for (const json::object& finding : found.ok() ? *found : std::vector<json::object>{}) {
      ++printed;
      if (options.output == "table") {
        std::string resource = Text(finding, {"resource", "instanceDetails", "instanceId"});
        if (resource.empty())
          resource = Text(finding, {"resource", "accessKeyDetails", "accessKeyId"});
        std::printf("%-55s %-8s %-6s %-24s %s\n", Text(finding, {"type"}).c_str(),
                    Text(finding, {"severity"}).c_str(),
                    Text(finding, {"service", "count"}).c_str(), resource.c_str(),
                    Text(finding, {"title"}).c_str());
      } else {
        std::printf("%s\n", json::serialize(finding).c_str());
      }
    }
    if (!page->has_more) break;
  }
  std::cerr << files.size() << " files, " << records << " records, " << rejected << " rejected, "
            << printed << " findings\n";
  return ok ? 0 : 1;
}

}  // namespace vigil
