#include "findings/aggregation.h"

#include <algorithm>

#include "core/time.h"
#include "findings/finding_record.h"

namespace vigil {

namespace json = boost::json;

namespace {

json::object& ServiceOf(json::object& finding) {
  json::value& service = finding["service"];
  if (!service.is_object()) service = json::object();
  return service.as_object();
}

int64_t CountOf(const json::object& finding) {
  const json::value* service = finding.if_contains("service");
  const json::value* count = service != nullptr && service->is_object()
                                 ? service->as_object().if_contains("count")
                                 : nullptr;
  return count != nullptr && count->is_int64() ? count->as_int64() : 1;
}

std::string TextOf(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : "";
}

}  // namespace

StatusOr<FindingRecord> MergeOccurrence(const FindingRecord& existing,
                                        const FindingRecord& occurrence) {
  VIGIL_ASSIGN_OR_RETURN(json::object before, ParseFindingDocument(existing));
  VIGIL_ASSIGN_OR_RETURN(json::object after, ParseFindingDocument(occurrence));

  after["id"] = before["id"];
  after["arn"] = before["arn"];
  after["createdAt"] = before["createdAt"];
  const int64_t updated_at = std::max(existing.updated_at, occurrence.updated_at);
  after["updatedAt"] = FormatIsoMillis(updated_at);

  json::object& service_before = ServiceOf(before);
  json::object& service_after = ServiceOf(after);
  service_after["count"] = CountOf(before) + CountOf(after);
  if (auto first_seen = TextOf(service_before, "eventFirstSeen"); !first_seen.empty()) {
    service_after["eventFirstSeen"] = first_seen;
  }
  const auto last_before = ParseIsoMillis(TextOf(service_before, "eventLastSeen"));
  const auto last_after = ParseIsoMillis(TextOf(service_after, "eventLastSeen"));
  if (last_before && (!last_after || *last_before > *last_after)) {
    service_after["eventLastSeen"] = service_before["eventLastSeen"];
  }
  service_after["archived"] = existing.archived || occurrence.archived;
  if (const json::value* feedback = service_before.if_contains("userFeedback")) {
    service_after["userFeedback"] = *feedback;
  }

  VIGIL_ASSIGN_OR_RETURN(FindingRecord merged,
                         MakeFindingRecord(after, existing.detector_id, existing.aggregation_key));
  merged.feedback_comments = existing.feedback_comments;
  // A suppressed finding stays suppressed while it is archived; the rest publish the
  // change at the detector's next publication time.
  merged.suppressed = occurrence.suppressed || (existing.suppressed && existing.archived);
  merged.publish_pending = !merged.suppressed;
  merged.published_at = existing.published_at;
  return merged;
}

}  // namespace vigil
