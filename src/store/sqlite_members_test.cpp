#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/ids.h"
#include "store/store.h"

namespace vigil {
namespace {

constexpr char kAdmin[] = "111111111111";
constexpr char kMember[] = "222222222222";
constexpr char kOther[] = "333333333333";
constexpr char kRegion[] = "us-east-1";
constexpr char kOtherRegion[] = "eu-west-1";
constexpr int64_t kNow = 1700000000000;

class MemberStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenSqliteStore(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  std::string AddDetector(const std::string& account, const std::string& region = kRegion) {
    DetectorRecord detector;
    detector.id = NewResourceId();
    detector.account = account;
    detector.region = region;
    detector.created_at = detector.updated_at = kNow;
    auto id = store_->CreateDetector(detector, {}, ClientToken{});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }

  std::vector<UnprocessedAccount> Create(const std::string& administrator,
                                         const std::vector<std::string>& accounts,
                                         const Organization& organization = {}) {
    std::vector<AccountDetail> details;
    for (const std::string& account : accounts) {
      details.push_back({account, account + "@example.com"});
    }
    auto unprocessed = store_->CreateMembers(administrator, kRegion, details, organization, kNow);
    EXPECT_TRUE(unprocessed.ok()) << unprocessed.status().ToString();
    return unprocessed.ok() ? *unprocessed : std::vector<UnprocessedAccount>{};
  }

  std::string StatusOf(const std::string& administrator, const std::string& account) {
    auto batch = store_->GetMembers(administrator, kRegion, {account});
    EXPECT_TRUE(batch.ok());
    return batch->members.empty() ? "" : batch->members[0].relationship_status;
  }

  // Invites `account` and returns the invitation id it received.
  std::string Invite(const std::string& administrator, const std::string& account) {
    auto unprocessed = store_->InviteMembers(administrator, kRegion, {account}, kNow + 1);
    EXPECT_TRUE(unprocessed.ok() && unprocessed->empty());
    auto invitations = store_->ListInvitations(account, kRegion, "", 50);
    EXPECT_TRUE(invitations.ok());
    for (const MemberRecord& invitation : invitations->members) {
      if (invitation.administrator == administrator) return invitation.invitation_id;
    }
    ADD_FAILURE() << "no invitation from " << administrator;
    return "";
  }

  // Makes `account` an Enabled member of `administrator` by invitation.
  void Associate(const std::string& administrator, const std::string& account) {
    Create(administrator, {account});
    const std::string invitation = Invite(administrator, account);
    ASSERT_TRUE(
        store_->AcceptInvitation(account, kRegion, administrator, invitation, kNow + 2).ok());
  }

  std::unique_ptr<Store> store_;
};

TEST_F(MemberStoreTest, InvitationLifecycleMovesThroughGuardDutyStatuses) {
  const std::string member_detector = AddDetector(kMember);
  EXPECT_TRUE(Create(kAdmin, {kMember}).empty());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Created");
  EXPECT_EQ(*store_->CountInvitations(kMember, kRegion), 0);

  const std::string invitation = Invite(kAdmin, kMember);
  EXPECT_TRUE(IsResourceId(invitation));
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Invited");
  EXPECT_EQ(*store_->CountInvitations(kMember, kRegion), 1);

  ASSERT_TRUE(store_->AcceptInvitation(kMember, kRegion, kAdmin, invitation, kNow + 2).ok());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Enabled");
  EXPECT_EQ(*store_->CountInvitations(kMember, kRegion), 0);
  auto relationship = store_->GetAdministratorRelationship(kMember, kRegion);
  ASSERT_TRUE(relationship.ok() && relationship->has_value());
  EXPECT_EQ((*relationship)->administrator, kAdmin);
  EXPECT_EQ((*relationship)->invitation_id, invitation);
  EXPECT_EQ((*relationship)->detector_id, member_detector);

  ASSERT_TRUE(store_->SetMembersMonitoring(kAdmin, kRegion, {kMember}, false, kNow + 3)->empty());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Disabled");
  ASSERT_TRUE(store_->SetMembersMonitoring(kAdmin, kRegion, {kMember}, true, kNow + 4)->empty());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Enabled");

  ASSERT_TRUE(store_->DisassociateFromAdministrator(kMember, kRegion, kNow + 5).ok());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Resigned");
  EXPECT_FALSE(store_->GetAdministratorRelationship(kMember, kRegion)->has_value());

  Invite(kAdmin, kMember);
  ASSERT_TRUE(store_->DisassociateMembers(kAdmin, kRegion, {kMember}, kNow + 6)->empty());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Removed");

  ASSERT_TRUE(store_->DeleteMembers(kAdmin, kRegion, {kMember})->empty());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "");
}

TEST_F(MemberStoreTest, StableQueriesSeeOnlyEnabledMembersWithDetectors) {
  const std::string member_detector = AddDetector(kMember);
  Associate(kAdmin, kMember);
  Create(kAdmin, {kOther});  // Created only: not a member that counts
  EXPECT_EQ(store_->AdministratorOf(kMember, kRegion)->value_or(""), kAdmin);
  EXPECT_FALSE(store_->AdministratorOf(kOther, kRegion)->has_value());
  EXPECT_FALSE(store_->AdministratorOf(kMember, kOtherRegion)->has_value());
  auto members = store_->EnabledMembers(kAdmin, kRegion);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].account_id, kMember);
  EXPECT_EQ((*members)[0].detector_id, member_detector);
  auto memberships = store_->ListAllEnabledMemberships();
  ASSERT_TRUE(memberships.ok());
  ASSERT_EQ(memberships->size(), 1u);
  EXPECT_EQ((*memberships)[0].account_id, kMember);
  EXPECT_EQ((*memberships)[0].region, kRegion);
  EXPECT_EQ((*memberships)[0].administrator, kAdmin);

  store_->SetMembersMonitoring(kAdmin, kRegion, {kMember}, false, kNow + 3);
  EXPECT_FALSE(store_->AdministratorOf(kMember, kRegion)->has_value());
  EXPECT_TRUE(store_->EnabledMembers(kAdmin, kRegion)->empty());
  EXPECT_TRUE(store_->ListAllEnabledMemberships()->empty());
}

TEST_F(MemberStoreTest, AnotherAdministratorCannotAddAnAssociatedMember) {
  Associate(kAdmin, kMember);
  auto unprocessed = Create(kOther, {kMember});
  ASSERT_EQ(unprocessed.size(), 1u);
  EXPECT_EQ(unprocessed[0].result,
            "The account is already a member of administrator account 111111111111.");
  EXPECT_EQ(StatusOf(kOther, kMember), "");
}

TEST_F(MemberStoreTest, AcceptingAnotherInvitationWhileAssociatedFails) {
  Create(kAdmin, {kMember});
  Create(kOther, {kMember});
  const std::string first = Invite(kAdmin, kMember);
  const std::string second = Invite(kOther, kMember);
  ASSERT_TRUE(store_->AcceptInvitation(kMember, kRegion, kAdmin, first, kNow).ok());
  Status refused = store_->AcceptInvitation(kMember, kRegion, kOther, second, kNow);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidInput);
  EXPECT_NE(refused.message().find("already associated with administrator account 111111111111"),
            std::string::npos);
  EXPECT_EQ(StatusOf(kOther, kMember), "Invited");
}

TEST_F(MemberStoreTest, AcceptChecksTheInvitationId) {
  Create(kAdmin, {kMember});
  Invite(kAdmin, kMember);
  EXPECT_EQ(store_->AcceptInvitation(kMember, kRegion, kAdmin, NewResourceId(), kNow).code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(store_->AcceptInvitation(kMember, kRegion, kOther, NewResourceId(), kNow).code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Invited");
}

TEST_F(MemberStoreTest, AccountIsNeverBothAdministratorAndMember) {
  Associate(kAdmin, kMember);
  // A member cannot have members.
  std::vector<AccountDetail> details = {{kOther, "o@example.com"}};
  EXPECT_EQ(store_->CreateMembers(kMember, kRegion, details, {}, kNow).status().code(),
            StatusCode::kInvalidInput);
  // An administrator cannot become a member.
  auto unprocessed = Create(kOther, {kAdmin});
  ASSERT_EQ(unprocessed.size(), 1u);
  EXPECT_NE(unprocessed[0].result.find("administrator account"), std::string::npos);
}

TEST_F(MemberStoreTest, DeclineAndDeleteInvitations) {
  Create(kAdmin, {kMember});
  Invite(kAdmin, kMember);
  ASSERT_TRUE(store_->DeclineInvitations(kMember, kRegion, {kAdmin}, kNow)->empty());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Resigned");
  EXPECT_EQ(*store_->CountInvitations(kMember, kRegion), 0);
  auto again = store_->DeclineInvitations(kMember, kRegion, {kAdmin}, kNow);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].result, "There is no pending invitation from account 111111111111.");

  ASSERT_TRUE(store_->DeleteInvitations(kMember, kRegion, {kAdmin}, kNow)->empty());
  auto gone = store_->DeleteInvitations(kMember, kRegion, {kAdmin}, kNow);
  ASSERT_EQ(gone->size(), 1u);
  EXPECT_EQ((*gone)[0].result, "There is no invitation from account 111111111111.");
}

TEST_F(MemberStoreTest, AcceptedInvitationCannotBeDeclinedOrDeleted) {
  Associate(kAdmin, kMember);
  EXPECT_EQ(store_->DeclineInvitations(kMember, kRegion, {kAdmin}, kNow)->size(), 1u);
  EXPECT_EQ(store_->DeleteInvitations(kMember, kRegion, {kAdmin}, kNow)->size(), 1u);
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Enabled");
}

TEST_F(MemberStoreTest, ListMembersOnlyAssociatedAndPages) {
  Associate(kAdmin, kMember);
  Create(kAdmin, {kOther, "444444444444"});
  auto associated = store_->ListMembers(kAdmin, kRegion, true, "", 50);
  ASSERT_EQ(associated->members.size(), 1u);
  EXPECT_EQ(associated->members[0].account_id, kMember);
  auto first = store_->ListMembers(kAdmin, kRegion, false, "", 2);
  ASSERT_EQ(first->members.size(), 2u);
  EXPECT_TRUE(first->has_more);
  auto rest = store_->ListMembers(kAdmin, kRegion, false, first->members[1].account_id, 2);
  ASSERT_EQ(rest->members.size(), 1u);
  EXPECT_FALSE(rest->has_more);
  EXPECT_EQ(rest->members[0].account_id, "444444444444");
}

TEST_F(MemberStoreTest, RecordsAreScopedToTheirRegion) {
  Create(kAdmin, {kMember});
  Invite(kAdmin, kMember);
  EXPECT_EQ(*store_->CountInvitations(kMember, kOtherRegion), 0);
  EXPECT_TRUE(store_->ListMembers(kAdmin, kOtherRegion, false, "", 50)->members.empty());
}

TEST_F(MemberStoreTest, DeleteDetectorIsRefusedWhileMembersAreInvitedOrAssociated) {
  const std::string detector = AddDetector(kAdmin);
  Create(kAdmin, {kMember});
  Invite(kAdmin, kMember);
  Status refused = store_->DeleteDetector(detector);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(refused.message(),
            "The request is rejected because the current account cannot delete detector while "
            "it has invited or associated members.");
  ASSERT_TRUE(store_->DisassociateMembers(kAdmin, kRegion, {kMember}, kNow)->empty());
  ASSERT_TRUE(store_->DeleteDetector(detector).ok());
  // The Removed record went with the detector.
  EXPECT_TRUE(store_->ListMembers(kAdmin, kRegion, false, "", 50)->members.empty());
}

TEST_F(MemberStoreTest, ResetDropsMembersAndOrganization) {
  Associate(kAdmin, kMember);
  ASSERT_TRUE(store_->EnableOrganizationAdmin(kRegion, kAdmin, kNow).ok());
  ASSERT_TRUE(store_->Reset().ok());
  EXPECT_TRUE(store_->ListMembers(kAdmin, kRegion, false, "", 50)->members.empty());
  EXPECT_FALSE(store_->GetOrganizationAdmin(kRegion)->has_value());
}

TEST_F(MemberStoreTest, OneDelegatedAdministratorPerRegion) {
  ASSERT_TRUE(store_->EnableOrganizationAdmin(kRegion, kAdmin, kNow).ok());
  EXPECT_TRUE(store_->EnableOrganizationAdmin(kRegion, kAdmin, kNow).ok());
  EXPECT_EQ(store_->EnableOrganizationAdmin(kRegion, kOther, kNow).code(),
            StatusCode::kInvalidInput);
  EXPECT_TRUE(store_->EnableOrganizationAdmin(kOtherRegion, kOther, kNow).ok());
  EXPECT_EQ(store_->DisableOrganizationAdmin(kRegion, kOther).code(), StatusCode::kInvalidInput);
  ASSERT_TRUE(store_->DisableOrganizationAdmin(kRegion, kAdmin).ok());
  EXPECT_FALSE(store_->GetOrganizationAdmin(kRegion)->has_value());
}

TEST_F(MemberStoreTest, DelegatedAdministratorEnablesOrganizationAccountsDirectly) {
  Organization organization{"999999999999", {{kMember, "m@example.com"}}};
  ASSERT_TRUE(store_->EnableOrganizationAdmin(kRegion, kAdmin, kNow).ok());
  EXPECT_TRUE(Create(kAdmin, {kMember, kOther}, organization).empty());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Enabled");
  EXPECT_EQ(StatusOf(kAdmin, kOther), "Created");  // not in the organization
  // The organization account got a detector, so it is a member that counts.
  auto members = store_->EnabledMembers(kAdmin, kRegion);
  ASSERT_EQ(members->size(), 1u);
  EXPECT_TRUE(IsResourceId((*members)[0].detector_id));
  // Organization members cannot leave by themselves.
  EXPECT_EQ(store_->DisassociateFromAdministrator(kMember, kRegion, kNow).code(),
            StatusCode::kInvalidInput);
  // Disabling the delegated administrator removes what the organization enrolled.
  ASSERT_TRUE(store_->DisableOrganizationAdmin(kRegion, kAdmin).ok());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "");
  EXPECT_EQ(StatusOf(kAdmin, kOther), "Created");
}

TEST_F(MemberStoreTest, AutoEnableEnrollsUnknownOrganizationAccountsOnly) {
  Organization organization{"999999999999", {{kMember, ""}, {kOther, ""}, {kAdmin, ""}}};
  const std::string existing_detector = AddDetector(kMember);
  ASSERT_TRUE(store_->EnableOrganizationAdmin(kRegion, kAdmin, kNow).ok());
  // Without autoEnable nothing happens.
  EXPECT_TRUE(store_->AutoEnableOrganizationMembers(organization, kNow)->empty());

  OrganizationAdminRecord config = **store_->GetOrganizationAdmin(kRegion);
  config.auto_enable = true;
  config.auto_enable_sources.s3_logs = true;
  ASSERT_TRUE(store_->UpdateOrganizationConfiguration(config).ok());
  auto enrolled = store_->AutoEnableOrganizationMembers(organization, kNow);
  ASSERT_TRUE(enrolled.ok());
  ASSERT_EQ(enrolled->size(), 2u);  // not the administrator itself
  EXPECT_EQ((*enrolled)[0].detector_id, existing_detector);
  auto created = store_->GetDetector(kOther, kRegion, (*enrolled)[1].detector_id);
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->data_sources.s3_logs);
  EXPECT_FALSE(created->data_sources.kubernetes_audit_logs);

  // A member the administrator removed stays removed.
  ASSERT_TRUE(store_->DisassociateMembers(kAdmin, kRegion, {kMember}, kNow)->empty());
  EXPECT_TRUE(store_->AutoEnableOrganizationMembers(organization, kNow)->empty());
  EXPECT_EQ(StatusOf(kAdmin, kMember), "Removed");
}

TEST_F(MemberStoreTest, OnlyTheDelegatedAdministratorUpdatesTheConfiguration) {
  OrganizationAdminRecord config;
  config.region = kRegion;
  config.account_id = kAdmin;
  config.auto_enable = true;
  EXPECT_EQ(store_->UpdateOrganizationConfiguration(config).code(), StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace vigil
