// IngestSession: one batch of logs for a detector, processed as it streams in.
//
// Pieces of the body are gunzipped when it starts with the gzip magic (GunzipStream), cut
// into runs of whole lines (LogChunker), parsed with the source's parser and evaluated by
// the rules at once, the detector's rule state locked for that run only; what the rules
// find is aggregated in the session and recorded as findings by Finish. The records,
// rejects (with their line numbers in the whole body) and findings are those of parsing
// the whole body at once. Memory is a few runs of lines, not the body, except for a
// CloudTrail file that is one JSON document, which is held whole until Finish.
//
// The CloudTrail event ids a batch evaluates are claimed in memory while it runs (a
// concurrent batch with the same events skips them) and stored with its findings, in one
// transaction. A batch that fails part-way (over the limit, corrupt gzip, abandoned) or
// is cut off by a crash has stored neither, so a retry evaluates those events; the rule
// windows keep the records they saw before the failure, as if those had come in an
// earlier batch.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "detect/detection_engine.h"
#include "detect/emitter.h"
#include "detect/usage_tally.h"
#include "ingest/decompress.h"
#include "ingest/log_chunker.h"

namespace vigil {

class IngestSession {
 public:
  // Made by DetectionEngine::StartIngest. Not thread-safe: one caller feeds it in turn.
  ~IngestSession();
  IngestSession(const IngestSession&) = delete;
  IngestSession& operator=(const IngestSession&) = delete;

  // Takes the next piece of the body, evaluating every run of lines it completes.
  // Errors: InvalidInput for corrupt gzip or a body over the limit, or the store's.
  // After an error the session is spent and returns that error from then on.
  Status Feed(std::string_view piece);

  // The body is complete: evaluates what is left, records the findings, and answers
  // the batch's counts once they are stored. With `processed_file` (a watched file) the
  // findings, the event ids and the file's being processed are committed in one
  // transaction.
  StatusOr<IngestOutcome> Finish(const ProcessedFileRecord* processed_file = nullptr);

 private:
  friend class DetectionEngine;

  IngestSession(DetectionEngine& engine, DetectionEngine::DetectorState& state,
                DetectorRecord detector, LogSource source,
                std::shared_ptr<const ThreatSnapshot> lists, size_t max_bytes, size_t piece_bytes);

  // Parses and evaluates the pieces the chunker has ready.
  Status EvaluateReadyPieces();
  Status Evaluate(const LogChunker::Piece& piece);
  Status Fail(Status status);
  void ReleaseClaims();

  DetectionEngine& engine_;
  DetectionEngine::DetectorState& state_;
  const DetectorRecord detector_;
  const LogSource source_;
  const std::shared_ptr<const ThreatSnapshot> lists_;
  GunzipStream gunzip_;
  LogChunker chunker_;
  // What the chunker's lead yields parsed on its own, taken away from each piece that
  // starts with it: its records, and its rejects.
  std::optional<std::pair<size_t, size_t>> lead_yield_;
  Emitter emitter_;
  UsageTally usage_;  // recorded once the batch's findings are
  IngestOutcome outcome_;
  std::vector<std::string> claimed_ids_;  // CloudTrail event ids this batch evaluates
  bool finished_ = false;
  Status failure_;
};

}  // namespace vigil
