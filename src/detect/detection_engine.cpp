#include "detect/detection_engine.h"

#include <spdlog/spdlog.h>

#include "core/ids.h"
#include "detect/rules.h"
#include "findings/finding_builder.h"
#include "ingest/cloudtrail.h"
#include "ingest/decompress.h"
#include "ingest/dns_logs.h"

namespace vigil {

namespace json = boost::json;

// The windows of one detector's stateful rules.
struct DetectionEngine::DetectorState {
  explicit DetectorState(const DetectionSettings& settings)
      : brute_force(settings),
        port_scan(settings),
        port_sweep(settings),
        port_probe(settings),
        dns(settings) {}

  std::mutex mutex;  // one batch of the detector at a time
  BruteForceRule brute_force;
  PortScanRule port_scan;
  PortSweepRule port_sweep;
  PortProbeRule port_probe;
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
                                 std::optional<FlowLogFormat> flow_log_format)
    : store_(store),
      findings_(findings),
      intel_(intel),
      clock_(clock),
      settings_(settings),
      flow_log_format_(std::move(flow_log_format)) {}

DetectionEngine::~DetectionEngine() = default;

DetectionEngine::DetectorState& DetectionEngine::StateOf(const std::string& detector_id) {
  std::lock_guard lock(mutex_);
  std::unique_ptr<DetectorState>& state = states_[detector_id];
  if (!state) state = std::make_unique<DetectorState>(settings_);
  return *state;
}

namespace {

void Account(const ParseTally& tally, IngestOutcome& outcome) {
  outcome.rejected = tally.rejected;
  outcome.rejects = tally.rejects;
}

template <typename Record>
void Account(const ParseResult<Record>& parsed, IngestOutcome& outcome) {
  outcome.records = parsed.records.size();
  Account(static_cast<const ParseTally&>(parsed), outcome);
}

}  // namespace

StatusOr<IngestOutcome> DetectionEngine::Ingest(const DetectorRecord& detector, LogSource source,
                                                std::string_view content, size_t max_bytes) {
  VIGIL_ASSIGN_OR_RETURN(std::string plain, MaybeGunzip(content, max_bytes));
  const std::shared_ptr<const ThreatSnapshot> lists =
      intel_ != nullptr ? intel_->Snapshot(detector.id) : ThreatSnapshot::Build({});
  DetectorState& state = StateOf(detector.id);
  std::lock_guard batch_lock(state.mutex);

  IngestOutcome outcome;
  Emitter emitter;
  switch (source) {
    case LogSource::kFlowLogs: {
      // A batch of records at a time: they stay in cache, and a large body never has all
      // its records in memory at once.
      FlowLogReader reader(plain, flow_log_format_);
      std::vector<FlowRecord> records;
      std::vector<OrientedFlow> flows;
      while (reader.Next(records)) {
        Orient(records, *lists, flows);
        for (size_t i = 0; i < records.size(); ++i) {
          const FlowRecord& record = records[i];
          const OrientedFlow& flow = flows[i];
          MatchFlowThreats(record, flow, *lists, emitter);
          state.brute_force.Observe(record, flow, *lists, emitter);
          state.port_scan.Observe(record, flow, *lists, emitter);
          state.port_sweep.Observe(record, flow, *lists, emitter);
          state.port_probe.Observe(record, flow, *lists, emitter);
        }
        outcome.records += records.size();
      }
      Account(reader.tally(), outcome);
      break;
    }
    case LogSource::kCloudTrail: {
      const ParseResult<CloudTrailEvent> parsed = ParseCloudTrail(plain);
      Account(parsed, outcome);
      std::vector<std::string> ids;
      for (const CloudTrailEvent& event : parsed.records) ids.push_back(event.event_id);
      VIGIL_ASSIGN_OR_RETURN(std::vector<bool> fresh,
                             store_.ClaimEventIds(detector.id, ids, clock_.NowMillis()));
      for (size_t i = 0; i < parsed.records.size(); ++i) {
        // Events without an id cannot be told apart; they are evaluated every time.
        if (!fresh[i] && !ids[i].empty()) continue;
        MatchCloudTrailThreats(parsed.records[i], *lists, emitter);
        ApplyCloudTrailRules(parsed.records[i], emitter);
      }
      break;
    }
    case LogSource::kDns: {
      const ParseResult<DnsQuery> parsed = ParseDnsLogs(plain);
      Account(parsed, outcome);
      for (const DnsQuery& query : parsed.records) {
        MatchDnsThreats(query, *lists, emitter);
        state.dns.Observe(query, emitter);
      }
      break;
    }
  }

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
  if (!occurrences.empty()) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<FindingService::RecordOutcome> recorded,
                           findings_.Record(detector.id, occurrences));
    for (const auto& result : recorded) {
      ++(result.created ? outcome.findings_created : outcome.findings_updated);
    }
  }
  return outcome;
}

}  // namespace vigil
