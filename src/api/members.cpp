// Members, the administrator's side of multi-account GuardDuty: CreateMembers,
// InviteMembers, GetMembers, ListMembers, DeleteMembers, DisassociateMembers,
// StartMonitoringMembers, StopMonitoringMembers, GetMemberDetectors, UpdateMemberDetectors.
// Member records belong to the caller's account and region; {detectorId} must be the
// caller's detector. The rules (statuses, one administrator, never both roles) live in
// the store, which applies them atomically (store/member_store.h).
#include "api/data_sources.h"
#include "api/member_support.h"
#include "api/routes.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

StatusOr<http::Response> CreateMembers(Services& services, const http::Request& request) {
  VIGIL_RETURN_IF_ERROR(CallerDetector(services, request).status());
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  const RequestContext& context = request.context;
  std::vector<UnprocessedAccount> refused;
  VIGIL_ASSIGN_OR_RETURN(std::vector<AccountDetail> accounts,
                         ReadAccountDetails(body, context.account, refused));
  std::vector<UnprocessedAccount> unprocessed;
  if (!accounts.empty()) {
    VIGIL_ASSIGN_OR_RETURN(unprocessed, services.store->CreateMembers(
                                            context.account, context.region, accounts,
                                            OrganizationOf(services), context.clock->NowMillis()));
  }
  return JsonResponse(UnprocessedResponse(refused, unprocessed));
}

// The shape of InviteMembers, DeleteMembers, DisassociateMembers and Start/Stop
// MonitoringMembers: the caller's detector, accountIds in, unprocessedAccounts out.
template <typename Operation>
StatusOr<http::Response> MemberBatchOperation(Services& services, const http::Request& request,
                                              Operation operation) {
  VIGIL_RETURN_IF_ERROR(CallerDetector(services, request).status());
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  VIGIL_ASSIGN_OR_RETURN(AccountIdBatch batch, ReadAccountIds(body, request.context.account, true));
  std::vector<UnprocessedAccount> unprocessed;
  if (!batch.accepted.empty()) {
    VIGIL_ASSIGN_OR_RETURN(unprocessed, operation(body, batch.accepted));
  }
  return JsonResponse(UnprocessedResponse(batch.unprocessed, unprocessed));
}

StatusOr<http::Response> InviteMembers(Services& services, const http::Request& request) {
  const RequestContext& context = request.context;
  return MemberBatchOperation(
      services, request,
      [&](const json::object& body,
          const std::vector<std::string>& ids) -> StatusOr<std::vector<UnprocessedAccount>> {
        // The message and the e-mail switch are checked but not kept: Vigil sends no mail.
        JsonReader in(body);
        in.String("message", Presence::kOptional, 0, 10000);
        in.Bool("disableEmailNotification", Presence::kOptional);
        VIGIL_RETURN_IF_ERROR(in.status());
        return services.store->InviteMembers(context.account, context.region, ids,
                                             context.clock->NowMillis());
      });
}

StatusOr<http::Response> DeleteMembers(Services& services, const http::Request& request) {
  const RequestContext& context = request.context;
  return MemberBatchOperation(
      services, request, [&](const json::object&, const std::vector<std::string>& ids) {
        return services.store->DeleteMembers(context.account, context.region, ids);
      });
}

StatusOr<http::Response> DisassociateMembers(Services& services, const http::Request& request) {
  const RequestContext& context = request.context;
  return MemberBatchOperation(
      services, request, [&](const json::object&, const std::vector<std::string>& ids) {
        return services.store->DisassociateMembers(context.account, context.region, ids,
                                                   context.clock->NowMillis());
      });
}

StatusOr<http::Response> SetMonitoring(Services& services, const http::Request& request,
                                       bool monitor) {
  const RequestContext& context = request.context;
  return MemberBatchOperation(
      services, request, [&](const json::object&, const std::vector<std::string>& ids) {
        return services.store->SetMembersMonitoring(context.account, context.region, ids, monitor,
                                                    context.clock->NowMillis());
      });
}

StatusOr<http::Response> StartMonitoringMembers(Services& services, const http::Request& request) {
  return SetMonitoring(services, request, true);
}

StatusOr<http::Response> StopMonitoringMembers(Services& services, const http::Request& request) {
  return SetMonitoring(services, request, false);
}

StatusOr<http::Response> GetMembers(Services& services, const http::Request& request) {
  VIGIL_RETURN_IF_ERROR(CallerDetector(services, request).status());
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  const RequestContext& context = request.context;
  VIGIL_ASSIGN_OR_RETURN(AccountIdBatch batch, ReadAccountIds(body, context.account, true));
  MemberBatch found;
  if (!batch.accepted.empty()) {
    VIGIL_ASSIGN_OR_RETURN(
        found, services.store->GetMembers(context.account, context.region, batch.accepted));
  }
  json::array members;
  for (const MemberRecord& member : found.members) members.push_back(MemberJson(member));
  json::object response = UnprocessedResponse(batch.unprocessed, found.unprocessed);
  response["members"] = std::move(members);
  return JsonResponse(response);
}

StatusOr<http::Response> ListMembers(Services& services, const http::Request& request) {
  VIGIL_RETURN_IF_ERROR(CallerDetector(services, request).status());
  VIGIL_ASSIGN_OR_RETURN(PageRequest page_request, QueryPageRequest(request));
  // A string in the model, "true" unless it says "false": GuardDuty lists associated
  // members only by default.
  bool only_associated = true;
  if (std::optional<std::string> value = request.QueryValue("onlyAssociated")) {
    if (*value != "true" && *value != "false") {
      return InvalidParameter("onlyAssociated", "expected \"true\" or \"false\".");
    }
    only_associated = *value == "true";
  }
  const RequestContext& context = request.context;
  VIGIL_ASSIGN_OR_RETURN(
      MemberPage page, services.store->ListMembers(context.account, context.region, only_associated,
                                                   page_request.after, page_request.limit));
  json::array members;
  for (const MemberRecord& member : page.members) members.push_back(MemberJson(member));
  json::object body{{"members", std::move(members)}};
  if (page.has_more) body["nextToken"] = EncodePageToken(page.members.back().account_id);
  return JsonResponse(body);
}

// The associated members among `ids` with their detectors; the others go to
// `unprocessed` with the reason.
StatusOr<std::vector<DetectorRecord>> MemberDetectors(
    Services& services, const RequestContext& context, const std::vector<std::string>& ids,
    std::vector<UnprocessedAccount>& unprocessed) {
  std::vector<DetectorRecord> detectors;
  if (ids.empty()) return detectors;
  VIGIL_ASSIGN_OR_RETURN(MemberBatch found,
                         services.store->GetMembers(context.account, context.region, ids));
  unprocessed.insert(unprocessed.end(), found.unprocessed.begin(), found.unprocessed.end());
  for (const MemberRecord& member : found.members) {
    const std::string& status = member.relationship_status;
    if (status != relationship::kEnabled && status != relationship::kDisabled) {
      unprocessed.push_back({member.account_id,
                             "The account is not associated with the current administrator "
                             "account (status " +
                                 status + ")."});
      continue;
    }
    if (member.detector_id.empty()) {
      unprocessed.push_back(
          {member.account_id, "The account has no detector in " + context.region + "."});
      continue;
    }
    VIGIL_ASSIGN_OR_RETURN(
        DetectorRecord detector,
        services.store->GetDetector(member.account_id, context.region, member.detector_id));
    detectors.push_back(std::move(detector));
  }
  return detectors;
}

StatusOr<http::Response> GetMemberDetectors(Services& services, const http::Request& request) {
  VIGIL_RETURN_IF_ERROR(CallerDetector(services, request).status());
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  const RequestContext& context = request.context;
  VIGIL_ASSIGN_OR_RETURN(AccountIdBatch batch, ReadAccountIds(body, context.account, true));
  VIGIL_ASSIGN_OR_RETURN(std::vector<DetectorRecord> detectors,
                         MemberDetectors(services, context, batch.accepted, batch.unprocessed));
  json::array members;
  for (const DetectorRecord& detector : detectors) {
    members.push_back(json::object{{"accountId", detector.account},
                                   {"dataSources", DataSourcesResult(detector)}});
  }
  return JsonResponse(
      {{"members", std::move(members)}, {"unprocessedAccounts", ToJsonArray(batch.unprocessed)}});
}

StatusOr<http::Response> UpdateMemberDetectors(Services& services, const http::Request& request) {
  VIGIL_RETURN_IF_ERROR(CallerDetector(services, request).status());
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  const RequestContext& context = request.context;
  VIGIL_ASSIGN_OR_RETURN(AccountIdBatch batch, ReadAccountIds(body, context.account, true));
  {
    DataSourceSettings checked;  // validates the whole request before changing anything
    JsonReader in(body);
    ReadDataSources(in, checked);
    VIGIL_RETURN_IF_ERROR(in.status());
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<DetectorRecord> detectors,
                         MemberDetectors(services, context, batch.accepted, batch.unprocessed));
  for (DetectorRecord& detector : detectors) {
    JsonReader in(body);
    ReadDataSources(in, detector.data_sources);
    detector.updated_at = std::max(detector.updated_at, context.clock->NowMillis());
    VIGIL_RETURN_IF_ERROR(services.store->UpdateDetector(detector));
  }
  return JsonResponse({{"unprocessedAccounts", ToJsonArray(batch.unprocessed)}});
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/detector/{detectorId}/member", "CreateMembers", CreateMembers},
    {"GET", "/detector/{detectorId}/member", "ListMembers", ListMembers},
    {"POST", "/detector/{detectorId}/member/invite", "InviteMembers", InviteMembers},
    {"POST", "/detector/{detectorId}/member/get", "GetMembers", GetMembers},
    {"POST", "/detector/{detectorId}/member/delete", "DeleteMembers", DeleteMembers},
    {"POST", "/detector/{detectorId}/member/disassociate", "DisassociateMembers",
     DisassociateMembers},
    {"POST", "/detector/{detectorId}/member/start", "StartMonitoringMembers",
     StartMonitoringMembers},
    {"POST", "/detector/{detectorId}/member/stop", "StopMonitoringMembers", StopMonitoringMembers},
    {"POST", "/detector/{detectorId}/member/detector/get", "GetMemberDetectors",
     GetMemberDetectors},
    {"POST", "/detector/{detectorId}/member/detector/update", "UpdateMemberDetectors",
     UpdateMemberDetectors},
};

}  // namespace

std::span<const RouteSpec> MemberRoutes() { return kRoutes; }

}  // namespace vigil::api
