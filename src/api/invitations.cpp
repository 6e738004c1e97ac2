// Invitations, the member's side of multi-account GuardDuty: ListInvitations,
// GetInvitationsCount, AcceptAdministratorInvitation (and the deprecated
// AcceptInvitation), DeclineInvitations, DeleteInvitations, GetAdministratorAccount
// (GetMasterAccount), DisassociateFromAdministratorAccount (DisassociateFromMasterAccount).
// An invitation reaches the invited account in the administrator's region only.
#include "api/member_support.h"
#include "api/routes.h"
#include "core/ids.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

StatusOr<http::Response> ListInvitations(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(PageRequest page_request, QueryPageRequest(request));
  const RequestContext& context = request.context;
  VIGIL_ASSIGN_OR_RETURN(MemberPage page,
                         services.store->ListInvitations(context.account, context.region,
                                                         page_request.after, page_request.limit));
  json::array invitations;
  for (const MemberRecord& invitation : page.members) {
    invitations.push_back(InvitationJson(invitation));
  }
  json::object body{{"invitations", std::move(invitations)}};
  if (page.has_more) body["nextToken"] = EncodePageToken(page.members.back().administrator);
  return JsonResponse(body);
}

StatusOr<http::Response> GetInvitationsCount(Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(int64_t count, services.store->CountInvitations(request.context.account,
                                                                         request.context.region));
  return JsonResponse({{"invitationsCount", count}});
}

// AcceptAdministratorInvitation names the inviter `administratorId`; the deprecated
// AcceptInvitation names it `masterId`.
StatusOr<http::Response> Accept(Services& services, const http::Request& request,
                                std::string_view administrator_member) {
  VIGIL_RETURN_IF_ERROR(CallerDetector(services, request).status());
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  std::optional<std::string> administrator =
      in.String(administrator_member, Presence::kRequired, 1, 64);
  std::optional<std::string> invitation_id = in.String("invitationId", Presence::kRequired, 1, 64);
  VIGIL_RETURN_IF_ERROR(in.status());
  if (!IsAccountId(*administrator)) {
    return InvalidParameter(administrator_member, "an account id is 12 digits.");
  }
  const RequestContext& context = request.context;
  if (*administrator == context.account) {
    return InvalidParameter(administrator_member, "an account cannot accept its own invitation.");
  }
  VIGIL_RETURN_IF_ERROR(services.store->AcceptInvitation(
      context.account, context.region, *administrator, *invitation_id, context.clock->NowMillis()));
  return JsonResponse({});
}

StatusOr<http::Response> AcceptAdministratorInvitation(Services& services,
                                                       const http::Request& request) {
  return Accept(services, request, "administratorId");
}

StatusOr<http::Response> AcceptInvitation(Services& services, const http::Request& request) {
  return Accept(services, request, "masterId");
}

// DeclineInvitations and DeleteInvitations: accountIds name the inviting administrators.
template <typename Operation>
StatusOr<http::Response> InvitationBatchOperation(const http::Request& request,
                                                  Operation operation) {
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  VIGIL_ASSIGN_OR_RETURN(AccountIdBatch batch,
                         ReadAccountIds(body, request.context.account, false));
  std::vector<UnprocessedAccount> unprocessed;
  if (!batch.accepted.empty()) {
    VIGIL_ASSIGN_OR_RETURN(unprocessed, operation(batch.accepted));
  }
  return JsonResponse(UnprocessedResponse(batch.unprocessed, unprocessed));
}

StatusOr<http::Response> DeclineInvitations(Services& services, const http::Request& request) {
  const RequestContext& context = request.context;
  return InvitationBatchOperation(request, [&](const std::vector<std::string>& ids) {
    return services.store->DeclineInvitations(context.account, context.region, ids,
                                              context.clock->NowMillis());
  });
}

StatusOr<http::Response> DeleteInvitations(Services& services, const http::Request& request) {
  const RequestContext& context = request.context;
  return InvitationBatchOperation(request, [&](const std::vector<std::string>& ids) {
    return services.store->DeleteInvitations(context.account, context.region, ids,
                                             context.clock->NowMillis());
  });
}

// GetAdministratorAccount answers {"administrator": {...}}, the deprecated
// GetMasterAccount {"master": {...}}; both answer {} when the caller has no administrator.
StatusOr<http::Response> GetAdministrator(Services& services, const http::Request& request,
                                          std::string_view key) {
  VIGIL_RETURN_IF_ERROR(CallerDetector(services, request).status());
  VIGIL_ASSIGN_OR_RETURN(std::optional<MemberRecord> relationship,
                         services.store->GetAdministratorRelationship(request.context.account,
                                                                      request.context.region));
  json::object body;
  if (relationship) body[key] = InvitationJson(*relationship);
  return JsonResponse(body);
}

StatusOr<http::Response> GetAdministratorAccount(Services& services, const http::Request& request) {
  return GetAdministrator(services, request, "administrator");
}

StatusOr<http::Response> GetMasterAccount(Services& services, const http::Request& request) {
  return GetAdministrator(services, request, "master");
}

StatusOr<http::Response> DisassociateFromAdministratorAccount(Services& services,
                                                              const http::Request& request) {
  VIGIL_RETURN_IF_ERROR(CallerDetector(services, request).status());
  const RequestContext& context = request.context;
  VIGIL_RETURN_IF_ERROR(services.store->DisassociateFromAdministrator(
      context.account, context.region, context.clock->NowMillis()));
  return JsonResponse({});
}

constexpr RouteSpec kRoutes[] = {
    {"GET", "/invitation", "ListInvitations", ListInvitations},
    {"GET", "/invitation/count", "GetInvitationsCount", GetInvitationsCount},
    {"POST", "/invitation/decline", "DeclineInvitations", DeclineInvitations},
    {"POST", "/invitation/delete", "DeleteInvitations", DeleteInvitations},
    {"POST", "/detector/{detectorId}/administrator", "AcceptAdministratorInvitation",
     AcceptAdministratorInvitation},
    {"POST", "/detector/{detectorId}/master", "AcceptInvitation", AcceptInvitation},
    {"GET", "/detector/{detectorId}/administrator", "GetAdministratorAccount",
     GetAdministratorAccount},
    {"GET", "/detector/{detectorId}/master", "GetMasterAccount", GetMasterAccount},
    {"POST", "/detector/{detectorId}/administrator/disassociate",
     "DisassociateFromAdministratorAccount", DisassociateFromAdministratorAccount},
    {"POST", "/detector/{detectorId}/master/disassociate", "DisassociateFromMasterAccount",
     DisassociateFromAdministratorAccount},
};

}  // namespace

std::span<const RouteSpec> InvitationRoutes() { return kRoutes; }

}  // namespace vigil::api
