#include "detect/detection_engine.h"

#include <spdlog/spdlog.h>

#include <unordered_set>

#include "core/ids.h"
#include "detect/ingest_session.h"
#include "detect/rules.h"
#include "detect/usage_tally.h"
#include "findings/finding_builder.h"

namespace vigil {

namespace json = boost::json;

// The windows of one detector's stateful rules.
struct DetectionEngine::DetectorState {
  explicit DetectorState(const DetectionSettings& settings)
      : brute_force(settings),
        port_scan(settings),
        port_sweep(settings),
        port_probe(settings),
        denial_of_service(settings),
        spambot(settings),
        dns(settings) {}

  std::mutex mutex;  // one piece of a batch of the detector at a time
  // CloudTrail event ids evaluated by batches not yet stored: a concurrent batch with the
  // same events skips them. Only memory, so a batch cut off by a crash claims nothing.
  std::unordered_set<std::string> claimed_event_ids;
  BruteForceRule brute_force;
  PortScanRule port_scan;
  PortSweepRule port_sweep;
  PortProbeRule port_probe;
  DenialOfServiceRule denial_of_service;
  SpambotRule spambot;
  DnsRules dns;
};

std::optional<LogSource> ParseLogSource(std::string_view name) {
  if (name == "flowlogs") return LogSource::kFlowLogs;
  if (name == "cloudtrail") return LogSource::kCloudTrail;
  if (name == "dns") return LogSource::kDns;
  return std::nullopt;
}

DetectionEngine::DetectionEngine(Store& store, FindingService& findings,
                                 const ThreatIntelService* intel, const Clock& clock,
                                 DetectionSettings settings,
                                 std::optional<FlowLogFormat> flow_log_format,
                                 std::shared_ptr<const AwsIpRanges> aws_ip_ranges)
    : store_(store),
      findings_(findings),
      intel_(intel),
      clock_(clock),
      settings_(settings),
      flow_log_format_(std::move(flow_log_format)),
      aws_ip_ranges_(std::move(aws_ip_ranges)) {}

DetectionEngine::~DetectionEngine() = default;

DetectionEngine::DetectorState& DetectionEngine::StateOf(const std::string& detector_id) {
  std::lock_guard lock(mutex_);
  std::unique_ptr<DetectorState>& state = states_[detector_id];
  if (!state) state = std::make_unique<DetectorState>(settings_);
  return *state;
}

std::string DetectionEngine::ListsDetectorId(const DetectorRecord& detector) {
  const auto own_lists_after = [&](const Status& error) {
    spdlog::warn("detector {}: cannot read its administrator's detector, using its own lists: {}",
                 detector.id, error.message());
    return detector.id;
  };
  StatusOr<std::optional<std::string>> administrator =
      store_.AdministratorOf(detector.account, detector.region);
  if (!administrator.ok()) return own_lists_after(administrator.status());
  if (!*administrator) return detector.id;
  StatusOr<KeyPage> ids = store_.ListDetectorIds(**administrator, detector.region, "", 1);
  if (!ids.ok()) return own_lists_after(ids.status());
  return ids->keys.empty() ? detector.id : ids->keys.front();
}

std::unique_ptr<IngestSession> DetectionEngine::StartIngest(const DetectorRecord& detector,
                                                            LogSource source, size_t max_bytes,
                                                            size_t piece_bytes) {
  const std::shared_ptr<const ThreatSnapshot> lists =
      intel_ != nullptr ? intel_->Snapshot(ListsDetectorId(detector)) : ThreatSnapshot::Build({});
  return std::unique_ptr<IngestSession>(new IngestSession(*this, StateOf(detector.id), detector,
                                                          source, lists, max_bytes, piece_bytes));
}

StatusOr<IngestOutcome> DetectionEngine::Ingest(const DetectorRecord& detector, LogSource source,
                                                std::string_view content, size_t max_bytes,
                                                const ProcessedFileRecord* processed_file) {
  std::unique_ptr<IngestSession> session = StartIngest(detector, source, max_bytes);
  VIGIL_RETURN_IF_ERROR(session->Feed(content));
  return session->Finish(processed_file);
}

void DetectionEngine::RecordUsage(const DetectorRecord& detector, LogSource source,
                                  const UsageTally& usage) {
  const Status recorded =
      store_.RecordUsage(usage.ToBatch(detector.id, source, UsageDay(clock_.NowMillis())));
  if (!recorded.ok()) {
    spdlog::warn("detector {}: could not record the usage of a {} batch: {}", detector.id,
                 UsageDataSource(source), recorded.message());
  }
}

void DetectionEngine::EvaluateFlows(DetectorState& state, std::span<const FlowRecord> records,
                                    const ThreatSnapshot& lists, Emitter& emitter) {
  // The remote addresses of the whole run are looked up at once (batched, prefetched).
  std::vector<OrientedFlow> flows;
  Orient(records, lists, flows);
  std::lock_guard lock(state.mutex);
  for (size_t i = 0; i < records.size(); ++i) {
    const FlowRecord& record = records[i];
    const OrientedFlow& flow = flows[i];
    MatchFlowThreats(record, flow, lists, emitter);
    state.brute_force.Observe(record, flow, lists, emitter);
    state.port_scan.Observe(record, flow, lists, emitter);
    state.port_sweep.Observe(record, flow, lists, emitter);
    state.port_probe.Observe(record, flow, lists, emitter);
    state.denial_of_service.Observe(record, flow, lists, emitter);
    state.spambot.Observe(record, flow, lists, emitter);
  }
}

Status DetectionEngine::EvaluateCloudTrail(DetectorState& state, const std::string& detector_id,
                                           std::span<const CloudTrailEvent> events,
                                           const ThreatSnapshot& lists, Emitter& emitter,
                                           std::vector<std::string>& claimed) {
  std::lock_guard lock(state.mutex);
  std::vector<std::string> ids;
  ids.reserve(events.size());
  for (const CloudTrailEvent& event : events) ids.push_back(event.event_id);
  VIGIL_ASSIGN_OR_RETURN(std::vector<bool> seen, store_.EventIdsSeen(detector_id, ids));
  for (size_t i = 0; i < events.size(); ++i) {
    // Events without an id cannot be told apart; they are evaluated every time.
    if (!ids[i].empty()) {
      if (seen[i] || !state.claimed_event_ids.insert(ids[i]).second) continue;
      claimed.push_back(ids[i]);
    }
    MatchCloudTrailThreats(events[i], lists, emitter);
    ApplyCloudTrailRules(events[i], aws_ip_ranges_.get(), emitter);
  }
  return Status::Ok();
}

void DetectionEngine::ReleaseClaims(DetectorState& state, const std::vector<std::string>& claimed) {
  std::lock_guard lock(state.mutex);
  for (const std::string& id : claimed) state.claimed_event_ids.erase(id);
}

void DetectionEngine::EvaluateDns(DetectorState& state, std::span<const DnsQuery> queries,
                                  const ThreatSnapshot& lists, Emitter& emitter) {
  std::lock_guard lock(state.mutex);
  for (const DnsQuery& query : queries) {
    MatchDnsThreats(query, lists, emitter);
    state.dns.Observe(query, emitter);
  }
}

Status DetectionEngine::RecordFindings(const DetectorRecord& detector, const Emitter& emitter,
                                       const std::vector<std::string>& event_ids,
                                       const ProcessedFileRecord* processed_file,
                                       IngestOutcome& outcome) {
  std::vector<FindingService::Occurrence> occurrences;
  occurrences.reserve(emitter.pending().size());
  const int64_t now = clock_.NowMillis();
  for (const auto& [key, pending] : emitter.pending()) {
    if (pending.occurrence.type == nullptr) continue;  // a rule named a type not catalogued
    const FindingOrigin origin{detector.account, detector.region, detector.id, NewResourceId(),
                               now};
    json::object finding = BuildFinding(pending.occurrence, origin);
    finding["service"].as_object()["count"] = pending.count;
    occurrences.push_back({key, std::move(finding)});
  }
  if (occurrences.empty() && event_ids.empty() && processed_file == nullptr) return Status::Ok();
  IngestedBatch batch{detector.id, event_ids, now, std::nullopt};
  if (processed_file != nullptr) {
    batch.processed_file = *processed_file;
    batch.processed_file->records = static_cast<int64_t>(outcome.records);
    batch.processed_file->rejected = static_cast<int64_t>(outcome.rejected);
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<FindingService::RecordOutcome> recorded,
                         findings_.Record(detector.id, occurrences, &batch));
  for (const auto& result : recorded) {
    ++(result.created ? outcome.findings_created : outcome.findings_updated);
  }
  return Status::Ok();
}

}  // namespace vigil
