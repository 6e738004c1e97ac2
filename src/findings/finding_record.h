// Turning a Finding JSON document into the FindingRecord the store keeps: the indexed
// columns and the criteria projection are derived here, in one place, from the document.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "core/status.h"
#include "store/finding_records.h"

namespace vigil {

// Builds the record of `finding` (a complete Finding object) for `detector_id`.
// InvalidInput when a required member (id, type, severity, createdAt, updatedAt) is
// missing or of the wrong type.
StatusOr<FindingRecord> MakeFindingRecord(const boost::json::object& finding,
                                          const std::string& detector_id,
                                          const std::string& aggregation_key);

// Parses a stored record's document back into a Finding object.
StatusOr<boost::json::object> ParseFindingDocument(const FindingRecord& record);

}  // namespace vigil
