// Aggregation: a new occurrence of an issue GuardDuty already reported updates that
// finding instead of making another (reference/guardduty-detection.md section 3).
#pragma once

#include "core/status.h"
#include "store/finding_records.h"

namespace vigil {

// The finding that results from `occurrence` arriving for the already stored `existing`
// (same detector and aggregation key): the occurrence's details (remote IP, action...)
// with the existing id, arn, createdAt and service.eventFirstSeen, service.count summed,
// service.eventLastSeen and updatedAt from the occurrence (never moving backwards), and
// the existing archived state and userFeedback kept.
StatusOr<FindingRecord> MergeOccurrence(const FindingRecord& existing,
                                        const FindingRecord& occurrence);

}  // namespace vigil
