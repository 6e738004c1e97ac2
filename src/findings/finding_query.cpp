#include "findings/finding_query.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/json_input.h"

namespace vigil {

namespace {

// Attributes with a column of their own. Remote IPs are only exact together with the
// action type, so they stay in the projection.
constexpr std::array<std::pair<std::string_view, FindingColumn>, 11> kIndexedAttributes = {{
    {"id", FindingColumn::kId},
    {"accountId", FindingColumn::kAccountId},
    {"region", FindingColumn::kRegion},
    {"type", FindingColumn::kType},
    {"severity", FindingColumn::kSeverity},
    {"resource.resourceType", FindingColumn::kResourceType},
    {"resource.instanceDetails.instanceId", FindingColumn::kInstanceId},
    {"resource.accessKeyDetails.accessKeyId", FindingColumn::kAccessKeyId},
    {"service.action.actionType", FindingColumn::kActionType},
    {"service.archived", FindingColumn::kArchived},
    {"updatedAt", FindingColumn::kUpdatedAt},
}};

constexpr std::array<std::string_view, 18> kSortableAttributes = {
    "accountId",
    "severity",
    "confidence",
    "type",
    "service.eventFirstSeen",
    "service.eventLastSeen",
    "createdAt",
    "updatedAt",
    "service.action.networkConnectionAction.remoteIpDetails.ipAddressV4",
    "service.action.networkConnectionAction.localPortDetails.port",
    "service.action.networkConnectionAction.remotePortDetails.port",
    "service.action.networkConnectionAction.remoteIpDetails.country.countryName",
    "service.action.networkConnectionAction.protocol",
    "service.action.networkConnectionAction.blocked",
    "resource.instanceDetails.instanceId",
    "service.action.awsApiCallAction.api",
    "service.action.awsApiCallAction.serviceName",
    "service.count",
};

std::optional<FindingColumn> ColumnOf(std::string_view path) {
  for (const auto& [attribute, column] : kIndexedAttributes) {
    if (attribute == path) return column;
  }
  return std::nullopt;
}

// The SQL predicates that express `condition` exactly, or nullopt when some part of it
// must be evaluated over the projection. Severity equality ("7" matches [7, 8)) stays
// in C++; its comparisons go to SQL.
std::optional<std::vector<ColumnPredicate>> PushDown(const Condition& condition) {
  const std::optional<FindingColumn> column = ColumnOf(condition.attribute->path);
  if (!column) return std::nullopt;
  const bool numeric = *column == FindingColumn::kSeverity || *column == FindingColumn::kUpdatedAt;
  if (numeric && (!condition.equals.empty() || !condition.not_equals.empty())) {
    return std::nullopt;
  }
  std::vector<ColumnPredicate> predicates;
  using Op = ColumnPredicate::Op;
  if (!condition.equals.empty()) predicates.push_back({*column, Op::kIn, condition.equals, 0});
  if (!condition.not_equals.empty()) {
    predicates.push_back({*column, Op::kNotIn, condition.not_equals, 0});
  }
  const auto compare = [&](const std::optional<int64_t>& bound, Op op) {
    if (bound) predicates.push_back({*column, op, {}, static_cast<double>(*bound)});
  };
  if (numeric) {
    compare(condition.greater_than, Op::kGreaterThan);
    compare(condition.greater_than_or_equal, Op::kGreaterOrEqual);
    compare(condition.less_than, Op::kLessThan);
    compare(condition.less_than_or_equal, Op::kLessOrEqual);
  } else if (condition.greater_than || condition.greater_than_or_equal || condition.less_than ||
             condition.less_than_or_equal) {
    return std::nullopt;
  }
  return predicates;
}

}  // namespace

StatusOr<SortCriteria> ParseSortCriteria(const boost::json::object& sort,
                                         std::string_view parameter) {
  JsonReader in(sort, std::string(parameter));
  static constexpr std::array<std::string_view, 2> kOrders = {"ASC", "DESC"};
  const std::optional<std::string> name =
      in.String("attributeName", Presence::kOptional, 1, SIZE_MAX);
  const std::optional<std::string> order = in.Enum("orderBy", Presence::kOptional, kOrders);
  VIGIL_RETURN_IF_ERROR(in.status());
  SortCriteria criteria;
  criteria.descending = order.value_or("ASC") == "DESC";
  const std::string attribute = name.value_or("updatedAt");
  const bool sortable = std::find(kSortableAttributes.begin(), kSortableAttributes.end(),
                                  attribute) != kSortableAttributes.end();
  criteria.attribute = sortable ? FindCriterionAttribute(attribute) : nullptr;
  if (criteria.attribute == nullptr) {
    return InvalidParameter(in.PathOf("attributeName"),
                            "'" + attribute + "' is not a sortable attribute.");
  }
  return criteria;
}

FindingQuery PlanFindingQuery(std::shared_ptr<const FindingCriteria> criteria,
                              const std::optional<SortCriteria>& sort,
                              std::vector<std::string> detector_ids) {
  FindingQuery query;
  query.detector_ids = std::move(detector_ids);
  std::vector<const Condition*> residual;
  for (const Condition& condition : criteria->conditions()) {
    if (auto predicates = PushDown(condition)) {
      query.predicates.insert(query.predicates.end(), predicates->begin(), predicates->end());
    } else {
      residual.push_back(&condition);
    }
  }
  if (!residual.empty()) {
    // The conditions point into *criteria, which the predicate owns a share of.
    query.residual = [criteria, residual](std::string_view encoded) {
      const FindingProjection projection(encoded);
      return std::all_of(residual.begin(), residual.end(), [&](const Condition* condition) {
        return ConditionMatches(*condition, projection);
      });
    };
  }
  query.sort.column = FindingColumn::kUpdatedAt;
  if (sort) {
    query.sort.descending = sort->descending;
    const std::optional<FindingColumn> column = ColumnOf(sort->attribute->path);
    if (column) {
      query.sort.column = column;
    } else {
      query.sort.column.reset();
      const uint16_t id = sort->attribute->id;
      query.sort.numeric = sort->attribute->kind == AttributeKind::kNumber ||
                           sort->attribute->kind == AttributeKind::kTimestamp;
      query.sort.projection_key = [id](std::string_view encoded) -> std::optional<std::string> {
        auto value = FindingProjection(encoded).FirstValue(id);
        return value ? std::optional<std::string>(*value) : std::nullopt;
      };
    }
  }
  return query;
}

void SortFindingRecords(std::vector<FindingRecord>& records, const SortCriteria& sort) {
  const uint16_t id = sort.attribute->id;
  const bool numeric = sort.attribute->kind == AttributeKind::kNumber ||
                       sort.attribute->kind == AttributeKind::kTimestamp;
  const auto key = [&](const FindingRecord& record) -> std::pair<double, std::string> {
    auto value = FindingProjection(record.projection).FirstValue(id);
    if (!value) return {numeric ? -1e300 : 0, ""};
    if (!numeric) return {0, std::string(*value)};
    double number = 0;
    std::from_chars(value->data(), value->data() + value->size(), number);
    return {number, ""};
  };
  std::stable_sort(records.begin(), records.end(), [&](const auto& left, const auto& right) {
    return sort.descending ? key(right) < key(left) : key(left) < key(right);
  });
}

}  // namespace vigil
