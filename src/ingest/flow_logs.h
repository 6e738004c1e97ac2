// VPC Flow Logs parsing: the default version-2 format or any custom format, taken from a
// header line when the file has one or from a format string ("${version} ${srcaddr} ...").
#pragma once

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

// Parses a flow log file (plain text; gzip is undone before). A first line whose first
// token is not a number is a header giving the format; otherwise `format` (or the
// default) applies. NODATA / SKIPDATA records are skipped, not rejected; a line with the
// wrong number of fields or a bad number is rejected with its line number.
ParseResult<FlowRecord> ParseFlowLogs(std::string_view content,
                                      const std::optional<FlowLogFormat>& format = std::nullopt);

}  // namespace vigil
