#include "findings/finding_service.h"

#include <boost/json/parse.hpp>

#include "core/ids.h"
#include "findings/aggregation.h"
#include "findings/finding_record.h"

namespace vigil {

namespace json = boost::json;

namespace {

// True when an ARCHIVE filter of the detector matches the finding's projection.
StatusOr<bool> SuppressedByFilters(Store& store, const std::string& detector_id,
                                   std::string_view projection) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<FilterRecord> filters, store.ListFilters(detector_id));
  const FindingProjection view(projection);
  for (const FilterRecord& filter : filters) {  // rank order
    if (filter.action != "ARCHIVE") continue;
    boost::system::error_code ec;
    json::value criteria = json::parse(filter.finding_criteria_json, ec);
    if (ec || !criteria.is_object()) continue;
    auto parsed = FindingCriteria::Parse(criteria.as_object(), "findingCriteria");
    // A filter saved by an older version may name an attribute this one rejects; it
    // then archives nothing rather than blocking every finding.
    if (parsed.ok() && parsed->Matches(view)) return true;
  }
  return false;
}

void SetArchivedMember(json::object& finding, bool archived) {
  json::value& service = finding["service"];
  if (!service.is_object()) service = json::object();
  service.as_object()["archived"] = archived;
}

}  // namespace

StatusOr<FindingService::RecordOutcome> FindingService::Record(const std::string& detector_id,
                                                               const std::string& aggregation_key,
                                                               const json::object& finding) {
  VIGIL_ASSIGN_OR_RETURN(FindingRecord record,
                         MakeFindingRecord(finding, detector_id, aggregation_key));
  VIGIL_ASSIGN_OR_RETURN(bool suppressed,
                         SuppressedByFilters(store_, detector_id, record.projection));
  if (suppressed && !record.archived) {
    json::object archived = finding;
    SetArchivedMember(archived, true);
    VIGIL_ASSIGN_OR_RETURN(record, MakeFindingRecord(archived, detector_id, aggregation_key));
  }
  VIGIL_ASSIGN_OR_RETURN(Store::UpsertOutcome outcome,
                         store_.UpsertFinding(record, MergeOccurrence));
  return RecordOutcome{outcome.stored.id, outcome.created, outcome.stored.archived};
}

StatusOr<FindingIdPage> FindingService::List(const std::vector<std::string>& detector_ids,
                                             std::shared_ptr<const FindingCriteria> criteria,
                                             const std::optional<SortCriteria>& sort, size_t offset,
                                             size_t limit) {
  FindingQuery query = PlanFindingQuery(std::move(criteria), sort, detector_ids);
  query.offset = offset;
  query.limit = limit;
  return store_.QueryFindings(query);
}

StatusOr<std::vector<json::object>> FindingService::Get(
    const std::vector<std::string>& detector_ids, const std::vector<std::string>& ids,
    const std::optional<SortCriteria>& sort) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<FindingRecord> records, store_.GetFindings(detector_ids, ids));
  if (sort) SortFindingRecords(records, *sort);
  std::vector<json::object> findings;
  findings.reserve(records.size());
  for (const FindingRecord& record : records) {
    VIGIL_ASSIGN_OR_RETURN(json::object finding, ParseFindingDocument(record));
    findings.push_back(std::move(finding));
  }
  return findings;
}

StatusOr<std::vector<std::pair<double, int64_t>>> FindingService::CountBySeverity(
    const std::vector<std::string>& detector_ids, std::shared_ptr<const FindingCriteria> criteria) {
  return store_.CountFindingsBySeverity(
      PlanFindingQuery(std::move(criteria), std::nullopt, detector_ids));
}

Status FindingService::ChangeFindings(const std::vector<std::string>& detector_ids,
                                      const std::vector<std::string>& ids,
                                      const std::function<void(json::object& service)>& change,
                                      const std::function<void(FindingRecord&)>& also) {
  Status failure;
  VIGIL_RETURN_IF_ERROR(store_.UpdateFindings(detector_ids, ids, [&](FindingRecord& record) {
    auto finding = ParseFindingDocument(record);
    if (!finding.ok()) {
      failure = finding.status();
      return;
    }
    json::value& service = (*finding)["service"];
    if (!service.is_object()) service = json::object();
    change(service.as_object());
    auto remade = MakeFindingRecord(*finding, record.detector_id, record.aggregation_key);
    if (!remade.ok()) {
      failure = remade.status();
      return;
    }
    remade->feedback_comments = record.feedback_comments;
    record = std::move(*remade);
    if (also) also(record);
  }));
  return failure;
}

Status FindingService::SetArchived(const std::vector<std::string>& detector_ids,
                                   const std::vector<std::string>& ids, bool archived) {
  return ChangeFindings(detector_ids, ids,
                        [archived](json::object& service) { service["archived"] = archived; });
}

Status FindingService::SetFeedback(const std::vector<std::string>& detector_ids,
                                   const std::vector<std::string>& ids, const std::string& feedback,
                                   const std::string& comments) {
  return ChangeFindings(
      detector_ids, ids, [&](json::object& service) { service["userFeedback"] = feedback; },
      [&](FindingRecord& record) { record.feedback_comments = comments; });
}

Status FindingService::CreateSamples(const std::string& account, const std::string& region,
                                     const std::string& detector_id,
                                     const std::vector<const FindingTypeInfo*>& types,
                                     int64_t now_millis) {
  for (const FindingTypeInfo* type : types) {
    const FindingOrigin origin{account, region, detector_id, NewResourceId(), now_millis};
    // Samples of one type aggregate: asking again updates the sample (count grows).
    VIGIL_RETURN_IF_ERROR(
        Record(detector_id, "sample/" + std::string(type->type), BuildSampleFinding(*type, origin))
            .status());
  }
  return Status::Ok();
}

StatusOr<int64_t> FindingService::PurgeExpired(int64_t now_millis) {
  return store_.PurgeFindingsUpdatedBefore(now_millis - kFindingRetentionMillis);
}

}  // namespace vigil
