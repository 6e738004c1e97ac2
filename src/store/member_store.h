// MemberStore: the multi-account half of the Store — administrator/member relationships,
// the invitations members receive, and the organization's delegated administrator.
//
// GuardDuty's rules are enforced here, inside each method's transaction, so two accounts
// acting at once cannot break them: an account is never both an administrator (one with
// invited or associated members) and an associated member; a member is associated with
// one administrator at a time. Batch methods handle every account they can and return the
// others as UnprocessedAccount with the reason. Account ids given to them must already be
// well-formed (12 digits) and distinct; callers report malformed ones themselves.
// Every method is one atomic transaction; implementations are thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/member_records.h"

namespace vigil {

// A page of member records in ascending key order; `has_more` when more follow.
struct MemberPage {
  std::vector<MemberRecord> members;
  bool has_more = false;
};

struct MemberBatch {
  std::vector<MemberRecord> members;
  std::vector<UnprocessedAccount> unprocessed;
};

class MemberStore {
 public:
  virtual ~MemberStore() = default;

  // ---- Administrator side: the caller `administrator` manages its members in `region`.

  // Adds accounts as Created members. When `administrator` is the region's delegated
  // administrator, accounts of `organization` become Enabled members at once (no
  // invitation) and get a detector, with the organization's auto-enable data sources,
  // if they have none in the region. InvalidInput when `administrator` is itself an
  // associated member.
  virtual StatusOr<std::vector<UnprocessedAccount>> CreateMembers(
      const std::string& administrator, const std::string& region,
      const std::vector<AccountDetail>& accounts, const Organization& organization,
      int64_t now_millis) = 0;
  // Invites Created, Removed or Resigned members (Invited members get a new invitation).
  virtual StatusOr<std::vector<UnprocessedAccount>> InviteMembers(
      const std::string& administrator, const std::string& region,
      const std::vector<std::string>& account_ids, int64_t now_millis) = 0;
  virtual StatusOr<MemberBatch> GetMembers(const std::string& administrator,
                                           const std::string& region,
                                           const std::vector<std::string>& account_ids) = 0;
  // Members in account-id order after `after_account`; with `only_associated`, only
  // Enabled and Disabled ones.
  virtual StatusOr<MemberPage> ListMembers(const std::string& administrator,
                                           const std::string& region, bool only_associated,
                                           const std::string& after_account, size_t limit) = 0;
  // Forgets members whatever their status (an associated one is disassociated).
  virtual StatusOr<std::vector<UnprocessedAccount>> DeleteMembers(
      const std::string& administrator, const std::string& region,
      const std::vector<std::string>& account_ids) = 0;
  // Invited, Enabled and Disabled members become Removed; the record stays for a re-invite.
  virtual StatusOr<std::vector<UnprocessedAccount>> DisassociateMembers(
      const std::string& administrator, const std::string& region,
      const std::vector<std::string>& account_ids, int64_t now_millis) = 0;
  // StartMonitoringMembers (`monitor`: Disabled → Enabled) and StopMonitoringMembers
  // (Enabled → Disabled); members in any other status are unprocessed.
  virtual StatusOr<std::vector<UnprocessedAccount>> SetMembersMonitoring(
      const std::string& administrator, const std::string& region,
      const std::vector<std::string>& account_ids, bool monitor, int64_t now_millis) = 0;

  // ---- Member side: the caller `account` and the invitations it received in `region`.

  // Invitations awaiting an answer (status Invited), in administrator-id order.
  virtual StatusOr<MemberPage> ListInvitations(const std::string& account,
                                               const std::string& region,
                                               const std::string& after_administrator,
                                               size_t limit) = 0;
  virtual StatusOr<int64_t> CountInvitations(const std::string& account,
                                             const std::string& region) = 0;
  // Accepts the pending invitation `invitation_id` of `administrator`: Invited → Enabled.
  // InvalidInput when there is no such invitation, when `account` is associated with
  // another administrator, or when it has invited or associated members itself.
  virtual Status AcceptInvitation(const std::string& account, const std::string& region,
                                  const std::string& administrator,
                                  const std::string& invitation_id, int64_t now_millis) = 0;
  // Declines pending invitations: the administrator sees the member Resigned.
  virtual StatusOr<std::vector<UnprocessedAccount>> DeclineInvitations(
      const std::string& account, const std::string& region,
      const std::vector<std::string>& administrators, int64_t now_millis) = 0;
  // Deletes invitations that are not accepted (a pending one is declined first).
  virtual StatusOr<std::vector<UnprocessedAccount>> DeleteInvitations(
      const std::string& account, const std::string& region,
      const std::vector<std::string>& administrators, int64_t now_millis) = 0;
  // The relationship with the administrator `account` is associated with (Enabled or
  // Disabled), if any.
  virtual StatusOr<std::optional<MemberRecord>> GetAdministratorRelationship(
      const std::string& account, const std::string& region) = 0;
  // Leaves the associated administrator: the relationship becomes Resigned. InvalidInput
  // when not associated, or when enrolled by the organization (only the administrator
  // can disassociate those).
  virtual Status DisassociateFromAdministrator(const std::string& account,
                                               const std::string& region, int64_t now_millis) = 0;

  // ---- Stable queries for what membership means (findings, lists, settings).

  // The administrator of `account` in `region` when it is an associated, monitored
  // (Enabled) member; nullopt otherwise.
  virtual StatusOr<std::optional<std::string>> AdministratorOf(const std::string& account,
                                                               const std::string& region) = 0;
  // Every Enabled membership in every region (the publisher's one query a pass).
  virtual StatusOr<std::vector<MemberRecord>> ListAllEnabledMemberships() = 0;
  // The Enabled members of `administrator` in `region` that have a detector there, in
  // account-id order.
  virtual StatusOr<std::vector<MemberDetector>> EnabledMembers(const std::string& administrator,
                                                               const std::string& region) = 0;

  // ---- Organization: one delegated administrator per region.

  // InvalidInput when the region has another delegated administrator; enabling the same
  // one again is OK.
  virtual Status EnableOrganizationAdmin(const std::string& region, const std::string& account,
                                         int64_t now_millis) = 0;
  // Removes the designation and the members it enrolled through the organization.
  // InvalidInput when `account` is not the region's delegated administrator.
  virtual Status DisableOrganizationAdmin(const std::string& region,
                                          const std::string& account) = 0;
  virtual StatusOr<std::optional<OrganizationAdminRecord>> GetOrganizationAdmin(
      const std::string& region) = 0;
  // Replaces auto_enable and auto_enable_sources; InvalidInput when `admin.account_id`
  // is no longer the region's delegated administrator.
  virtual Status UpdateOrganizationConfiguration(const OrganizationAdminRecord& admin) = 0;
  // In every region whose delegated administrator has auto_enable, enrolls each account
  // of `organization` that administrator has no member record for (an account it removed
  // stays removed) as an Enabled member, creating its detector if it has none. Accounts
  // that are administrators or associated elsewhere are left alone. Returns the records
  // it enrolled.
  virtual StatusOr<std::vector<MemberRecord>> AutoEnableOrganizationMembers(
      const Organization& organization, int64_t now_millis) = 0;
};

}  // namespace vigil
