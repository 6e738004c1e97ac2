#include "findings/finding_service.h"

#include <algorithm>
#include <boost/json/parse.hpp>

#include "core/ids.h"
#include "findings/aggregation.h"
#include "findings/finding_record.h"

namespace vigil {

namespace json = boost::json;

namespace {

// The detector's ARCHIVE filters, parsed, in rank order.
StatusOr<std::vector<FindingCriteria>> SuppressionRules(Store& store,
                                                        const std::string& detector_id) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<FilterRecord> filters, store.ListFilters(detector_id));
  std::vector<FindingCriteria> rules;
  for (const FilterRecord& filter : filters) {
    if (filter.action != "ARCHIVE") continue;
    boost::system::error_code ec;
    json::value criteria = json::parse(filter.finding_criteria_json, ec);
    if (ec || !criteria.is_object()) continue;
    auto parsed = FindingCriteria::Parse(criteria.as_object(), "findingCriteria");
    // A filter saved by an older version may name an attribute this one rejects; it
    // then archives nothing rather than blocking every finding.
    if (parsed.ok()) rules.push_back(std::move(*parsed));
  }
  return rules;
}

void SetArchivedMember(json::object& finding, bool archived) {
  json::value& service = finding["service"];
  if (!service.is_object()) service = json::object();
  service.as_object()["archived"] = archived;
}

}  // namespace

StatusOr<std::vector<FindingService::RecordOutcome>> FindingService::Record(
    const std::string& detector_id, const std::vector<Occurrence>& occurrences,
    const IngestedBatch* batch) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<FindingCriteria> rules, SuppressionRules(store_, detector_id));
  std::vector<FindingRecord> records;
  records.reserve(occurrences.size());
  for (const Occurrence& occurrence : occurrences) {
    VIGIL_ASSIGN_OR_RETURN(FindingRecord record, MakeFindingRecord(occurrence.finding, detector_id,
                                                                   occurrence.aggregation_key));
    const FindingProjection projection(record.projection);
    const bool suppressed = std::any_of(rules.begin(), rules.end(),
                                        [&](const auto& rule) { return rule.Matches(projection); });
    if (suppressed && !record.archived) {
      json::object archived = occurrence.finding;
      SetArchivedMember(archived, true);
      VIGIL_ASSIGN_OR_RETURN(record,
                             MakeFindingRecord(archived, detector_id, occurrence.aggregation_key));
    }
    // Auto-archived findings are not published (as GuardDuty); the rest are, once.
    record.suppressed = suppressed;
    record.publish_pending = !suppressed;
    records.push_back(std::move(record));
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<Store::UpsertOutcome> stored,
                         store_.UpsertFindings(records, MergeOccurrence, batch));
  std::vector<RecordOutcome> outcomes;
  outcomes.reserve(stored.size());
  for (const Store::UpsertOutcome& outcome : stored) {
    outcomes.push_back({outcome.stored.id, outcome.created, outcome.stored.archived});
  }
  return outcomes;
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
    // Archive state and feedback are not changes to publish.
    remade->feedback_comments = record.feedback_comments;
    remade->suppressed = record.suppressed;
    remade->publish_pending = record.publish_pending;
    remade->published_at = record.published_at;
    record = std::move(*remade);
    if (also) also(record);
  }));
  return failure;
}

Status FindingService::SetArchived(const std::vector<std::string>& detector_ids,
                                   const std::vector<std::string>& ids, bool archived) {
  return ChangeFindings(
      detector_ids, ids, [archived](json::object& service) { service["archived"] = archived; },
      [archived](FindingRecord& record) {
        // Unarchived by hand: no longer suppressed, so its later changes are published.
        if (!archived) record.suppressed = false;
      });
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
  std::vector<Occurrence> samples;
  for (const FindingTypeInfo* type : types) {
    const FindingOrigin origin{account, region, detector_id, NewResourceId(), now_millis};
    // Samples of one type aggregate: asking again updates the sample (count grows).
    samples.push_back({"sample/" + std::string(type->type), BuildSampleFinding(*type, origin)});
  }
  return Record(detector_id, samples).status();
}

StatusOr<int64_t> FindingService::PurgeExpired(int64_t now_millis) {
  return store_.PurgeFindingsUpdatedBefore(now_millis - kFindingRetentionMillis);
}

}  // namespace vigil
