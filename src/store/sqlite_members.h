// The multi-account half of the SQLite store (MemberStore over the members and
// organization_admins tables). SqliteStore derives from it, so the Store is one object
// over one connection.
#pragma once

#include "store/sqlite_database.h"
#include "store/store.h"

namespace vigil {

class SqliteMemberStore : public Store {
 public:
  StatusOr<std::vector<UnprocessedAccount>> CreateMembers(
      const std::string& administrator, const std::string& region,
      const std::vector<AccountDetail>& accounts, const Organization& organization,
      int64_t now_millis) override;
  StatusOr<std::vector<UnprocessedAccount>> InviteMembers(
      const std::string& administrator, const std::string& region,
      const std::vector<std::string>& account_ids, int64_t now_millis) override;
  StatusOr<MemberBatch> GetMembers(const std::string& administrator, const std::string& region,
                                   const std::vector<std::string>& account_ids) override;
  StatusOr<MemberPage> ListMembers(const std::string& administrator, const std::string& region,
                                   bool only_associated, const std::string& after_account,
                                   size_t limit) override;
  StatusOr<std::vector<UnprocessedAccount>> DeleteMembers(
      const std::string& administrator, const std::string& region,
      const std::vector<std::string>& account_ids) override;
  StatusOr<std::vector<UnprocessedAccount>> DisassociateMembers(
      const std::string& administrator, const std::string& region,
      const std::vector<std::string>& account_ids, int64_t now_millis) override;
  StatusOr<std::vector<UnprocessedAccount>> SetMembersMonitoring(
      const std::string& administrator, const std::string& region,
      const std::vector<std::string>& account_ids, bool monitor, int64_t now_millis) override;

  StatusOr<MemberPage> ListInvitations(const std::string& account, const std::string& region,
                                       const std::string& after_administrator,
                                       size_t limit) override;
  StatusOr<int64_t> CountInvitations(const std::string& account,
                                     const std::string& region) override;
  Status AcceptInvitation(const std::string& account, const std::string& region,
                          const std::string& administrator, const std::string& invitation_id,
                          int64_t now_millis) override;
  StatusOr<std::vector<UnprocessedAccount>> DeclineInvitations(
      const std::string& account, const std::string& region,
      const std::vector<std::string>& administrators, int64_t now_millis) override;
  StatusOr<std::vector<UnprocessedAccount>> DeleteInvitations(
      const std::string& account, const std::string& region,
      const std::vector<std::string>& administrators, int64_t now_millis) override;
  StatusOr<std::optional<MemberRecord>> GetAdministratorRelationship(
      const std::string& account, const std::string& region) override;
  Status DisassociateFromAdministrator(const std::string& account, const std::string& region,
                                       int64_t now_millis) override;

  StatusOr<std::optional<std::string>> AdministratorOf(const std::string& account,
                                                       const std::string& region) override;
  StatusOr<std::vector<MemberRecord>> ListAllEnabledMemberships() override;
  StatusOr<std::vector<MemberDetector>> EnabledMembers(const std::string& administrator,
                                                       const std::string& region) override;

  Status EnableOrganizationAdmin(const std::string& region, const std::string& account,
                                 int64_t now_millis) override;
  Status DisableOrganizationAdmin(const std::string& region, const std::string& account) override;
  StatusOr<std::optional<OrganizationAdminRecord>> GetOrganizationAdmin(
      const std::string& region) override;
  Status UpdateOrganizationConfiguration(const OrganizationAdminRecord& admin) override;
  StatusOr<std::vector<MemberRecord>> AutoEnableOrganizationMembers(
      const Organization& organization, int64_t now_millis) override;

 protected:
  // Borrows `database`, which must outlive this.
  explicit SqliteMemberStore(SqliteDatabase& database) : members_db_(database) {}

  // DeleteDetector's part: refuses (InvalidInput, GuardDuty's message) while the
  // detector's account has invited or associated members in its region, and otherwise
  // forgets that account's remaining member records there. The caller holds the lock
  // and a transaction.
  Status ReleaseMembersOfDetector(const std::string& detector_id);

 private:
  // Helpers below run with the lock held.
  std::optional<MemberRecord> FindMember(const std::string& administrator,
                                         const std::string& region, const std::string& account);
  // The administrator `account` is associated with (Enabled or Disabled), or "".
  std::string AssociatedAdministrator(const std::string& account, const std::string& region);
  // True when `account` has invited or associated members in `region`.
  bool HasActiveMembers(const std::string& account, const std::string& region);
  // Why `account` cannot become a member of `administrator`, or "" when it can.
  std::string MembershipConflict(const std::string& administrator, const std::string& account,
                                 const std::string& region);
  Status WriteMember(const MemberRecord& member);
  // Creates a detector for (account, region) unless it has one.
  Status EnsureDetector(const std::string& account, const std::string& region,
                        const DataSourceSettings& sources, int64_t now_millis);
  std::optional<OrganizationAdminRecord> FindOrganizationAdmin(const std::string& region);
  // Enrolls `account` as an Enabled organization member of `admin`.
  StatusOr<MemberRecord> Enroll(const OrganizationAdminRecord& admin, const AccountDetail& account,
                                int64_t now_millis);

  SqliteDatabase& members_db_;
};

}  // namespace vigil
