// The organization: EnableOrganizationAdminAccount, DisableOrganizationAdminAccount and
// ListOrganizationAdminAccounts (for the management account named by
// --organization-management-account), DescribeOrganizationConfiguration and
// UpdateOrganizationConfiguration (for the delegated administrator). One delegated
// administrator per region; with autoEnable, the accounts of --organization-accounts
// become its Enabled members (MemberStore::AutoEnableOrganizationMembers).
#include "api/data_sources.h"
#include "api/member_support.h"
#include "api/routes.h"
#include "core/ids.h"

namespace vigil::api {

namespace json = boost::json;

namespace {

Status RequireManagementAccount(const Services& services, const RequestContext& context) {
  const Organization& organization = OrganizationOf(services);
  if (organization.management_account.empty() ||
      organization.management_account != context.account) {
    return Status::InvalidInput(
        "The request is rejected because the current account is not the management account of "
        "the organization.");
  }
  return Status::Ok();
}

// The adminAccountId of the body: an account of the organization.
StatusOr<std::string> ReadAdminAccountId(const Services& services, const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  std::optional<std::string> account = in.String("adminAccountId", Presence::kRequired, 1, 64);
  VIGIL_RETURN_IF_ERROR(in.status());
  if (!IsAccountId(*account)) {
    return InvalidParameter("adminAccountId", "an account id is 12 digits.");
  }
  if (!OrganizationOf(services).Contains(*account)) {
    return Status::InvalidInput("The request is rejected because account " + *account +
                                " is not an account of the organization.");
  }
  return std::move(*account);
}

StatusOr<http::Response> EnableOrganizationAdminAccount(Services& services,
                                                        const http::Request& request) {
  const RequestContext& context = request.context;
  VIGIL_RETURN_IF_ERROR(RequireManagementAccount(services, context));
  VIGIL_ASSIGN_OR_RETURN(std::string account, ReadAdminAccountId(services, request));
  VIGIL_RETURN_IF_ERROR(
      services.store->EnableOrganizationAdmin(context.region, account, context.clock->NowMillis()));
  return JsonResponse({});
}

StatusOr<http::Response> DisableOrganizationAdminAccount(Services& services,
                                                         const http::Request& request) {
  const RequestContext& context = request.context;
  VIGIL_RETURN_IF_ERROR(RequireManagementAccount(services, context));
  VIGIL_ASSIGN_OR_RETURN(std::string account, ReadAdminAccountId(services, request));
  VIGIL_RETURN_IF_ERROR(services.store->DisableOrganizationAdmin(context.region, account));
  return JsonResponse({});
}

StatusOr<http::Response> ListOrganizationAdminAccounts(Services& services,
                                                       const http::Request& request) {
  const RequestContext& context = request.context;
  VIGIL_RETURN_IF_ERROR(RequireManagementAccount(services, context));
  VIGIL_ASSIGN_OR_RETURN(PageRequest page_request, QueryPageRequest(request));
  VIGIL_ASSIGN_OR_RETURN(std::optional<OrganizationAdminRecord> admin,
                         services.store->GetOrganizationAdmin(context.region));
  json::array accounts;
  // At most one per region, so a page after it is empty.
  if (admin && admin->account_id > page_request.after) {
    accounts.push_back(
        json::object{{"adminAccountId", admin->account_id}, {"adminStatus", "ENABLED"}});
  }
  return JsonResponse({{"adminAccounts", std::move(accounts)}});
}

// The caller's organization configuration, when it is the region's delegated administrator.
StatusOr<OrganizationAdminRecord> CallerOrganization(Services& services,
                                                     const http::Request& request) {
  VIGIL_RETURN_IF_ERROR(CallerDetector(services, request).status());
  VIGIL_ASSIGN_OR_RETURN(std::optional<OrganizationAdminRecord> admin,
                         services.store->GetOrganizationAdmin(request.context.region));
  if (!admin || admin->account_id != request.context.account) {
    return Status::InvalidInput(
        "The request is rejected because the current account is not the organization's "
        "delegated administrator account.");
  }
  return std::move(*admin);
}

json::object AutoEnableObject(bool auto_enable) {
  return json::object{{"autoEnable", auto_enable}};
}

StatusOr<http::Response> DescribeOrganizationConfiguration(Services& services,
                                                           const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(OrganizationAdminRecord admin, CallerOrganization(services, request));
  const DataSourceSettings& sources = admin.auto_enable_sources;
  return JsonResponse({
      {"autoEnable", admin.auto_enable},
      // Vigil sets no member limit.
      {"memberAccountLimitReached", false},
      {"dataSources",
       json::object{
           {"s3Logs", AutoEnableObject(sources.s3_logs)},
           {"kubernetes",
            json::object{{"auditLogs", AutoEnableObject(sources.kubernetes_audit_logs)}}},
           {"malwareProtection",
            json::object{
                {"scanEc2InstanceWithFindings",
                 json::object{
                     {"ebsVolumes", AutoEnableObject(sources.malware_protection_ebs_volumes)}}}}},
       }},
  });
}

StatusOr<http::Response> UpdateOrganizationConfiguration(Services& services,
                                                         const http::Request& request) {
  VIGIL_ASSIGN_OR_RETURN(OrganizationAdminRecord admin, CallerOrganization(services, request));
  VIGIL_ASSIGN_OR_RETURN(json::object body, ParseBodyObject(request.body));
  JsonReader in(body);
  if (auto auto_enable = in.Bool("autoEnable", Presence::kRequired)) {
    admin.auto_enable = *auto_enable;
  }
  ReadOrganizationDataSources(in, admin.auto_enable_sources);
  VIGIL_RETURN_IF_ERROR(in.status());
  VIGIL_RETURN_IF_ERROR(services.store->UpdateOrganizationConfiguration(admin));
  // Auto-enable applies at once (and again at every start), not only to accounts that
  // join the organization later.
  if (admin.auto_enable) {
    VIGIL_RETURN_IF_ERROR(services.store
                              ->AutoEnableOrganizationMembers(OrganizationOf(services),
                                                              request.context.clock->NowMillis())
                              .status());
  }
  return JsonResponse({});
}

constexpr RouteSpec kRoutes[] = {
    {"POST", "/admin/enable", "EnableOrganizationAdminAccount", EnableOrganizationAdminAccount},
    {"POST", "/admin/disable", "DisableOrganizationAdminAccount", DisableOrganizationAdminAccount},
    {"GET", "/admin", "ListOrganizationAdminAccounts", ListOrganizationAdminAccounts},
    {"GET", "/detector/{detectorId}/admin", "DescribeOrganizationConfiguration",
     DescribeOrganizationConfiguration},
    {"POST", "/detector/{detectorId}/admin", "UpdateOrganizationConfiguration",
     UpdateOrganizationConfiguration},
};

}  // namespace

std::span<const RouteSpec> OrganizationRoutes() { return kRoutes; }

}  // namespace vigil::api
