// VPC Flow Logs parsing: the default version-2 format or any custom format, taken from a
// header line when the file has one or from a format string ("${version} ${srcaddr} ...").
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ingest/records.h"

namespace vigil {

// The field order of a flow log.
class FlowLogFormat {
 public:
  // The default format: version account-id interface-id srcaddr dstaddr srcport dstport
  // protocol packets bytes start end action log-status.
  static FlowLogFormat Default();
  // Parses "${version} ${account-id} ..." (or the same names without ${}). InvalidInput
  // for an empty format; unknown field names are kept and ignored.
  static StatusOr<FlowLogFormat> Parse(std::string_view format);

  const std::vector<std::string>& fields() const { return fields_; }

 private:
  std::vector<std::string> fields_;
};

// Reads a flow log file (plain text; gzip is undone before) a batch of records at a time,
// so that evaluating a large file keeps a few hundred kilobytes of records in flight
// instead of all of them. A first line whose first token is not a number is a header
// giving the format; otherwise `format` (or the default) applies. NODATA / SKIPDATA
// records are skipped, not rejected; a line with the wrong number of fields or a bad
// number is rejected with its line number.
//
// The records view `content` (see FlowRecord), which must outlive them and the reader.
class FlowLogReader {
 public:
  // Enough records to amortise a batch, few enough that they stay in the L2 cache.
  static constexpr size_t kBatchRecords = 1024;

  explicit FlowLogReader(std::string_view content,
                         const std::optional<FlowLogFormat>& format = std::nullopt);
  ~FlowLogReader();
  FlowLogReader(const FlowLogReader&) = delete;
  FlowLogReader& operator=(const FlowLogReader&) = delete;

  // Replaces `records` with the next records, at most `max_records` of them. False once
  // the file is exhausted (`records` is then empty).
  bool Next(std::vector<FlowRecord>& records, size_t max_records = kBatchRecords);

  // The lines rejected or skipped so far.
  const ParseTally& tally() const { return tally_; }

 private:
  struct State;
  std::string_view content_;
  std::unique_ptr<State> state_;
  ParseTally tally_;
};

// The whole file at once (FlowLogReader's rules).
ParseResult<FlowRecord> ParseFlowLogs(std::string_view content,
                                      const std::optional<FlowLogFormat>& format = std::nullopt);

}  // namespace vigil
