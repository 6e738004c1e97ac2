// Plain value types for findings in the Store: the stored row and the queries over it.
// The findings layer derives the indexed columns and the projection from a finding's
// JSON; the store keeps, indexes and filters them without knowing GuardDuty's shapes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

struct FindingRecord {
  std::string detector_id;
  std::string id;
  std::string aggregation_key;  // repeats of one issue share it (and so one finding)

  // Indexed columns, derived from `document`; empty strings are stored as NULL.
  std::string account_id;
  std::string region;
  std::string type;
  double severity = 0;
  std::string resource_type;
  std::string instance_id;
  std::string access_key_id;
  std::string action_type;
  std::string remote_ip;  // of the NETWORK_CONNECTION or AWS_API_CALL action
  std::string threat_list_name;
  bool archived = false;
  int64_t created_at = 0;  // epoch milliseconds
  int64_t updated_at = 0;
  std::string feedback_comments;  // from UpdateFindingsFeedback; not part of the Finding shape

  // Publishing (not part of the Finding shape).
  bool suppressed = false;       // archived by an ARCHIVE filter: never published
  bool publish_pending = false;  // changed since it was last published
  int64_t published_at = 0;      // epoch ms of the last publication; 0: never

  std::string document;    // the Finding JSON as the API returns it
  std::string projection;  // FindingProjection encoding, for criteria evaluation
};

// A finding as it was published: publishing it again waits for a later change.
struct PublishedFinding {
  std::string detector_id;
  std::string id;
  int64_t updated_at = 0;  // the version that was published
};

// Something published, waiting for its sink to take it (an event, an export line).
struct OutboxEntry {
  int64_t seq = 0;  // assigned by the store, increasing
  std::string sink;
  std::string payload;
};

// Columns a FindingQuery can filter or sort on.
enum class FindingColumn {
  kId,
  kAccountId,
  kRegion,
  kType,
  kSeverity,
  kResourceType,
  kInstanceId,
  kAccessKeyId,
  kActionType,
  kRemoteIp,
  kThreatListName,
  kArchived,
  kCreatedAt,
  kUpdatedAt,
};

// A condition the store evaluates in SQL. Text columns take kIn / kNotIn with `texts`
// (kNotIn also matches a NULL column); numeric columns take the comparisons with `number`.
struct ColumnPredicate {
  enum class Op { kIn, kNotIn, kGreaterThan, kGreaterOrEqual, kLessThan, kLessOrEqual };
  FindingColumn column = FindingColumn::kId;
  Op op = Op::kIn;
  std::vector<std::string> texts;
  double number = 0;
};

// How to order results: by a column, or by a value computed from the projection.
struct FindingSort {
  std::optional<FindingColumn> column;  // when unset, `projection_key` is used
  std::function<std::optional<std::string>(std::string_view projection)> projection_key;
  bool numeric = false;  // compare projection keys as numbers
  bool descending = true;
};

struct FindingQuery {
  std::vector<std::string> detector_ids;  // findings of any of these detectors
  std::vector<ColumnPredicate> predicates;
  // Conditions the store cannot express in SQL; empty when there are none.
  std::function<bool(std::string_view projection)> residual;
  FindingSort sort;  // default: updatedAt, newest first
  size_t offset = 0;
  size_t limit = 50;
};

struct FindingIdPage {
  std::vector<std::string> ids;
  bool has_more = false;
};

}  // namespace vigil
