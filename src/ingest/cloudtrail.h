// CloudTrail parsing: files of {"Records":[...]}, a single event, the EventBridge
// envelope ({"detail-type":"AWS API Call via CloudTrail", "detail":{...}}), and JSON lines
// of any of these. simdjson On-Demand.
#pragma once

#include <string_view>

#include "ingest/records.h"

namespace vigil {

// Parses `content` (plain JSON; gzip is undone before). A record that is JSON but not a
// CloudTrail event (no eventName/eventSource/eventTime) is rejected alone with its index
// (1-based record position); malformed JSON rejects the rest of its line or file.
ParseResult<CloudTrailEvent> ParseCloudTrail(std::string_view content);

}  // namespace vigil
