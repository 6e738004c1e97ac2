"""The organization: EnableOrganizationAdminAccount, DisableOrganizationAdminAccount,
ListOrganizationAdminAccounts (the management account's), Describe/Update
OrganizationConfiguration (the delegated administrator's), CreateMembers on organization
accounts and autoEnable.

These tests run their own server with --organization-management-account 999999999999 and
--organization-accounts naming A, B and C; account 444444444444 is outside the organization.
"""


import pytest

from conftest import (ACCOUNT_A, ACCOUNT_B, ACCOUNT_C, NOT_OWNED, OTHER_REGION, REGION,
                      VigilServer, expect_error, serve_exit)
from test_members import detector_of

MANAGEMENT = "999999999999"
OUTSIDER = "444444444444"
NOT_MANAGEMENT = ("The request is rejected because the current account is not the management "
                  "account of the organization.")
NOT_DELEGATED = ("The request is rejected because the current account is not the organization's "
                 "delegated administrator account.")


def write_organization_file(path, accounts):
    path.write_text("# the organization's member accounts\n" +
                    "".join(f"{account} {account}@example.com\n" for account in accounts))


@pytest.fixture(scope="module")
def org_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("organization")
    accounts_file = folder / "accounts.txt"
    write_organization_file(accounts_file, [ACCOUNT_A, ACCOUNT_B, ACCOUNT_C])
    server = VigilServer(in_memory=True, extra_args=[
        "--organization-management-account", MANAGEMENT,
        "--organization-accounts", str(accounts_file)]).start()
    yield server
    assert server.stop() == 0, server.stderr()


@pytest.fixture
def org(org_server):
    """org(account, region=REGION, validate=True) -> a boto3 client of the organization
    server, which starts each test empty."""
    status, _, body = org_server.request("POST", "/_vigil/reset")
    assert status == 200, body
    return lambda account, region=REGION, validate=True: org_server.client(
        account, region, validate)


def delegate(org, account=ACCOUNT_A):
    """Makes `account` the delegated administrator and returns (its client, its detector)."""
    org(MANAGEMENT).enable_organization_admin_account(AdminAccountId=account)
    admin = org(account)
    return admin, detector_of(admin)


def members_of(admin, detector_id):
    listed = admin.list_members(DetectorId=detector_id, OnlyAssociated="false")["Members"]
    return {m["AccountId"]: m["RelationshipStatus"] for m in listed}


# ---- the delegated administrator --------------------------------------------------------------


def test_management_account_enables_lists_and_disables_the_delegated_admin(org):
    management = org(MANAGEMENT)
    assert management.list_organization_admin_accounts()["AdminAccounts"] == []
    management.enable_organization_admin_account(AdminAccountId=ACCOUNT_A)
    management.enable_organization_admin_account(AdminAccountId=ACCOUNT_A)  # again: no change
    assert management.list_organization_admin_accounts()["AdminAccounts"] == [
        {"AdminAccountId": ACCOUNT_A, "AdminStatus": "ENABLED"}]
    expect_error(lambda: management.enable_organization_admin_account(AdminAccountId=ACCOUNT_B),
                 param=ACCOUNT_A, invalid_input=True)
    # Delegation is per region.
    assert org(MANAGEMENT, OTHER_REGION).list_organization_admin_accounts()["AdminAccounts"] == []
    expect_error(lambda: management.disable_organization_admin_account(AdminAccountId=ACCOUNT_B),
                 param=ACCOUNT_B, invalid_input=True)
    management.disable_organization_admin_account(AdminAccountId=ACCOUNT_A)
    assert management.list_organization_admin_accounts()["AdminAccounts"] == []
    management.enable_organization_admin_account(AdminAccountId=ACCOUNT_B)
    assert management.list_organization_admin_accounts()["AdminAccounts"] == [
        {"AdminAccountId": ACCOUNT_B, "AdminStatus": "ENABLED"}]


def test_only_the_management_account_manages_delegation(org):
    org(MANAGEMENT).enable_organization_admin_account(AdminAccountId=ACCOUNT_A)
    for account in (ACCOUNT_A, ACCOUNT_B, OUTSIDER):
        client = org(account)
        expect_error(lambda: client.enable_organization_admin_account(AdminAccountId=account),
                     message=NOT_MANAGEMENT, invalid_input=True)
        expect_error(lambda: client.disable_organization_admin_account(AdminAccountId=ACCOUNT_A),
                     message=NOT_MANAGEMENT, invalid_input=True)
        expect_error(lambda: client.list_organization_admin_accounts(),
                     message=NOT_MANAGEMENT, invalid_input=True)
    assert org(MANAGEMENT).list_organization_admin_accounts()["AdminAccounts"] != []


def test_without_an_organization_nobody_manages_delegation(gd):
    # The shared server has no --organization-management-account.
    expect_error(lambda: gd.list_organization_admin_accounts(), message=NOT_MANAGEMENT)
    expect_error(lambda: gd.enable_organization_admin_account(AdminAccountId=ACCOUNT_B),
                 message=NOT_MANAGEMENT)
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    expect_error(lambda: gd.describe_organization_configuration(DetectorId=detector_id),
                 message=NOT_DELEGATED)


def test_delegation_checks_the_admin_account_id(org):
    management = org(MANAGEMENT, validate=False)
    for bad in ("", "1234", "abcdefghijkl"):
        expect_error(lambda: management.enable_organization_admin_account(AdminAccountId=bad),
                     param="adminAccountId", invalid_input=True)
    expect_error(lambda: management.enable_organization_admin_account(),
                 param="adminAccountId", invalid_input=True)
    expect_error(lambda: management.disable_organization_admin_account(),
                 param="adminAccountId", invalid_input=True)
    expect_error(lambda: management.enable_organization_admin_account(AdminAccountId=OUTSIDER),
                 message=f"The request is rejected because account {OUTSIDER} is not an account "
                         "of the organization.", invalid_input=True)
    for max_results in (0, 51):
        expect_error(lambda: management.list_organization_admin_accounts(MaxResults=max_results),
                     param="maxResults", invalid_input=True)


# ---- organization members ---------------------------------------------------------------------


def test_delegated_admin_enables_organization_accounts_without_invitation(org):
    admin, detector_id = delegate(org)
    member_b = org(ACCOUNT_B)
    assert member_b.list_detectors()["DetectorIds"] == []
    resp = admin.create_members(DetectorId=detector_id, AccountDetails=[
        {"AccountId": ACCOUNT_B, "Email": "b@example.com"},
        {"AccountId": OUTSIDER, "Email": "d@example.com"}])
    assert resp["UnprocessedAccounts"] == []
    assert members_of(admin, detector_id) == {ACCOUNT_B: "Enabled", OUTSIDER: "Created"}
    # B got a detector, and knows its administrator without having been invited.
    (b_detector,) = member_b.list_detectors()["DetectorIds"]
    assert member_b.get_invitations_count()["InvitationsCount"] == 0
    administrator = member_b.get_administrator_account(DetectorId=b_detector)["Administrator"]
    assert administrator["AccountId"] == ACCOUNT_A
    assert administrator["RelationshipStatus"] == "Enabled"
    # An organization member cannot leave on its own; the administrator can remove it.
    expect_error(lambda: member_b.disassociate_from_administrator_account(DetectorId=b_detector),
                 param=ACCOUNT_A, invalid_input=True)
    admin.disassociate_members(DetectorId=detector_id, AccountIds=[ACCOUNT_B])
    assert members_of(admin, detector_id)[ACCOUNT_B] == "Removed"
    # CreateMembers enrolls it again.
    admin.create_members(DetectorId=detector_id,
                         AccountDetails=[{"AccountId": ACCOUNT_B, "Email": "b@example.com"}])
    assert members_of(admin, detector_id)[ACCOUNT_B] == "Enabled"


def test_disabling_the_delegated_admin_removes_organization_members(org):
    admin, detector_id = delegate(org)
    admin.create_members(DetectorId=detector_id, AccountDetails=[
        {"AccountId": ACCOUNT_B, "Email": "b@example.com"},
        {"AccountId": OUTSIDER, "Email": "d@example.com"}])
    org(MANAGEMENT).disable_organization_admin_account(AdminAccountId=ACCOUNT_A)
    assert members_of(admin, detector_id) == {OUTSIDER: "Created"}
    expect_error(lambda: admin.describe_organization_configuration(DetectorId=detector_id),
                 message=NOT_DELEGATED, invalid_input=True)


def test_organization_configuration_is_the_delegated_admins(org):
    admin, detector_id = delegate(org)
    described = admin.describe_organization_configuration(DetectorId=detector_id)
    assert described["AutoEnable"] is False
    assert described["MemberAccountLimitReached"] is False
    assert described["DataSources"]["S3Logs"] == {"AutoEnable": False}
    admin.update_organization_configuration(
        DetectorId=detector_id, AutoEnable=False,
        DataSources={"S3Logs": {"AutoEnable": True},
                     "Kubernetes": {"AuditLogs": {"AutoEnable": True}}})
    sources = admin.describe_organization_configuration(DetectorId=detector_id)["DataSources"]
    assert sources["S3Logs"] == {"AutoEnable": True}
    assert sources["Kubernetes"] == {"AuditLogs": {"AutoEnable": True}}
    assert sources["MalwareProtection"]["ScanEc2InstanceWithFindings"]["EbsVolumes"] == {
        "AutoEnable": False}
    # Without autoEnable, nobody was enrolled.
    assert members_of(admin, detector_id) == {}
    # Members left out keep their value; ebsVolumes is an object with its own autoEnable.
    admin.update_organization_configuration(
        DetectorId=detector_id, AutoEnable=False,
        DataSources={"MalwareProtection": {
            "ScanEc2InstanceWithFindings": {"EbsVolumes": {"AutoEnable": True}}}})
    sources = admin.describe_organization_configuration(DetectorId=detector_id)["DataSources"]
    assert sources["S3Logs"] == {"AutoEnable": True}
    assert sources["MalwareProtection"]["ScanEc2InstanceWithFindings"]["EbsVolumes"] == {
        "AutoEnable": True}

    other = org(ACCOUNT_B)
    other_detector = detector_of(other)
    expect_error(lambda: other.describe_organization_configuration(DetectorId=other_detector),
                 message=NOT_DELEGATED, invalid_input=True)
    expect_error(lambda: other.update_organization_configuration(DetectorId=other_detector,
                                                                 AutoEnable=True),
                 message=NOT_DELEGATED, invalid_input=True)
    expect_error(lambda: admin.describe_organization_configuration(DetectorId=other_detector),
                 message=NOT_OWNED)


def test_update_organization_configuration_checks_its_input(org):
    delegate(org)
    admin = org(ACCOUNT_A, validate=False)
    detector_id = admin.list_detectors()["DetectorIds"][0]
    expect_error(lambda: admin.update_organization_configuration(DetectorId=detector_id),
                 param="autoEnable", invalid_input=True)
    expect_error(lambda: admin.update_organization_configuration(
        DetectorId=detector_id, AutoEnable="yes"), param="autoEnable", invalid_input=True)
    expect_error(lambda: admin.update_organization_configuration(
        DetectorId=detector_id, AutoEnable=True, DataSources={"S3Logs": {}}),
        param="dataSources.s3Logs.autoEnable", invalid_input=True)
    expect_error(lambda: admin.update_organization_configuration(
        DetectorId=detector_id, AutoEnable=True, DataSources={"Kubernetes": {}}),
        param="dataSources.kubernetes.auditLogs", invalid_input=True)
    expect_error(lambda: admin.update_organization_configuration(
        DetectorId=detector_id, AutoEnable=True, DataSources={"MalwareProtection": {
            "ScanEc2InstanceWithFindings": {"EbsVolumes": {"AutoEnable": "yes"}}}}),
        param="dataSources.malwareProtection.scanEc2InstanceWithFindings.ebsVolumes.autoEnable",
        invalid_input=True)
    expect_error(lambda: admin.update_organization_configuration(
        DetectorId="0123456789abcdef0123456789abcdef", AutoEnable=True), message=NOT_OWNED)
    assert admin.describe_organization_configuration(DetectorId=detector_id)["AutoEnable"] is False


def test_auto_enable_makes_organization_accounts_members_with_detectors(org):
    admin, detector_id = delegate(org)
    member_b = org(ACCOUNT_B)
    b_detector = detector_of(member_b)  # B has a detector already; C has none
    admin.update_organization_configuration(
        DetectorId=detector_id, AutoEnable=True, DataSources={"S3Logs": {"AutoEnable": True}})
    assert members_of(admin, detector_id) == {ACCOUNT_B: "Enabled", ACCOUNT_C: "Enabled"}
    assert member_b.list_detectors()["DetectorIds"] == [b_detector]
    member_c = org(ACCOUNT_C)
    (c_detector,) = member_c.list_detectors()["DetectorIds"]
    c_sources = member_c.get_detector(DetectorId=c_detector)["DataSources"]
    assert c_sources["S3Logs"]["Status"] == "ENABLED"
    assert c_sources["Kubernetes"]["AuditLogs"]["Status"] == "DISABLED"
    # Only in the administrator's region.
    assert org(ACCOUNT_C, OTHER_REGION).list_detectors()["DetectorIds"] == []
    # The delegated admin cannot delete its detector while it has members.
    expect_error(lambda: admin.delete_detector(DetectorId=detector_id), param="members")


def test_auto_enable_leaves_accounts_associated_elsewhere(org):
    admin, detector_id = delegate(org)
    # C is a member of B by invitation.
    inviter = org(ACCOUNT_B)
    inviter_detector = detector_of(inviter)
    member_c = org(ACCOUNT_C)
    c_detector = detector_of(member_c)
    inviter.create_members(DetectorId=inviter_detector,
                           AccountDetails=[{"AccountId": ACCOUNT_C, "Email": "c@example.com"}])
    inviter.invite_members(DetectorId=inviter_detector, AccountIds=[ACCOUNT_C])
    invitation = member_c.list_invitations()["Invitations"][0]["InvitationId"]
    member_c.accept_administrator_invitation(DetectorId=c_detector, AdministratorId=ACCOUNT_B,
                                             InvitationId=invitation)
    admin.update_organization_configuration(DetectorId=detector_id, AutoEnable=True)
    # B is an administrator and C a member of B: neither is enrolled.
    assert members_of(admin, detector_id) == {}


def test_auto_enable_at_start_reaches_accounts_added_to_the_file(tmp_path):
    accounts_file = tmp_path / "accounts.txt"
    write_organization_file(accounts_file, [ACCOUNT_A, ACCOUNT_B])
    server = VigilServer(data_dir=tmp_path / "data", extra_args=[
        "--organization-management-account", MANAGEMENT,
        "--organization-accounts", str(accounts_file)]).start()
    try:
        server.client(MANAGEMENT).enable_organization_admin_account(AdminAccountId=ACCOUNT_A)
        admin = server.client(ACCOUNT_A)
        detector_id = detector_of(admin)
        admin.update_organization_configuration(DetectorId=detector_id, AutoEnable=True)
        assert members_of(admin, detector_id) == {ACCOUNT_B: "Enabled"}
        assert server.stop() == 0

        write_organization_file(accounts_file, [ACCOUNT_A, ACCOUNT_B, ACCOUNT_C])
        server.start()
        admin = server.client(ACCOUNT_A)
        assert members_of(admin, detector_id) == {ACCOUNT_B: "Enabled", ACCOUNT_C: "Enabled"}
        assert len(server.client(ACCOUNT_C).list_detectors()["DetectorIds"]) == 1
    finally:
        server.stop()


def test_serve_refuses_a_bad_organization_accounts_file(tmp_path):
    accounts_file = tmp_path / "accounts.txt"
    accounts_file.write_text(f"{ACCOUNT_A}\nnot-an-account\n")
    for extra_args, complaint in (
        (["--organization-management-account", MANAGEMENT, "--organization-accounts",
          str(accounts_file)], "accounts.txt:2"),
        (["--organization-management-account", "12345"], "12 digits"),
        (["--organization-accounts", str(accounts_file)], "--organization-management-account"),
    ):
        code, stderr = serve_exit(extra_args)
        assert code == 2, stderr
        assert complaint in stderr, stderr
