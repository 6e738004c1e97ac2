// Route 53 Resolver query logs: JSON lines (gzip is undone before).
#pragma once

#include <string_view>

#include "ingest/records.h"

namespace vigil {

// Parses JSON lines; a line that is not JSON or lacks query_name is rejected with its
// line number. Query names are lowercased and lose their trailing dot.
ParseResult<DnsQuery> ParseDnsLogs(std::string_view content);

}  // namespace vigil
