#include "detect/ingest_session.h"

#include <algorithm>
#include <utility>

#include "ingest/cloudtrail.h"
#include "ingest/dns_logs.h"
#include "ingest/flow_logs.h"

namespace vigil {
namespace {

LineLayout LayoutOf(LogSource source) {
  switch (source) {
    case LogSource::kFlowLogs:
      return LineLayout::kFlowLogs;
    case LogSource::kCloudTrail:
      return LineLayout::kCloudTrail;
    case LogSource::kDns:
      break;
  }
  return LineLayout::kIndependent;
}

template <typename Record>
std::pair<size_t, size_t> YieldOf(const ParseResult<Record>& parsed) {
  return {parsed.records.size(), parsed.rejected};
}

// Adds a parsed piece to the batch's counts, with positions in the body's lines and
// without what the lead yields (parsed first, so its records and rejects come first).
// Returns the piece's own records.
template <typename Record>
std::span<const Record> Account(const ParseResult<Record>& parsed, const LogChunker::Piece& piece,
                                std::pair<size_t, size_t> lead, IngestOutcome& outcome) {
  if (!piece.has_lead) lead = {0, 0};
  const size_t skip_records = std::min(lead.first, parsed.records.size());
  const size_t skip_rejects = std::min(lead.second, parsed.rejects.size());
  outcome.records += parsed.records.size() - skip_records;
  outcome.rejected += parsed.rejected - std::min(lead.second, parsed.rejected);
  for (size_t i = skip_rejects; i < parsed.rejects.size() &&
                                outcome.rejects.size() < ParseResult<Record>::kMaxReportedRejects;
       ++i) {
    outcome.rejects.push_back(
        {parsed.rejects[i].position + piece.line_offset, parsed.rejects[i].reason});
  }
  return std::span<const Record>(parsed.records).subspan(skip_records);
}

}  // namespace

IngestSession::IngestSession(DetectionEngine& engine, DetectionEngine::DetectorState& state,
                             DetectorRecord detector, LogSource source,
                             std::shared_ptr<const ThreatSnapshot> lists, size_t max_bytes,
                             size_t piece_bytes)
    : engine_(engine),
      state_(state),
      detector_(std::move(detector)),
      source_(source),
      lists_(std::move(lists)),
      gunzip_(max_bytes,
              [this](std::string_view block) {
                usage_.AddBytes(block.size());
                chunker_.Append(block);
                return EvaluateReadyPieces();
              }),
      chunker_(LayoutOf(source), piece_bytes) {}

IngestSession::~IngestSession() { ReleaseClaims(); }

Status IngestSession::Feed(std::string_view piece) {
  if (!failure_.ok()) return failure_;
  if (finished_) return Status::Internal("ingest session fed after it finished");
  if (Status status = gunzip_.Write(piece); !status.ok()) return Fail(std::move(status));
  return Status::Ok();
}

StatusOr<IngestOutcome> IngestSession::Finish(const ProcessedFileRecord* processed_file) {
  if (!failure_.ok()) return failure_;
  if (finished_) return Status::Internal("ingest session finished twice");
  Status status = gunzip_.Finish();
  if (status.ok()) {
    chunker_.Close();
    status = EvaluateReadyPieces();
  }
  if (status.ok()) {
    status = engine_.RecordFindings(detector_, emitter_, claimed_ids_, processed_file, outcome_);
  }
  if (!status.ok()) return Fail(std::move(status));
  // Stored: other batches now skip these events because the store has seen them.
  ReleaseClaims();
  finished_ = true;
  engine_.RecordUsage(detector_, source_, usage_);
  return std::move(outcome_);
}

Status IngestSession::EvaluateReadyPieces() {
  while (std::optional<LogChunker::Piece> piece = chunker_.Next()) {
    VIGIL_RETURN_IF_ERROR(Evaluate(*piece));
  }
  return Status::Ok();
}

// Parsing needs no rule state, so only evaluation locks the detector's state (in the
// engine): other batches of the detector go on between the pieces of a slow upload.
Status IngestSession::Evaluate(const LogChunker::Piece& piece) {
  switch (source_) {
    case LogSource::kFlowLogs: {
      const std::optional<FlowLogFormat>& format = engine_.flow_log_format_;
      if (piece.has_lead && !lead_yield_) {
        lead_yield_ = YieldOf(ParseFlowLogs(chunker_.lead(), format));
      }
      const ParseResult<FlowRecord> parsed = ParseFlowLogs(piece.text, format);
      const auto records =
          Account(parsed, piece, lead_yield_.value_or(std::pair<size_t, size_t>{}), outcome_);
      usage_.Add(records);
      engine_.EvaluateFlows(state_, records, *lists_, emitter_);
      return Status::Ok();
    }
    case LogSource::kCloudTrail: {
      if (piece.has_lead && !lead_yield_) lead_yield_ = YieldOf(ParseCloudTrail(chunker_.lead()));
      const ParseResult<CloudTrailEvent> parsed = ParseCloudTrail(piece.text);
      const auto events =
          Account(parsed, piece, lead_yield_.value_or(std::pair<size_t, size_t>{}), outcome_);
      usage_.Add(events);
      return engine_.EvaluateCloudTrail(state_, detector_.id, events, *lists_, emitter_,
                                        claimed_ids_);
    }
    case LogSource::kDns: {
      const ParseResult<DnsQuery> parsed = ParseDnsLogs(piece.text);
      const auto queries = Account(parsed, piece, {0, 0}, outcome_);
      usage_.Add(queries);
      engine_.EvaluateDns(state_, queries, *lists_, emitter_);
      return Status::Ok();
    }
  }
  return Status::Internal("unknown log source");
}

Status IngestSession::Fail(Status status) {
  failure_ = status;
  ReleaseClaims();
  return status;
}

void IngestSession::ReleaseClaims() {
  if (claimed_ids_.empty()) return;
  engine_.ReleaseClaims(state_, claimed_ids_);
  claimed_ids_.clear();
}

}  // namespace vigil
