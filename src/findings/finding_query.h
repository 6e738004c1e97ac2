// Planning finding queries: FindingCriteria and SortCriteria become a FindingQuery
// whose conditions on indexed columns run in SQL and whose other conditions run over
// each candidate's projection.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "findings/criteria.h"
#include "store/finding_records.h"

namespace vigil {

// A parsed SortCriteria: a sortable attribute and a direction.
struct SortCriteria {
  const CriterionAttribute* attribute = nullptr;
  bool descending = true;
};

// Parses {"attributeName": ..., "orderBy": "ASC"|"DESC"} (orderBy defaults to ASC, as
// GuardDuty). InvalidInput naming `parameter` for an attribute that is not sortable.
StatusOr<SortCriteria> ParseSortCriteria(const boost::json::object& sort,
                                         std::string_view parameter);

// The query for findings of `detector_ids` matching `criteria` (shared: the residual
// predicate keeps it alive), in `sort` order (default: updatedAt, newest first).
FindingQuery PlanFindingQuery(std::shared_ptr<const FindingCriteria> criteria,
                              const std::optional<SortCriteria>& sort,
                              std::vector<std::string> detector_ids);

// Orders findings (already loaded) by `sort`, for GetFindings.
void SortFindingRecords(std::vector<FindingRecord>& records, const SortCriteria& sort);

}  // namespace vigil
