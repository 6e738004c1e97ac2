#include "store/sqlite_members.h"

#include "core/ids.h"

namespace vigil {

namespace {

namespace rel = relationship;

bool IsAssociated(std::string_view status) {
  return status == rel::kEnabled || status == rel::kDisabled;
}

// The member columns with the member's detector (if any) joined in; prepared statements
// are cached by the address of their literal, so each query spells the whole text.
#define VIGIL_SELECT_MEMBERS                                                             \
  "SELECT m.administrator, m.region, m.account_id, m.email, m.relationship_status, "     \
  "m.invitation_id, m.invited_at, m.updated_at, m.via_organization, COALESCE(d.id, '') " \
  "FROM members m LEFT JOIN detectors d ON d.account = m.account_id AND d.region = m.region "

MemberRecord ReadMember(const Query& row) {
  MemberRecord member;
  member.administrator = row.Text(0);
  member.region = row.Text(1);
  member.account_id = row.Text(2);
  member.email = row.Text(3);
  member.relationship_status = row.Text(4);
  member.invitation_id = row.Text(5);
  member.invited_at = row.Int(6);
  member.updated_at = row.Int(7);
  member.via_organization = row.Bool(8);
  member.detector_id = row.Text(9);
  return member;
}

StatusOr<MemberPage> ReadMemberPage(Query& query, size_t limit) {
  MemberPage page;
  while (query.Next()) {
    if (page.members.size() == limit) {
      page.has_more = true;
      break;
    }
    page.members.push_back(ReadMember(query));
  }
  VIGIL_RETURN_IF_ERROR(query.status());
  return page;
}

std::string NotAMember() {
  return "The account is not a member of the current administrator account.";
}

std::string NoPendingInvitation(const std::string& administrator) {
  return "There is no pending invitation from account " + administrator + ".";
}

std::string InvitationAccepted(const std::string& administrator) {
  return "The invitation from account " + administrator +
         " has been accepted; disassociate from the administrator account instead.";
}

Status CallerIsMember(const std::string& administrator) {
  return Status::InvalidInput(
      "The request is rejected because the current account is a member of "
      "administrator account " +
      administrator + " and cannot have members of its own.");
}

const std::string& AccountIdOf(const std::string& account_id) { return account_id; }
const std::string& AccountIdOf(const AccountDetail& account) { return account.account_id; }

// The shape of every batch call, run in one transaction with the lock held: `check_caller`
// may refuse the whole call; then `handle` runs for each account and answers "" when it
// processed it, or the reason it did not (the account is then listed as unprocessed). An
// error from either rolls the whole batch back.
template <typename Account, typename CheckCaller, typename Handle>
StatusOr<std::vector<UnprocessedAccount>> ProcessEach(SqliteDatabase& database,
                                                      const std::vector<Account>& accounts,
                                                      CheckCaller check_caller, Handle handle) {
  using Result = std::vector<UnprocessedAccount>;
  return database.InTransaction<Result>([&]() -> StatusOr<Result> {
    VIGIL_RETURN_IF_ERROR(check_caller());
    Result unprocessed;
    for (const Account& account : accounts) {
      VIGIL_ASSIGN_OR_RETURN(std::string reason, handle(account));
      if (!reason.empty()) unprocessed.push_back({AccountIdOf(account), std::move(reason)});
    }
    return unprocessed;
  });
}

Status AnyCaller() { return Status::Ok(); }
std::string Processed() { return {}; }

}  // namespace

// ---- Administrator side

StatusOr<std::vector<UnprocessedAccount>> SqliteMemberStore::CreateMembers(
    const std::string& administrator, const std::string& region,
    const std::vector<AccountDetail>& accounts, const Organization& organization,
    int64_t now_millis) {
  auto lock = members_db_.Lock();
  std::optional<OrganizationAdminRecord> delegated;
  auto check_caller = [&]() -> Status {
    if (std::string boss = AssociatedAdministrator(administrator, region); !boss.empty()) {
      return CallerIsMember(boss);
    }
    delegated = FindOrganizationAdmin(region);
    if (delegated && delegated->account_id != administrator) delegated.reset();
    return Status::Ok();
  };
  return ProcessEach(
      members_db_, accounts, check_caller,
      [&](const AccountDetail& account) -> StatusOr<std::string> {
        const bool through_organization = delegated && organization.Contains(account.account_id);
        if (auto existing = FindMember(administrator, region, account.account_id)) {
          // An organization account the administrator removed is enrolled again; any other
          // existing member keeps its record (InviteMembers re-invites it).
          if (!through_organization || IsAssociated(existing->relationship_status)) {
            return "The account is already a member of the current administrator account "
                   "(status " +
                   existing->relationship_status + ").";
          }
        }
        if (std::string conflict = MembershipConflict(administrator, account.account_id, region);
            !conflict.empty()) {
          return conflict;
        }
        if (through_organization) {
          VIGIL_RETURN_IF_ERROR(Enroll(*delegated, account, now_millis).status());
          return Processed();
        }
        MemberRecord member;
        member.administrator = administrator;
        member.region = region;
        member.account_id = account.account_id;
        member.email = account.email;
        member.updated_at = now_millis;
        VIGIL_RETURN_IF_ERROR(WriteMember(member));
        return Processed();
      });
}

StatusOr<std::vector<UnprocessedAccount>> SqliteMemberStore::InviteMembers(
    const std::string& administrator, const std::string& region,
    const std::vector<std::string>& account_ids, int64_t now_millis) {
  auto lock = members_db_.Lock();
  auto check_caller = [&]() -> Status {
    std::string boss = AssociatedAdministrator(administrator, region);
    return boss.empty() ? Status::Ok() : CallerIsMember(boss);
  };
  return ProcessEach(
      members_db_, account_ids, check_caller,
      [&](const std::string& account_id) -> StatusOr<std::string> {
        std::optional<MemberRecord> member = FindMember(administrator, region, account_id);
        if (!member) {
          return std::string(
              "The account is not a member of the current administrator account; add it with "
              "CreateMembers first.");
        }
        if (IsAssociated(member->relationship_status)) {
          return "The account is already associated with the current administrator account "
                 "(status " +
                 member->relationship_status + ").";
        }
        if (std::string conflict = MembershipConflict(administrator, account_id, region);
            !conflict.empty()) {
          return conflict;
        }
        member->relationship_status = rel::kInvited;
        member->invitation_id = NewResourceId();
        member->invited_at = now_millis;
        member->updated_at = now_millis;
        member->via_organization = false;
        VIGIL_RETURN_IF_ERROR(WriteMember(*member));
        return Processed();
      });
}

StatusOr<MemberBatch> SqliteMemberStore::GetMembers(const std::string& administrator,
                                                    const std::string& region,
                                                    const std::vector<std::string>& account_ids) {
  auto lock = members_db_.Lock();
  MemberBatch batch;
  for (const std::string& account_id : account_ids) {
    if (auto member = FindMember(administrator, region, account_id)) {
      batch.members.push_back(std::move(*member));
    } else {
      batch.unprocessed.push_back({account_id, NotAMember()});
    }
  }
  return batch;
}

StatusOr<MemberPage> SqliteMemberStore::ListMembers(const std::string& administrator,
                                                    const std::string& region, bool only_associated,
                                                    const std::string& after_account,
                                                    size_t limit) {
  auto lock = members_db_.Lock();
  auto query =
      members_db_.Prepare(VIGIL_SELECT_MEMBERS
                          "WHERE m.administrator = ? AND m.region = ? AND m.account_id > ? "
                          "AND (? = 0 OR m.relationship_status IN ('Enabled', 'Disabled')) "
                          "ORDER BY m.account_id LIMIT ?");
  query.Bind(administrator, region, after_account, only_associated, limit + 1);
  return ReadMemberPage(query, limit);
}

StatusOr<std::vector<UnprocessedAccount>> SqliteMemberStore::DeleteMembers(
    const std::string& administrator, const std::string& region,
    const std::vector<std::string>& account_ids) {
  auto lock = members_db_.Lock();
  return ProcessEach(
      members_db_, account_ids, AnyCaller,
      [&](const std::string& account_id) -> StatusOr<std::string> {
        VIGIL_RETURN_IF_ERROR(
            members_db_
                .Prepare(
                    "DELETE FROM members WHERE administrator = ? AND region = ? AND account_id = ?")
                .Bind(administrator, region, account_id)
                .Run());
        return members_db_.Changes() == 0 ? NotAMember() : Processed();
      });
}

StatusOr<std::vector<UnprocessedAccount>> SqliteMemberStore::DisassociateMembers(
    const std::string& administrator, const std::string& region,
    const std::vector<std::string>& account_ids, int64_t now_millis) {
  auto lock = members_db_.Lock();
  return ProcessEach(members_db_, account_ids, AnyCaller,
                     [&](const std::string& account_id) -> StatusOr<std::string> {
                       std::optional<MemberRecord> member =
                           FindMember(administrator, region, account_id);
                       if (!member) return NotAMember();
                       // Created, Removed and Resigned members are not associated: nothing to undo.
                       if (member->relationship_status != rel::kInvited &&
                           !IsAssociated(member->relationship_status)) {
                         return Processed();
                       }
                       member->relationship_status = rel::kRemoved;
                       member->updated_at = now_millis;
                       VIGIL_RETURN_IF_ERROR(WriteMember(*member));
                       return Processed();
                     });
}

StatusOr<std::vector<UnprocessedAccount>> SqliteMemberStore::SetMembersMonitoring(
    const std::string& administrator, const std::string& region,
    const std::vector<std::string>& account_ids, bool monitor, int64_t now_millis) {
  auto lock = members_db_.Lock();
  const std::string_view target = monitor ? rel::kEnabled : rel::kDisabled;
  return ProcessEach(
      members_db_, account_ids, AnyCaller,
      [&](const std::string& account_id) -> StatusOr<std::string> {
        std::optional<MemberRecord> member = FindMember(administrator, region, account_id);
        if (!member) return NotAMember();
        if (!IsAssociated(member->relationship_status)) {
          return "The account is not associated with the current administrator account "
                 "(status " +
                 member->relationship_status + ").";
        }
        if (member->relationship_status == target) return Processed();
        member->relationship_status = target;
        member->updated_at = now_millis;
        VIGIL_RETURN_IF_ERROR(WriteMember(*member));
        return Processed();
      });
}

// ---- Member side

StatusOr<MemberPage> SqliteMemberStore::ListInvitations(const std::string& account,
                                                        const std::string& region,
                                                        const std::string& after_administrator,
                                                        size_t limit) {
  auto lock = members_db_.Lock();
  auto query = members_db_.Prepare(
      VIGIL_SELECT_MEMBERS
      "WHERE m.account_id = ? AND m.region = ? AND m.relationship_status = 'Invited' "
      "AND m.administrator > ? ORDER BY m.administrator LIMIT ?");
  query.Bind(account, region, after_administrator, limit + 1);
  return ReadMemberPage(query, limit);
}

StatusOr<int64_t> SqliteMemberStore::CountInvitations(const std::string& account,
                                                      const std::string& region) {
  auto lock = members_db_.Lock();
  auto query = members_db_.Prepare(
      "SELECT COUNT(*) FROM members WHERE account_id = ? AND region = ? "
      "AND relationship_status = 'Invited'");
  query.Bind(account, region).Next();
  VIGIL_RETURN_IF_ERROR(query.status());
  return query.Int(0);
}

Status SqliteMemberStore::AcceptInvitation(const std::string& account, const std::string& region,
                                           const std::string& administrator,
                                           const std::string& invitation_id, int64_t now_millis) {
  auto lock = members_db_.Lock();
  return members_db_
      .InTransaction<bool>([&]() -> StatusOr<bool> {
        const std::string current = AssociatedAdministrator(account, region);
        std::optional<MemberRecord> member = FindMember(administrator, region, account);
        if (!current.empty() && current != administrator) {
          return Status::InvalidInput(
              "The request is rejected because the current account is already associated with "
              "administrator account " +
              current + "; disassociate from it before accepting another invitation.");
        }
        if (member && IsAssociated(member->relationship_status) &&
            member->invitation_id == invitation_id) {
          return true;  // accepted before
        }
        if (!member || member->relationship_status != rel::kInvited) {
          return Status::InvalidInput(
              "The request is rejected because there is no pending "
              "invitation from account " +
              administrator + ".");
        }
        if (member->invitation_id != invitation_id) {
          return Status::InvalidInput(
              "The request is rejected because the invitationId does not match the pending "
              "invitation from account " +
              administrator + ".");
        }
        if (HasActiveMembers(account, region)) {
          return Status::InvalidInput(
              "The request is rejected because the current account has invited or associated "
              "members; an administrator account cannot become a member.");
        }
        member->relationship_status = rel::kEnabled;
        member->updated_at = now_millis;
        VIGIL_RETURN_IF_ERROR(WriteMember(*member));
        return true;
      })
      .status();
}

StatusOr<std::vector<UnprocessedAccount>> SqliteMemberStore::DeclineInvitations(
    const std::string& account, const std::string& region,
    const std::vector<std::string>& administrators, int64_t now_millis) {
  auto lock = members_db_.Lock();
  return ProcessEach(
      members_db_, administrators, AnyCaller,
      [&](const std::string& administrator) -> StatusOr<std::string> {
        std::optional<MemberRecord> member = FindMember(administrator, region, account);
        if (member && IsAssociated(member->relationship_status) && !member->via_organization) {
          return InvitationAccepted(administrator);
        }
        if (!member || member->relationship_status != rel::kInvited) {
          return NoPendingInvitation(administrator);
        }
        member->relationship_status = rel::kResigned;
        member->updated_at = now_millis;
        VIGIL_RETURN_IF_ERROR(WriteMember(*member));
        return Processed();
      });
}

StatusOr<std::vector<UnprocessedAccount>> SqliteMemberStore::DeleteInvitations(
    const std::string& account, const std::string& region,
    const std::vector<std::string>& administrators, int64_t now_millis) {
  auto lock = members_db_.Lock();
  return ProcessEach(members_db_, administrators, AnyCaller,
                     [&](const std::string& administrator) -> StatusOr<std::string> {
                       std::optional<MemberRecord> member =
                           FindMember(administrator, region, account);
                       if (!member || member->invitation_id.empty()) {
                         return "There is no invitation from account " + administrator + ".";
                       }
                       if (IsAssociated(member->relationship_status))
                         return InvitationAccepted(administrator);
                       if (member->relationship_status == rel::kInvited) {
                         member->relationship_status = rel::kResigned;
                       }
                       member->invitation_id.clear();
                       member->updated_at = now_millis;
                       VIGIL_RETURN_IF_ERROR(WriteMember(*member));
                       return Processed();
                     });
}

StatusOr<std::optional<MemberRecord>> SqliteMemberStore::GetAdministratorRelationship(
    const std::string& account, const std::string& region) {
  auto lock = members_db_.Lock();
  auto query = members_db_.Prepare(VIGIL_SELECT_MEMBERS
                                   "WHERE m.account_id = ? AND m.region = ? "
                                   "AND m.relationship_status IN ('Enabled', 'Disabled') LIMIT 1");
  if (!query.Bind(account, region).Next()) {
    VIGIL_RETURN_IF_ERROR(query.status());
    return std::optional<MemberRecord>();
  }
  return std::optional<MemberRecord>(ReadMember(query));
}

Status SqliteMemberStore::DisassociateFromAdministrator(const std::string& account,
                                                        const std::string& region,
                                                        int64_t now_millis) {
  auto lock = members_db_.Lock();
  return members_db_
      .InTransaction<bool>([&]() -> StatusOr<bool> {
        const std::string administrator = AssociatedAdministrator(account, region);
        if (administrator.empty()) {
          return Status::InvalidInput(
              "The request is rejected because the current account is not associated with an "
              "administrator account.");
        }
        std::optional<MemberRecord> member = FindMember(administrator, region, account);
        if (!member) return Status::Internal("the member record vanished while being read");
        if (member->via_organization) {
          return Status::InvalidInput(
              "The request is rejected because the current account is managed by the "
              "organization's delegated administrator account " +
              administrator + "; only that account can disassociate it.");
        }
        member->relationship_status = rel::kResigned;
        member->updated_at = now_millis;
        VIGIL_RETURN_IF_ERROR(WriteMember(*member));
        return true;
      })
      .status();
}

// ---- Stable queries

StatusOr<std::optional<std::string>> SqliteMemberStore::AdministratorOf(const std::string& account,
                                                                        const std::string& region) {
  auto lock = members_db_.Lock();
  auto query = members_db_.Prepare(
      "SELECT administrator FROM members WHERE account_id = ? AND region = ? "
      "AND relationship_status = 'Enabled' LIMIT 1");
  if (!query.Bind(account, region).Next()) {
    VIGIL_RETURN_IF_ERROR(query.status());
    return std::optional<std::string>();
  }
  return std::optional<std::string>(query.Text(0));
}

StatusOr<std::vector<MemberRecord>> SqliteMemberStore::ListAllEnabledMemberships() {
  auto lock = members_db_.Lock();
  auto query = members_db_.Prepare(VIGIL_SELECT_MEMBERS "WHERE m.relationship_status = 'Enabled'");
  std::vector<MemberRecord> memberships;
  while (query.Next()) memberships.push_back(ReadMember(query));
  VIGIL_RETURN_IF_ERROR(query.status());
  return memberships;
}

StatusOr<std::vector<MemberDetector>> SqliteMemberStore::EnabledMembers(
    const std::string& administrator, const std::string& region) {
  auto lock = members_db_.Lock();
  auto query = members_db_.Prepare(
      "SELECT m.account_id, d.id FROM members m "
      "JOIN detectors d ON d.account = m.account_id AND d.region = m.region "
      "WHERE m.administrator = ? AND m.region = ? AND m.relationship_status = 'Enabled' "
      "ORDER BY m.account_id");
  query.Bind(administrator, region);
  std::vector<MemberDetector> members;
  while (query.Next()) members.push_back({query.Text(0), query.Text(1)});
  VIGIL_RETURN_IF_ERROR(query.status());
  return members;
}

// ---- Organization

Status SqliteMemberStore::EnableOrganizationAdmin(const std::string& region,
                                                  const std::string& account, int64_t now_millis) {
  auto lock = members_db_.Lock();
  return members_db_
      .InTransaction<bool>([&]() -> StatusOr<bool> {
        if (auto current = FindOrganizationAdmin(region)) {
          if (current->account_id == account) return true;
          return Status::InvalidInput(
              "The request is rejected because the organization already has a delegated "
              "administrator account (" +
              current->account_id + ") in " + region + "; disable it first.");
        }
        VIGIL_RETURN_IF_ERROR(
            members_db_.Prepare("INSERT INTO organization_admins VALUES (?, ?, 0, 0, 0, 0, ?)")
                .Bind(region, account, now_millis)
                .Run());
        return true;
      })
      .status();
}

Status SqliteMemberStore::DisableOrganizationAdmin(const std::string& region,
                                                   const std::string& account) {
  auto lock = members_db_.Lock();
  return members_db_
      .InTransaction<bool>([&]() -> StatusOr<bool> {
        VIGIL_RETURN_IF_ERROR(
            members_db_
                .Prepare("DELETE FROM organization_admins WHERE region = ? AND account_id = ?")
                .Bind(region, account)
                .Run());
        if (members_db_.Changes() == 0) {
          return Status::InvalidInput("The request is rejected because account " + account +
                                      " is not the organization's delegated administrator "
                                      "account in " +
                                      region + ".");
        }
        VIGIL_RETURN_IF_ERROR(members_db_
                                  .Prepare("DELETE FROM members WHERE administrator = ? AND "
                                           "region = ? AND via_organization = 1")
                                  .Bind(account, region)
                                  .Run());
        return true;
      })
      .status();
}

StatusOr<std::optional<OrganizationAdminRecord>> SqliteMemberStore::GetOrganizationAdmin(
    const std::string& region) {
  auto lock = members_db_.Lock();
  return FindOrganizationAdmin(region);
}

Status SqliteMemberStore::UpdateOrganizationConfiguration(const OrganizationAdminRecord& admin) {
  auto lock = members_db_.Lock();
  const DataSourceSettings& sources = admin.auto_enable_sources;
  VIGIL_RETURN_IF_ERROR(
      members_db_
          .Prepare("UPDATE organization_admins SET auto_enable = ?, s3_logs = ?, "
                   "kubernetes_audit_logs = ?, malware_protection_ebs_volumes = ? "
                   "WHERE region = ? AND account_id = ?")
          .Bind(admin.auto_enable, sources.s3_logs, sources.kubernetes_audit_logs,
                sources.malware_protection_ebs_volumes, admin.region, admin.account_id)
          .Run());
  if (members_db_.Changes() == 0) {
    return Status::InvalidInput(
        "The request is rejected because the current account is not the organization's "
        "delegated administrator account.");
  }
  return Status::Ok();
}

StatusOr<std::vector<MemberRecord>> SqliteMemberStore::AutoEnableOrganizationMembers(
    const Organization& organization, int64_t now_millis) {
  auto lock = members_db_.Lock();
  using Result = std::vector<MemberRecord>;
  return members_db_.InTransaction<Result>([&]() -> StatusOr<Result> {
    std::vector<std::string> regions;
    {
      auto query = members_db_.Prepare(
          "SELECT region FROM organization_admins WHERE auto_enable = 1 ORDER BY region");
      while (query.Next()) regions.push_back(query.Text(0));
      VIGIL_RETURN_IF_ERROR(query.status());
    }
    Result enrolled;
    for (const std::string& region : regions) {
      std::optional<OrganizationAdminRecord> found = FindOrganizationAdmin(region);
      if (!found) return Status::Internal("the delegated administrator vanished while being read");
      const OrganizationAdminRecord admin = std::move(*found);
      for (const AccountDetail& account : organization.accounts) {
        if (account.account_id == admin.account_id) continue;
        if (FindMember(admin.account_id, region, account.account_id)) continue;
        if (!MembershipConflict(admin.account_id, account.account_id, region).empty()) continue;
        VIGIL_ASSIGN_OR_RETURN(MemberRecord member, Enroll(admin, account, now_millis));
        enrolled.push_back(std::move(member));
      }
    }
    return enrolled;
  });
}

// ---- Detector deletion

Status SqliteMemberStore::ReleaseMembersOfDetector(const std::string& detector_id) {
  auto detector = members_db_.Prepare("SELECT account, region FROM detectors WHERE id = ?");
  if (!detector.Bind(detector_id).Next()) return detector.status();
  const std::string account = detector.Text(0);
  const std::string region = detector.Text(1);
  if (HasActiveMembers(account, region)) {
    return Status::InvalidInput(
        "The request is rejected because the current account cannot delete detector while it "
        "has invited or associated members.");
  }
  return members_db_.Prepare("DELETE FROM members WHERE administrator = ? AND region = ?")
      .Bind(account, region)
      .Run();
}

// ---- Helpers

std::optional<MemberRecord> SqliteMemberStore::FindMember(const std::string& administrator,
                                                          const std::string& region,
                                                          const std::string& account) {
  auto query = members_db_.Prepare(
      VIGIL_SELECT_MEMBERS "WHERE m.administrator = ? AND m.region = ? AND m.account_id = ?");
  if (!query.Bind(administrator, region, account).Next()) return std::nullopt;
  return ReadMember(query);
}

std::string SqliteMemberStore::AssociatedAdministrator(const std::string& account,
                                                       const std::string& region) {
  auto query = members_db_.Prepare(
      "SELECT administrator FROM members WHERE account_id = ? AND region = ? "
      "AND relationship_status IN ('Enabled', 'Disabled') LIMIT 1");
  return query.Bind(account, region).Next() ? query.Text(0) : std::string();
}

bool SqliteMemberStore::HasActiveMembers(const std::string& account, const std::string& region) {
  auto query = members_db_.Prepare(
      "SELECT 1 FROM members WHERE administrator = ? AND region = ? "
      "AND relationship_status IN ('Invited', 'Enabled', 'Disabled') LIMIT 1");
  return query.Bind(account, region).Next();
}

std::string SqliteMemberStore::MembershipConflict(const std::string& administrator,
                                                  const std::string& account,
                                                  const std::string& region) {
  if (std::string other = AssociatedAdministrator(account, region);
      !other.empty() && other != administrator) {
    return "The account is already a member of administrator account " + other + ".";
  }
  if (HasActiveMembers(account, region)) {
    return "The account is an administrator account with invited or associated members and "
           "cannot become a member.";
  }
  return "";
}

Status SqliteMemberStore::WriteMember(const MemberRecord& member) {
  return members_db_.Prepare("INSERT OR REPLACE INTO members VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(member.administrator, member.region, member.account_id, member.email,
            member.relationship_status, member.invitation_id, member.invited_at, member.updated_at,
            member.via_organization)
      .Run();
}

Status SqliteMemberStore::EnsureDetector(const std::string& account, const std::string& region,
                                         const DataSourceSettings& sources, int64_t now_millis) {
  auto existing = members_db_.Prepare("SELECT 1 FROM detectors WHERE account = ? AND region = ?");
  if (existing.Bind(account, region).Next()) return Status::Ok();
  VIGIL_RETURN_IF_ERROR(existing.status());
  return members_db_
      .Prepare("INSERT INTO detectors VALUES (?, ?, ?, 1, 'SIX_HOURS', ?, ?, ?, ?, ?)")
      .Bind(NewResourceId(), account, region, sources.s3_logs, sources.kubernetes_audit_logs,
            sources.malware_protection_ebs_volumes, now_millis, now_millis)
      .Run();
}

std::optional<OrganizationAdminRecord> SqliteMemberStore::FindOrganizationAdmin(
    const std::string& region) {
  auto query = members_db_.Prepare(
      "SELECT account_id, auto_enable, s3_logs, kubernetes_audit_logs, "
      "malware_protection_ebs_volumes, enabled_at FROM organization_admins WHERE region = ?");
  if (!query.Bind(region).Next()) return std::nullopt;
  OrganizationAdminRecord admin;
  admin.region = region;
  admin.account_id = query.Text(0);
  admin.auto_enable = query.Bool(1);
  admin.auto_enable_sources = {query.Bool(2), query.Bool(3), query.Bool(4)};
  admin.enabled_at = query.Int(5);
  return admin;
}

StatusOr<MemberRecord> SqliteMemberStore::Enroll(const OrganizationAdminRecord& admin,
                                                 const AccountDetail& account, int64_t now_millis) {
  VIGIL_RETURN_IF_ERROR(
      EnsureDetector(account.account_id, admin.region, admin.auto_enable_sources, now_millis));
  MemberRecord member;
  member.administrator = admin.account_id;
  member.region = admin.region;
  member.account_id = account.account_id;
  member.email = account.email;
  member.relationship_status = rel::kEnabled;
  member.updated_at = now_millis;
  member.via_organization = true;
  VIGIL_RETURN_IF_ERROR(WriteMember(member));
  return FindMember(admin.account_id, admin.region, account.account_id).value_or(member);
}

#undef VIGIL_SELECT_MEMBERS

}  // namespace vigil
