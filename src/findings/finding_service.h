// FindingService: the findings half of GuardDuty over the Store — recording findings
// (aggregation and auto-archiving filters), queries, statistics, archive state,
// feedback, sample findings and the 90-day retention. Thread-safe (the Store is).
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "findings/criteria.h"
#include "findings/finding_query.h"
#include "findings/sample_findings.h"
#include "store/store.h"

namespace vigil {

// GuardDuty keeps findings for 90 days after their last update.
inline constexpr int64_t kFindingRetentionMillis = 90LL * 24 * 60 * 60 * 1000;

class FindingService {
 public:
  // Borrows `store`, which must outlive the service.
  explicit FindingService(Store& store) : store_(store) {}

  // One occurrence of an issue: a complete Finding object and the key that makes
  // repeats of the issue update one finding.
  struct Occurrence {
    std::string aggregation_key;
    boost::json::object finding;
  };
  struct RecordOutcome {
    std::string finding_id;
    bool created = false;
    bool archived = false;
  };
  // Records occurrences for `detector_id` in one transaction: a new aggregation key
  // creates a finding, a known one updates it (MergeOccurrence). ARCHIVE filters of the
  // detector, in rank order, archive a finding when one matches. Outcomes are in order.
  // `batch`, when given, is recorded in the same transaction (Store::UpsertFindings).
  StatusOr<std::vector<RecordOutcome>> Record(const std::string& detector_id,
                                              const std::vector<Occurrence>& occurrences,
                                              const IngestedBatch* batch = nullptr);

  // One page of finding ids (offset-based) matching `criteria`.
  StatusOr<FindingIdPage> List(const std::vector<std::string>& detector_ids,
                               std::shared_ptr<const FindingCriteria> criteria,
                               const std::optional<SortCriteria>& sort, size_t offset,
                               size_t limit);
  // The named findings as Finding objects, sorted when `sort` is given.
  StatusOr<std::vector<boost::json::object>> Get(const std::vector<std::string>& detector_ids,
                                                 const std::vector<std::string>& ids,
                                                 const std::optional<SortCriteria>& sort);
  // Count of matching findings per severity value.
  StatusOr<std::vector<std::pair<double, int64_t>>> CountBySeverity(
      const std::vector<std::string>& detector_ids,
      std::shared_ptr<const FindingCriteria> criteria);

  // Sets service.archived on the named findings.
  Status SetArchived(const std::vector<std::string>& detector_ids,
                     const std::vector<std::string>& ids, bool archived);
  // Sets service.userFeedback (USEFUL / NOT_USEFUL) and stores the comments.
  Status SetFeedback(const std::vector<std::string>& detector_ids,
                     const std::vector<std::string>& ids, const std::string& feedback,
                     const std::string& comments);

  // Creates (or, repeated, updates) one sample finding per type.
  Status CreateSamples(const std::string& account, const std::string& region,
                       const std::string& detector_id,
                       const std::vector<const FindingTypeInfo*>& types, int64_t now_millis);

  // Deletes findings not updated within the retention period; returns how many.
  StatusOr<int64_t> PurgeExpired(int64_t now_millis);

 private:
  // Applies `change` to each finding's document and re-derives its record.
  Status ChangeFindings(const std::vector<std::string>& detector_ids,
                        const std::vector<std::string>& ids,
                        const std::function<void(boost::json::object& service)>& change,
                        const std::function<void(FindingRecord&)>& also = nullptr);

  Store& store_;
};

}  // namespace vigil
