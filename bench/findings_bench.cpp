// Findings at scale: loads N generated findings (default 1,000,000) into an on-disk
// store through FindingService, then times the queries users run most — in process,
// without HTTP, so the figures are the engine's own:
//   (a) severity >= 7, sorted by updatedAt DESC (indexed)
//   (b) type eq X (indexed)
//   (c) resource.instanceDetails.networkInterfaces.vpcId eq X (projection scan)
//   (d) GetFindingsStatistics COUNT_BY_SEVERITY over all findings
// Usage: vigil_findings_bench [FINDINGS] [DATA_DIR]  (an existing DATA_DIR is reused)
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "core/ids.h"
#include "core/time.h"
#include "findings/finding_service.h"
#include "findings/finding_types.h"
#include "findings/sample_findings.h"
#include "store/store.h"

namespace {

using namespace vigil;
namespace json = boost::json;
using Steady = std::chrono::steady_clock;

constexpr int kVpcs = 1000;
constexpr int kInstances = 50000;
constexpr int64_t kDayMillis = 24LL * 3600 * 1000;

double MillisSince(Steady::time_point start) {
  return std::chrono::duration<double, std::milli>(Steady::now() - start).count();
}

// A sample finding made distinct: its own instance, VPC, remote IP and update time.
json::object GeneratedFinding(const FindingTypeInfo& type, const std::string& detector_id,
                              int64_t index, int64_t now, std::mt19937_64& random) {
  const int64_t updated = now - static_cast<int64_t>(random() % (80 * kDayMillis));
  json::object finding = BuildSampleFinding(
      type, {"111122223333", "us-east-1", detector_id, NewResourceId(), updated});
  json::object& resource = finding["resource"].as_object();
  if (json::value* instance = resource.if_contains("instanceDetails")) {
    char text[32];
    std::snprintf(text, sizeof(text), "i-%08llx",
                  static_cast<unsigned long long>(index % kInstances));
    instance->as_object()["instanceId"] = text;
    std::snprintf(text, sizeof(text), "vpc-%05d", static_cast<int>(index % kVpcs));
    instance->as_object()["networkInterfaces"].as_array()[0].as_object()["vpcId"] = text;
  }
  return finding;
}

struct Timing {
  double p50 = 0;
  double max = 0;
  size_t results = 0;
};

template <typename Run>
Timing Measure(int repeats, Run run) {
  std::vector<double> times;
  Timing timing;
  for (int i = 0; i < repeats; ++i) {
    const auto start = Steady::now();
    timing.results = run();
    times.push_back(MillisSince(start));
  }
  std::sort(times.begin(), times.end());
  timing.p50 = times[times.size() / 2];
  timing.max = times.back();
  return timing;
}

std::shared_ptr<const FindingCriteria> Criteria(const char* text) {
  auto parsed = FindingCriteria::Parse(json::parse(text).as_object(), "findingCriteria");
  if (!parsed.ok()) {
    std::fprintf(stderr, "bad criteria %s: %s\n", text, parsed.status().message().c_str());
    std::exit(1);
  }
  return std::make_shared<const FindingCriteria>(std::move(*parsed));
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  const int64_t total = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const std::filesystem::path dir = argc > 2 ? std::filesystem::path(argv[2])
                                             : std::filesystem::temp_directory_path() /
                                                   ("vigil-findings-bench-" + NewResourceId());
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "vigil.db").string();

  auto opened = OpenSqliteStore(path);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().message().c_str());
    return 1;
  }
  Store& store = **opened;
  FindingService findings(store);
  const int64_t now = SystemClock().NowMillis();
  // A DATA_DIR that already holds the bench's detector is reused, so query figures can be
  // re-measured without another load.
  DetectorRecord detector;
  auto existing = store.ListDetectorIds("111122223333", "us-east-1", "", 1);
  const bool reuse = existing.ok() && !existing->keys.empty();
  if (reuse) {
    detector.id = existing->keys.front();
  } else {
    detector.id = NewResourceId();
    detector.account = "111122223333";
    detector.region = "us-east-1";
    detector.created_at = detector.updated_at = now;
    if (!store.CreateDetector(detector, {}, {}).ok()) return 1;
  }

  const auto types = FindingTypes();
  std::mt19937_64 random(42);
  const auto load_start = Steady::now();
  constexpr int64_t kBatch = 5000;
  for (int64_t first = 0; !reuse && first < total; first += kBatch) {
    std::vector<FindingService::Occurrence> batch;
    for (int64_t index = first; index < std::min(total, first + kBatch); ++index) {
      const FindingTypeInfo& type = types[index % types.size()];
      batch.push_back({"bench/" + std::to_string(index),
                       GeneratedFinding(type, detector.id, index, now, random)});
    }
    auto recorded = findings.Record(detector.id, batch);
    if (!recorded.ok()) {
      std::fprintf(stderr, "load failed: %s\n", recorded.status().message().c_str());
      return 1;
    }
  }
  const double load_seconds = MillisSince(load_start) / 1000;
  // As `vigil serve` does at start and hourly.
  const auto analyze_start = Steady::now();
  if (!store.RefreshStatistics().ok()) return 1;
  const double analyze_ms = MillisSince(analyze_start);
  const int64_t size = store.SizeBytes();
  if (reuse) std::printf("reused the findings in %s\n", dir.c_str());
  std::printf(
      "loaded %lld findings in %.1f s (%.0f findings/s); store %.1f MB = %.0f bytes/finding\n",
      static_cast<long long>(total), load_seconds, total / load_seconds, size / 1e6,
      static_cast<double>(size) / total);
  std::printf("planner statistics refreshed in %.0f ms\n", analyze_ms);

  const std::vector<std::string> detectors = {detector.id};
  const std::string type = std::string(types[3].type);
  const std::string type_criteria = R"({"criterion":{"type":{"eq":[")" + type + R"("]}}})";
  struct Scenario {
    const char* name;
    std::shared_ptr<const FindingCriteria> criteria;
    std::optional<SortCriteria> sort;
    const char* target;
  };
  auto sort_updated = ParseSortCriteria(
      json::parse(R"({"attributeName":"updatedAt","orderBy":"DESC"})").as_object(), "sortCriteria");
  const Scenario scenarios[] = {
      {"(a) severity >= 7, updatedAt DESC", Criteria(R"({"criterion":{"severity":{"gte":7}}})"),
       *sort_updated, "p50 < 20 ms"},
      {"(b) type eq X", Criteria(type_criteria.c_str()), std::nullopt, "p50 < 20 ms"},
      {"(c) networkInterfaces.vpcId eq X",
       Criteria(
           R"({"criterion":{"resource.instanceDetails.networkInterfaces.vpcId":{"eq":["vpc-00042"]}}})"),
       std::nullopt, "< 1 s"},
      // No finding matches, so every projection is read: the worst case of (c).
      {"(c') vpcId eq <absent> (full scan)",
       Criteria(
           R"({"criterion":{"resource.instanceDetails.networkInterfaces.vpcId":{"eq":["vpc-absent"]}}})"),
       std::nullopt, "< 1 s"},
  };
  for (const Scenario& scenario : scenarios) {
    const Timing timing = Measure(9, [&] {
      auto page = findings.List(detectors, scenario.criteria, scenario.sort, 0, 50);
      return page.ok() ? page->ids.size() : 0;
    });
    std::printf("ListFindings %-36s p50 %8.2f ms  max %8.2f ms  (%zu ids; target %s)\n",
                scenario.name, timing.p50, timing.max, timing.results, scenario.target);
  }
  auto everything = std::make_shared<const FindingCriteria>();
  const Timing statistics = Measure(9, [&] {
    auto counts = findings.CountBySeverity(detectors, everything);
    size_t sum = 0;
    if (counts.ok()) {
      for (const auto& [severity, count] : *counts) sum += count;
    }
    return sum;
  });
  std::printf(
      "GetFindingsStatistics COUNT_BY_SEVERITY (all)     p50 %8.2f ms  max %8.2f ms  "
      "(%zu findings; target < 200 ms)\n",
      statistics.p50, statistics.max, statistics.results);
  const Timing get = Measure(9, [&] {
    auto page = findings.List(detectors, everything, std::nullopt, 1000, 50);
    auto got = findings.Get(detectors, page->ids, std::nullopt);
    return got.ok() ? got->size() : 0;
  });
  std::printf("ListFindings + GetFindings of 50 (no criteria)    p50 %8.2f ms  max %8.2f ms\n",
              get.p50, get.max);
  if (argc <= 2) std::filesystem::remove_all(dir);  // a named DATA_DIR is kept for reuse
  return 0;
}
