// Usage and billing: GetUsageStatistics and GetRemainingFreeTrialDays.
//
// GuardDuty reports what the last 30 days of analysis cost, in USD. Vigil has no prices:
// it reports what it really counted in the last 30 days (today included) from its ingest
// counters (UsageTally): bytes of log text analyzed (unit BYTES) or records parsed (unit
// RECORDS). Bytes are counted per data source, records also per resource, so sums by
// account and data source default to BYTES and resource results are in RECORDS.
// An administrator's figures include its Enabled members'. Vigil has no free trial
// either: GetRemainingFreeTrialDays lists the caller's account with no data source on a
// trial, and its Enabled members likewise.
#include <algorithm>
#include <array>
#include <map>

#include "api/routes.h"
#include "core/ids.h"
#include "core/time.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

constexpr int64_t kUsageDays = 30;

constexpr std::array<std::string_view, 4> kStatisticTypes = {"SUM_BY_ACCOUNT", "SUM_BY_DATA_SOURCE",
                                                             "SUM_BY_RESOURCE", "TOP_RESOURCES"};
constexpr std::array<std::string_view, 6> kDataSources = {
    "FLOW_LOGS", "CLOUD_TRAIL", "DNS_LOGS", "S3_LOGS", "KUBERNETES_AUDIT_LOGS", "EC2_MALWARE_SCAN"};
constexpr std::string_view kBytes = "BYTES";
constexpr std::string_view kRecords = "RECORDS";

// Reads an AccountIds list (1-50 ids of 12 digits) into `in`'s status.
std::optional<std::vector<std::string>> ReadAccountIds(JsonReader& in, std::string_view name,
                                                       Presence presence) {
  std::optional<std::vector<std::string>> ids = in.StringList(name, presence, 1, 50, 12, 12);
  if (!ids) return std::nullopt;
  for (const std::string& id : *ids) {
    if (!IsAccountId(id)) {
      in.Fail(InvalidParameter(in.PathOf(name), "each account id must be 12 digits."));
      return std::nullopt;
    }
  }
  return ids;
}

struct UsageRequest {
  std::string type;
  std::vector<std::string> account_ids;  // empty: every account in reach
  std::vector<std::string> data_sources;
  std::vector<std::string> resources;  // empty: every resource
  std::string_view unit;
  size_t offset = 0;
  size_t limit = 50;
};

StatusOr<UsageRequest> ReadUsageRequest(const json::object& body) {
  JsonReader in(body);
  UsageRequest request;
  request.type = in.Enum("usageStatisticsType", Presence::kRequired, kStatisticTypes).value_or("");
  if (const json::object* criteria = in.Object("usageCriteria", Presence::kRequired)) {
    JsonReader criteria_in(*criteria, "usageCriteria");
    request.account_ids = ReadAccountIds(criteria_in, "accountIds", Presence::kOptional)
                              .value_or(request.account_ids);
    request.data_sources =
        criteria_in.StringList("dataSources", Presence::kRequired, 1, kDataSources.size(), 1, 64)
            .value_or(request.data_sources);
    for (const std::string& source : request.data_sources) {
      if (std::find(kDataSources.begin(), kDataSources.end(), source) == kDataSources.end()) {
        criteria_in.Fail(
            InvalidParameter("usageCriteria.dataSources",
                             "'" + source +
                                 "' is not one of FLOW_LOGS, CLOUD_TRAIL, DNS_LOGS, S3_LOGS, "
                                 "KUBERNETES_AUDIT_LOGS, EC2_MALWARE_SCAN."));
        break;
      }
    }
    request.resources = criteria_in.StringList("resources", Presence::kOptional, 0, 50, 1, 2048)
                            .value_or(request.resources);
    in.Fail(criteria_in.status());
  }
  const std::optional<std::string> unit = in.String("unit", Presence::kOptional, 0, 64);
  request.limit =
      static_cast<size_t>(in.Integer("maxResults", Presence::kOptional, 1, 50).value_or(50));
  const std::string token = in.String("nextToken", Presence::kOptional, 0, 4096).value_or("");
  VIGIL_RETURN_IF_ERROR(in.status());

  const bool by_resource = request.type == "SUM_BY_RESOURCE" || request.type == "TOP_RESOURCES";
  if (!unit || unit->empty()) {
    request.unit = by_resource ? kRecords : kBytes;
  } else if (*unit == kRecords) {
    request.unit = kRecords;
  } else if (*unit == kBytes && !by_resource) {
    request.unit = kBytes;
  } else if (*unit == kBytes) {
    return InvalidParameter("unit", "Vigil counts bytes per data source, not per resource; " +
                                        request.type + " is counted in RECORDS.");
  } else {
    return InvalidParameter("unit", "Vigil has no prices and reports what it ingested: use " +
                                        std::string(kBytes) + " or " + std::string(kRecords) +
                                        ", not '" + *unit + "'.");
  }
  std::optional<size_t> offset = token.empty() ? 0 : DecodeOffsetToken(token);
  if (!offset) return InvalidParameter("nextToken", "the token is not one this service issued.");
  request.offset = *offset;
  return request;
}

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

json::object UsageTotal(int64_t amount, std::string_view unit) {
  return json::object{{"amount", std::to_string(amount)}, {"unit", unit}};
}

// One page of a resource list, with the next page's token when more follow.
json::array ResourcePage(const std::vector<std::pair<std::string, int64_t>>& totals,
                         const UsageRequest& request, json::object& response) {
  json::array page;
  for (size_t i = request.offset; i < totals.size() && page.size() < request.limit; ++i) {
    page.push_back(json::object{{"resource", totals[i].first},
                                {"total", UsageTotal(totals[i].second, request.unit)}});
  }
  if (request.offset + request.limit < totals.size()) {
    response["nextToken"] = EncodeOffsetToken(request.offset + request.limit);
  }
  return page;
}

StatusOr<http::Response> GetUsageStatistics(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  VIGIL_ASSIGN_OR_RETURN(UsageRequest usage, ReadUsageRequest(body));

  // The accounts in reach: the caller's own and, for an administrator, its Enabled
  // members'.
  VIGIL_ASSIGN_OR_RETURN(std::vector<MemberDetector> in_reach,
                         MonitoredDetectors(services, detector));
  std::map<std::string, std::string> account_of_detector;
  std::vector<std::string> detector_ids;
  for (const MemberDetector& monitored : in_reach) {
    account_of_detector[monitored.detector_id] = monitored.account_id;
    if (usage.account_ids.empty() || Contains(usage.account_ids, monitored.account_id)) {
      detector_ids.push_back(monitored.detector_id);
    }
  }
  const int64_t today = UsageDay(request.context.clock->NowMillis());
  VIGIL_ASSIGN_OR_RETURN(std::vector<UsageRow> rows,
                         services.store->ReadUsage(detector_ids, today - (kUsageDays - 1)));
  auto amount_of = [&](const UsageRow& row) {
    return usage.unit == kBytes ? row.bytes : row.records;
  };

  json::object statistics;
  json::object response;
  if (usage.type == "SUM_BY_ACCOUNT") {
    std::map<std::string, int64_t> by_account;
    for (const std::string& detector_id : detector_ids) {
      by_account[account_of_detector[detector_id]] += 0;
    }
    for (const UsageRow& row : rows) {
      if (row.resource.empty() && Contains(usage.data_sources, row.data_source)) {
        by_account[account_of_detector[row.detector_id]] += amount_of(row);
      }
    }
    json::array results;
    for (const auto& [account, amount] : by_account) {
      results.push_back(
          json::object{{"accountId", account}, {"total", UsageTotal(amount, usage.unit)}});
    }
    statistics["sumByAccount"] = std::move(results);
  } else if (usage.type == "SUM_BY_DATA_SOURCE") {
    json::array results;
    std::vector<std::string> listed;
    for (const std::string& source : usage.data_sources) {
      if (Contains(listed, source)) continue;
      listed.push_back(source);
      int64_t amount = 0;
      for (const UsageRow& row : rows) {
        if (row.resource.empty() && row.data_source == source) amount += amount_of(row);
      }
      results.push_back(
          json::object{{"dataSource", source}, {"total", UsageTotal(amount, usage.unit)}});
    }
    statistics["sumByDataSource"] = std::move(results);
  } else {
    std::map<std::string, int64_t> by_resource;
    for (const UsageRow& row : rows) {
      if (row.resource.empty() || !Contains(usage.data_sources, row.data_source)) continue;
      if (!usage.resources.empty() && !Contains(usage.resources, row.resource)) continue;
      by_resource[row.resource] += row.records;
    }
    std::vector<std::pair<std::string, int64_t>> totals(by_resource.begin(), by_resource.end());
    if (usage.type == "TOP_RESOURCES") {
      std::stable_sort(totals.begin(), totals.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      statistics["topResources"] = ResourcePage(totals, usage, response);
    } else {
      statistics["sumByResource"] = ResourcePage(totals, usage, response);
    }
  }
  response["usageStatistics"] = std::move(statistics);
  return JsonResponse(response);
}

StatusOr<http::Response> GetRemainingFreeTrialDays(Services& services,
                                                   const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(DetectorRecord detector, CallerDetector(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  std::vector<std::string> account_ids =
      ReadAccountIds(in, "accountIds", Presence::kOptional).value_or(std::vector<std::string>{});
  VIGIL_RETURN_IF_ERROR(in.status());
  if (account_ids.empty()) account_ids.push_back(detector.account);

  // Its own account and its Enabled members'.
  VIGIL_ASSIGN_OR_RETURN(std::vector<MemberDetector> monitored,
                         MonitoredDetectors(services, detector));
  std::vector<std::string> in_reach;
  for (const MemberDetector& each : monitored) in_reach.push_back(each.account_id);

  json::array accounts;
  json::array unprocessed;
  std::vector<std::string> seen;
  for (const std::string& account : account_ids) {
    if (Contains(seen, account)) continue;
    seen.push_back(account);
    if (Contains(in_reach, account)) {
      // No data source is on a free trial: a self-hosted Vigil has none.
      accounts.push_back(json::object{{"accountId", account}, {"dataSources", json::object{}}});
    } else {
      unprocessed.push_back(
          json::object{{"accountId", account},
                       {"result",
                        "The account is not the current account; Vigil has no free trial to "
                        "report for it."}});
    }
  }
  return JsonResponse({{"accounts", std::move(accounts)}, {"unprocessedAccounts", unprocessed}});
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/detector/{detectorId}/usage/statistics", "GetUsageStatistics", GetUsageStatistics},
    {"POST", "/detector/{detectorId}/freeTrial/daysRemaining", "GetRemainingFreeTrialDays",
     GetRemainingFreeTrialDays},
};

}  // namespace

std::span<const RouteSpec> UsageRoutes() { return kRoutes; }

}  // namespace vigil::api
