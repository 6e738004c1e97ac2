// DetectionEngine: logs in, findings out. Decompresses and parses a batch of one
// source, runs every rule family over it with the detector's current threat lists,
// aggregates what they found, and records the findings (aggregation with stored
// findings and ARCHIVE filters happen in FindingService). A batch may arrive in pieces
// and is then processed as it streams in (IngestSession). Window state is kept per
// detector in memory (bounded; it does not survive a restart).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "detect/thresholds.h"
#include "findings/finding_service.h"
#include "ingest/flow_logs.h"
#include "intel/aws_ip_ranges.h"
#include "intel/threat_intel_service.h"
#include "store/records.h"

namespace vigil {

class Emitter;
class IngestSession;
class UsageTally;

enum class LogSource { kFlowLogs, kCloudTrail, kDns };

// "flowlogs", "cloudtrail", "dns" → the source; nullopt otherwise.
std::optional<LogSource> ParseLogSource(std::string_view name);

struct IngestOutcome {
  size_t records = 0;   // records parsed and evaluated
  size_t rejected = 0;  // records that could not be used
  size_t findings_created = 0;
  size_t findings_updated = 0;
  std::vector<RejectedRecord> rejects;  // the first few, with their positions
};

class DetectionEngine {
 public:
  // Borrows the services and the clock, which must outlive the engine. `intel` may be
  // null (no threat lists); without `aws_ip_ranges` the rule for instance credentials
  // used outside AWS is off. Thread-safe; batches of one detector are processed in turn.
  DetectionEngine(Store& store, FindingService& findings, const ThreatIntelService* intel,
                  const Clock& clock, DetectionSettings settings = {},
                  std::optional<FlowLogFormat> flow_log_format = std::nullopt,
                  std::shared_ptr<const AwsIpRanges> aws_ip_ranges = nullptr);
  ~DetectionEngine();

  // Processes one batch (plain or gzip) for `detector`, whose findings are recorded.
  // CloudTrail events already ingested for the detector (same eventID) are skipped.
  // InvalidInput when the body cannot be decompressed or is over `max_bytes`. With
  // `processed_file` (the batch is a watched file), the file is recorded as processed,
  // with the outcome's counts, in the transaction that stores the batch's findings.
  StatusOr<IngestOutcome> Ingest(const DetectorRecord& detector, LogSource source,
                                 std::string_view content, size_t max_bytes,
                                 const ProcessedFileRecord* processed_file = nullptr);

  // Starts a batch that arrives in pieces (see IngestSession), with the same results as
  // Ingest over the whole. The session borrows the engine, which must outlive it.
  // `piece_bytes` is how much plain text is parsed and evaluated at a time.
  static constexpr size_t kPieceBytes = size_t{4} << 20;
  std::unique_ptr<IngestSession> StartIngest(const DetectorRecord& detector, LogSource source,
                                             size_t max_bytes, size_t piece_bytes = kPieceBytes);

 private:
  friend class IngestSession;
  struct DetectorState;
  DetectorState& StateOf(const std::string& detector_id);
  // The detector whose IPSets and ThreatIntelSets apply to `detector`: its own, or its
  // administrator's while it is an Enabled member (as GuardDuty).
  std::string ListsDetectorId(const DetectorRecord& detector);

  // The rules over parsed records of a batch. Each call locks the detector's state for
  // its records only, so batches of one detector interleave piece by piece.
  void EvaluateFlows(DetectorState& state, std::span<const FlowRecord> records,
                     const ThreatSnapshot& lists, Emitter& emitter);
  void EvaluateDns(DetectorState& state, std::span<const DnsQuery> queries,
                   const ThreatSnapshot& lists, Emitter& emitter);
  // Skips events whose ids the store has seen or another batch in flight claimed, and
  // claims the ids of those it evaluates (appended to `claimed`) until ReleaseClaims.
  Status EvaluateCloudTrail(DetectorState& state, const std::string& detector_id,
                            std::span<const CloudTrailEvent> events, const ThreatSnapshot& lists,
                            Emitter& emitter, std::vector<std::string>& claimed);
  // Adds a finished batch to the detector's usage counters. A failure is logged, not
  // returned: the batch's findings are stored, and a retry would count them twice.
  void RecordUsage(const DetectorRecord& detector, LogSource source, const UsageTally& usage);
  // Lets other batches evaluate these ids again (or skip them, once they are stored).
  void ReleaseClaims(DetectorState& state, const std::vector<std::string>& claimed);
  // Records what the rules of a batch found as findings of `detector`, in one transaction
  // with the event ids it evaluated and, with `processed_file`, the file's being processed.
  Status RecordFindings(const DetectorRecord& detector, const Emitter& emitter,
                        const std::vector<std::string>& event_ids,
                        const ProcessedFileRecord* processed_file, IngestOutcome& outcome);

  Store& store_;
  FindingService& findings_;
  const ThreatIntelService* intel_;
  const Clock& clock_;
  const DetectionSettings settings_;
  const std::optional<FlowLogFormat> flow_log_format_;
  const std::shared_ptr<const AwsIpRanges> aws_ip_ranges_;
  std::mutex mutex_;  // guards states_
  std::map<std::string, std::unique_ptr<DetectorState>> states_;
};

}  // namespace vigil
