"""Members and invitations across accounts: CreateMembers, InviteMembers, GetMembers,
ListMembers, DeleteMembers, DisassociateMembers, Start/StopMonitoringMembers,
Get/UpdateMemberDetectors on the administrator's side; ListInvitations,
GetInvitationsCount, AcceptAdministratorInvitation/AcceptInvitation, DeclineInvitations,
DeleteInvitations, GetAdministratorAccount/GetMasterAccount and
DisassociateFromAdministratorAccount/DisassociateFromMasterAccount on the member's.

Account A (111111111111) administers; B (222222222222) and C (333333333333) are the
other accounts. The account of a request is its 12-digit access key id.
"""

import pytest

from conftest import (ACCOUNT_A, ACCOUNT_B, ACCOUNT_C, HEX32_RE, ISO_MS_RE, NOT_OWNED,
                      OTHER_REGION, UNKNOWN_ID, expect_error, page_through)

CANNOT_DELETE = ("The request is rejected because the current account cannot delete detector "
                 "while it has invited or associated members.")
NOT_A_MEMBER = "The account is not a member of the current administrator account."


def detector_of(client):
    return client.create_detector(Enable=True)["DetectorId"]


def details(*accounts):
    return [{"AccountId": account, "Email": f"{account}@example.com"} for account in accounts]


def member(client, detector_id, account):
    resp = client.get_members(DetectorId=detector_id, AccountIds=[account])
    assert resp["UnprocessedAccounts"] == [], resp
    (found,) = resp["Members"]
    return found


def status_of(client, detector_id, account):
    return member(client, detector_id, account)["RelationshipStatus"]


def reasons(resp):
    return {item["AccountId"]: item["Result"] for item in resp["UnprocessedAccounts"]}


def invite(admin, admin_detector, member_client, account):
    """Creates and invites `account`; returns the invitation id it received."""
    admin.create_members(DetectorId=admin_detector, AccountDetails=details(account))
    resp = admin.invite_members(DetectorId=admin_detector, AccountIds=[account],
                                Message="join us")
    assert resp["UnprocessedAccounts"] == [], resp
    invitations = member_client.list_invitations()["Invitations"]
    return next(i["InvitationId"] for i in invitations if i["AccountId"] == ACCOUNT_A)


def associate(admin, admin_detector, member_client, member_detector, account):
    """Invites `account` to A's administrator and has it accept: an Enabled member."""
    invitation = invite(admin, admin_detector, member_client, account)
    member_client.accept_administrator_invitation(DetectorId=member_detector,
                                                  AdministratorId=ACCOUNT_A,
                                                  InvitationId=invitation)


@pytest.fixture
def accounts(gd, gd_b):
    """Detectors for A and B: (A's detector id, B's detector id)."""
    return detector_of(gd), detector_of(gd_b)


@pytest.fixture
def associated(gd, gd_b, accounts):
    """B is an Enabled member of A."""
    a_detector, b_detector = accounts
    associate(gd, a_detector, gd_b, b_detector, ACCOUNT_B)
    return accounts


# ---- the lifecycle, from both sides ---------------------------------------------------------


def test_whole_invitation_lifecycle_with_current_operation_names(gd, gd_b, accounts):
    a_detector, b_detector = accounts
    resp = gd.create_members(DetectorId=a_detector, AccountDetails=details(ACCOUNT_B))
    assert resp["UnprocessedAccounts"] == []
    created = member(gd, a_detector, ACCOUNT_B)
    assert created["RelationshipStatus"] == "Created"
    assert created["MasterId"] == created["AdministratorId"] == ACCOUNT_A
    assert created["Email"] == f"{ACCOUNT_B}@example.com"
    assert created["DetectorId"] == b_detector
    assert ISO_MS_RE.match(created["UpdatedAt"])
    assert "InvitedAt" not in created
    assert gd_b.get_invitations_count()["InvitationsCount"] == 0

    assert gd.invite_members(DetectorId=a_detector, AccountIds=[ACCOUNT_B],
                             DisableEmailNotification=True)["UnprocessedAccounts"] == []
    assert status_of(gd, a_detector, ACCOUNT_B) == "Invited"
    assert gd_b.get_invitations_count()["InvitationsCount"] == 1
    (invitation,) = gd_b.list_invitations()["Invitations"]
    assert invitation["AccountId"] == ACCOUNT_A
    assert invitation["RelationshipStatus"] == "Invited"
    assert HEX32_RE.match(invitation["InvitationId"])
    assert ISO_MS_RE.match(invitation["InvitedAt"])
    assert gd_b.get_administrator_account(DetectorId=b_detector).get("Administrator") is None

    gd_b.accept_administrator_invitation(DetectorId=b_detector, AdministratorId=ACCOUNT_A,
                                         InvitationId=invitation["InvitationId"])
    assert status_of(gd, a_detector, ACCOUNT_B) == "Enabled"
    assert gd_b.get_invitations_count()["InvitationsCount"] == 0
    assert gd_b.list_invitations()["Invitations"] == []
    administrator = gd_b.get_administrator_account(DetectorId=b_detector)["Administrator"]
    assert administrator == {"AccountId": ACCOUNT_A,
                             "InvitationId": invitation["InvitationId"],
                             "RelationshipStatus": "Enabled",
                             "InvitedAt": invitation["InvitedAt"]}

    assert gd.stop_monitoring_members(DetectorId=a_detector,
                                      AccountIds=[ACCOUNT_B])["UnprocessedAccounts"] == []
    assert status_of(gd, a_detector, ACCOUNT_B) == "Disabled"
    assert gd.start_monitoring_members(DetectorId=a_detector,
                                       AccountIds=[ACCOUNT_B])["UnprocessedAccounts"] == []
    assert status_of(gd, a_detector, ACCOUNT_B) == "Enabled"

    gd_b.disassociate_from_administrator_account(DetectorId=b_detector)
    assert status_of(gd, a_detector, ACCOUNT_B) == "Resigned"
    assert gd_b.get_administrator_account(DetectorId=b_detector).get("Administrator") is None

    # The record stays, so the administrator can invite again without CreateMembers.
    assert gd.invite_members(DetectorId=a_detector,
                             AccountIds=[ACCOUNT_B])["UnprocessedAccounts"] == []
    assert status_of(gd, a_detector, ACCOUNT_B) == "Invited"
    assert gd.disassociate_members(DetectorId=a_detector,
                                   AccountIds=[ACCOUNT_B])["UnprocessedAccounts"] == []
    assert status_of(gd, a_detector, ACCOUNT_B) == "Removed"
    assert gd_b.get_invitations_count()["InvitationsCount"] == 0

    assert gd.delete_members(DetectorId=a_detector,
                             AccountIds=[ACCOUNT_B])["UnprocessedAccounts"] == []
    resp = gd.get_members(DetectorId=a_detector, AccountIds=[ACCOUNT_B])
    assert resp["Members"] == []
    assert reasons(resp) == {ACCOUNT_B: NOT_A_MEMBER}


def test_deprecated_operation_names(gd, gd_b, accounts):
    a_detector, b_detector = accounts
    invitation = invite(gd, a_detector, gd_b, ACCOUNT_B)
    gd_b.accept_invitation(DetectorId=b_detector, MasterId=ACCOUNT_A, InvitationId=invitation)
    master = gd_b.get_master_account(DetectorId=b_detector)["Master"]
    assert master["AccountId"] == ACCOUNT_A
    assert master["InvitationId"] == invitation
    assert master["RelationshipStatus"] == "Enabled"
    assert ISO_MS_RE.match(master["InvitedAt"])
    gd_b.disassociate_from_master_account(DetectorId=b_detector)
    assert status_of(gd, a_detector, ACCOUNT_B) == "Resigned"
    assert gd_b.get_master_account(DetectorId=b_detector).get("Master") is None


def test_decline_then_delete_an_invitation(gd, gd_b, accounts):
    a_detector, _ = accounts
    invite(gd, a_detector, gd_b, ACCOUNT_B)
    assert gd_b.decline_invitations(AccountIds=[ACCOUNT_A])["UnprocessedAccounts"] == []
    assert status_of(gd, a_detector, ACCOUNT_B) == "Resigned"
    assert gd_b.get_invitations_count()["InvitationsCount"] == 0
    again = gd_b.decline_invitations(AccountIds=[ACCOUNT_A])
    assert reasons(again) == {ACCOUNT_A: f"There is no pending invitation from account {ACCOUNT_A}."}
    assert gd_b.delete_invitations(AccountIds=[ACCOUNT_A])["UnprocessedAccounts"] == []
    gone = gd_b.delete_invitations(AccountIds=[ACCOUNT_A])
    assert reasons(gone) == {ACCOUNT_A: f"There is no invitation from account {ACCOUNT_A}."}


def test_deleting_a_pending_invitation_declines_it(gd, gd_b, accounts):
    a_detector, _ = accounts
    invite(gd, a_detector, gd_b, ACCOUNT_B)
    assert gd_b.delete_invitations(AccountIds=[ACCOUNT_A])["UnprocessedAccounts"] == []
    assert gd_b.list_invitations()["Invitations"] == []
    assert status_of(gd, a_detector, ACCOUNT_B) == "Resigned"


def test_an_accepted_invitation_is_left_by_disassociating(gd_b, associated):
    accepted = (f"The invitation from account {ACCOUNT_A} has been accepted; disassociate "
                "from the administrator account instead.")
    assert reasons(gd_b.decline_invitations(AccountIds=[ACCOUNT_A])) == {ACCOUNT_A: accepted}
    assert reasons(gd_b.delete_invitations(AccountIds=[ACCOUNT_A])) == {ACCOUNT_A: accepted}


def test_invitations_from_unknown_accounts_are_unprocessed(gd_b):
    resp = gd_b.decline_invitations(AccountIds=[ACCOUNT_C, "12345678901x"])
    assert reasons(resp) == {
        ACCOUNT_C: f"There is no pending invitation from account {ACCOUNT_C}.",
        "12345678901x": "The account id is invalid: it must be 12 digits.",
    }


# ---- listing ---------------------------------------------------------------------------------


def test_list_members_lists_associated_members_unless_told_otherwise(gd, associated):
    a_detector, _ = associated
    gd.create_members(DetectorId=a_detector, AccountDetails=details(ACCOUNT_C))
    listed = [m["AccountId"] for m in gd.list_members(DetectorId=a_detector)["Members"]]
    assert listed == [ACCOUNT_B]
    listed = gd.list_members(DetectorId=a_detector, OnlyAssociated="true")["Members"]
    assert [m["AccountId"] for m in listed] == [ACCOUNT_B]
    listed = gd.list_members(DetectorId=a_detector, OnlyAssociated="false")["Members"]
    assert {m["AccountId"]: m["RelationshipStatus"] for m in listed} == {
        ACCOUNT_B: "Enabled", ACCOUNT_C: "Created"}


def test_list_members_pages(gd, detector_id):
    accounts = [f"4444444444{n:02d}" for n in range(5)]
    gd.create_members(DetectorId=detector_id, AccountDetails=details(*accounts))
    members, pages = page_through(gd.list_members, "Members", 2, DetectorId=detector_id,
                                  OnlyAssociated="false")
    assert [m["AccountId"] for m in members] == accounts
    assert pages == 3


def test_list_invitations_pages_over_administrators(vigil, gd, gd_b, gd_c, detector_id):
    b_detector = detector_of(gd_b)
    c_detector = detector_of(gd_c)
    member_d = vigil.client("444444444444")
    detector_of(member_d)
    for client, admin_detector in ((gd, detector_id), (gd_b, b_detector), (gd_c, c_detector)):
        client.create_members(DetectorId=admin_detector, AccountDetails=details("444444444444"))
        client.invite_members(DetectorId=admin_detector, AccountIds=["444444444444"])
    first = member_d.list_invitations(MaxResults=2)
    assert [i["AccountId"] for i in first["Invitations"]] == [ACCOUNT_A, ACCOUNT_B]
    rest = member_d.list_invitations(MaxResults=2, NextToken=first["NextToken"])
    assert [i["AccountId"] for i in rest["Invitations"]] == [ACCOUNT_C]
    assert "NextToken" not in rest
    assert member_d.get_invitations_count()["InvitationsCount"] == 3


# ---- the rules --------------------------------------------------------------------------------


def test_unprocessed_accounts_say_why(gd, gd_raw, gd_c, associated):
    a_detector, _ = associated
    c_detector = detector_of(gd_c)
    invite_c = gd_c.create_members(DetectorId=c_detector, AccountDetails=details(ACCOUNT_B))
    resp = gd_raw.create_members(
        DetectorId=a_detector,
        AccountDetails=details(ACCOUNT_A, "abcdefghijkl", ACCOUNT_B, "555555555555"))
    assert reasons(resp) == {
        ACCOUNT_A: "The account is the current account; an account cannot be its own member.",
        "abcdefghijkl": "The account id is invalid: it must be 12 digits.",
        ACCOUNT_B: "The account is already a member of the current administrator account "
                   "(status Enabled).",
    }
    assert status_of(gd, a_detector, "555555555555") == "Created"
    # C added B, but B is associated with A: C cannot invite it.
    assert invite_c["UnprocessedAccounts"] == [
        {"AccountId": ACCOUNT_B,
         "Result": f"The account is already a member of administrator account {ACCOUNT_A}."}]
    resp = gd.invite_members(DetectorId=a_detector, AccountIds=[ACCOUNT_B, "666666666666"])
    assert reasons(resp) == {
        ACCOUNT_B: "The account is already associated with the current administrator account "
                   "(status Enabled).",
        "666666666666": "The account is not a member of the current administrator account; add "
                        "it with CreateMembers first.",
    }
    for operation in (gd.start_monitoring_members, gd.stop_monitoring_members,
                      gd.disassociate_members, gd.delete_members):
        resp = operation(DetectorId=a_detector, AccountIds=["777777777777"])
        assert reasons(resp) == {"777777777777": NOT_A_MEMBER}, operation
    resp = gd.start_monitoring_members(DetectorId=a_detector, AccountIds=["555555555555"])
    assert reasons(resp) == {"555555555555": "The account is not associated with the current "
                                             "administrator account (status Created)."}


def test_a_member_accepts_one_administrator(gd, gd_b, gd_c, accounts):
    a_detector, b_detector = accounts
    c_detector = detector_of(gd_c)
    from_a = invite(gd, a_detector, gd_b, ACCOUNT_B)
    gd_c.create_members(DetectorId=c_detector, AccountDetails=details(ACCOUNT_B))
    gd_c.invite_members(DetectorId=c_detector, AccountIds=[ACCOUNT_B])
    from_c = next(i["InvitationId"] for i in gd_b.list_invitations()["Invitations"]
                  if i["AccountId"] == ACCOUNT_C)
    gd_b.accept_administrator_invitation(DetectorId=b_detector, AdministratorId=ACCOUNT_A,
                                         InvitationId=from_a)
    expect_error(lambda: gd_b.accept_administrator_invitation(
        DetectorId=b_detector, AdministratorId=ACCOUNT_C, InvitationId=from_c),
        message="The request is rejected because the current account is already associated "
                f"with administrator account {ACCOUNT_A}; disassociate from it before accepting "
                "another invitation.", invalid_input=True)
    assert status_of(gd_c, c_detector, ACCOUNT_B) == "Invited"
    # Once B has left A, it may accept C.
    gd_b.disassociate_from_administrator_account(DetectorId=b_detector)
    gd_b.accept_administrator_invitation(DetectorId=b_detector, AdministratorId=ACCOUNT_C,
                                         InvitationId=from_c)
    assert status_of(gd_c, c_detector, ACCOUNT_B) == "Enabled"


def test_an_account_is_not_both_administrator_and_member(gd_b, gd_c, associated):
    _, b_detector = associated
    c_detector = detector_of(gd_c)
    # B is a member: it cannot have members of its own.
    expect_error(lambda: gd_b.create_members(DetectorId=b_detector,
                                             AccountDetails=details(ACCOUNT_C)),
                 param=ACCOUNT_A, invalid_input=True)
    # A has a member: it cannot become one.
    resp = gd_c.create_members(DetectorId=c_detector, AccountDetails=details(ACCOUNT_A))
    assert reasons(resp) == {ACCOUNT_A: "The account is an administrator account with invited "
                                        "or associated members and cannot become a member."}


def test_an_administrator_cannot_accept_an_invitation(gd, gd_c, detector_id):
    # C invites A; then A invites D. A, now an administrator, may not accept C.
    c_detector = detector_of(gd_c)
    gd_c.create_members(DetectorId=c_detector, AccountDetails=details(ACCOUNT_A))
    gd_c.invite_members(DetectorId=c_detector, AccountIds=[ACCOUNT_A])
    (from_c,) = gd.list_invitations()["Invitations"]
    gd.create_members(DetectorId=detector_id, AccountDetails=details("444444444444"))
    gd.invite_members(DetectorId=detector_id, AccountIds=["444444444444"])
    expect_error(lambda: gd.accept_administrator_invitation(
        DetectorId=detector_id, AdministratorId=ACCOUNT_C, InvitationId=from_c["InvitationId"]),
        message="The request is rejected because the current account has invited or "
                "associated members; an administrator account cannot become a member.",
        invalid_input=True)
    assert status_of(gd_c, c_detector, ACCOUNT_A) == "Invited"


def test_accepting_needs_the_right_invitation(gd, gd_b, accounts):
    a_detector, b_detector = accounts
    invite(gd, a_detector, gd_b, ACCOUNT_B)
    expect_error(lambda: gd_b.accept_administrator_invitation(
        DetectorId=b_detector, AdministratorId=ACCOUNT_A, InvitationId=UNKNOWN_ID),
        param="invitationId", invalid_input=True)
    expect_error(lambda: gd_b.accept_administrator_invitation(
        DetectorId=b_detector, AdministratorId=ACCOUNT_C, InvitationId=UNKNOWN_ID),
        message="The request is rejected because there is no pending invitation from account "
                f"{ACCOUNT_C}.", invalid_input=True)
    expect_error(lambda: gd_b.accept_administrator_invitation(
        DetectorId=UNKNOWN_ID, AdministratorId=ACCOUNT_A, InvitationId=UNKNOWN_ID),
        message=NOT_OWNED)
    expect_error(lambda: gd_b.accept_administrator_invitation(
        DetectorId=b_detector, AdministratorId="12345678901x", InvitationId=UNKNOWN_ID),
        param="administratorId", invalid_input=True)
    assert status_of(gd, a_detector, ACCOUNT_B) == "Invited"


def test_disassociating_without_an_administrator_fails(gd_b, accounts):
    _, b_detector = accounts
    expect_error(lambda: gd_b.disassociate_from_administrator_account(DetectorId=b_detector),
                 message="The request is rejected because the current account is not "
                         "associated with an administrator account.", invalid_input=True)


def test_delete_detector_is_refused_while_members_are_invited_or_associated(gd, gd_b, accounts):
    a_detector, _ = accounts
    invite(gd, a_detector, gd_b, ACCOUNT_B)
    expect_error(lambda: gd.delete_detector(DetectorId=a_detector), message=CANNOT_DELETE)
    gd_b.accept_administrator_invitation(
        DetectorId=accounts[1], AdministratorId=ACCOUNT_A,
        InvitationId=gd_b.list_invitations()["Invitations"][0]["InvitationId"])
    expect_error(lambda: gd.delete_detector(DetectorId=a_detector), message=CANNOT_DELETE)
    gd.disassociate_members(DetectorId=a_detector, AccountIds=[ACCOUNT_B])
    gd.delete_detector(DetectorId=a_detector)
    # The member records went with the detector.
    new_detector = detector_of(gd)
    assert gd.list_members(DetectorId=new_detector, OnlyAssociated="false")["Members"] == []


# ---- member detectors -------------------------------------------------------------------------


def test_member_detectors_are_read_and_changed_by_the_administrator(gd, gd_b, associated):
    a_detector, b_detector = associated
    resp = gd.get_member_detectors(DetectorId=a_detector, AccountIds=[ACCOUNT_B, ACCOUNT_C])
    (configuration,) = resp["MemberDataSourceConfigurations"]
    assert configuration["AccountId"] == ACCOUNT_B
    sources = configuration["DataSources"]
    assert sources["S3Logs"]["Status"] == "ENABLED"
    assert sources["FlowLogs"]["Status"] == "ENABLED"
    assert sources["Kubernetes"]["AuditLogs"]["Status"] == "ENABLED"
    assert reasons(resp) == {ACCOUNT_C: NOT_A_MEMBER}

    resp = gd.update_member_detectors(
        DetectorId=a_detector, AccountIds=[ACCOUNT_B, ACCOUNT_C],
        DataSources={"S3Logs": {"Enable": False}, "Kubernetes": {"AuditLogs": {"Enable": False}}})
    assert reasons(resp) == {ACCOUNT_C: NOT_A_MEMBER}
    member_view = gd_b.get_detector(DetectorId=b_detector)["DataSources"]
    assert member_view["S3Logs"]["Status"] == "DISABLED"
    assert member_view["Kubernetes"]["AuditLogs"]["Status"] == "DISABLED"
    admin_view = gd.get_member_detectors(DetectorId=a_detector, AccountIds=[ACCOUNT_B])
    assert admin_view["MemberDataSourceConfigurations"][0]["DataSources"]["S3Logs"]["Status"] == "DISABLED"
    # The administrator's own detector is untouched.
    assert gd.get_detector(DetectorId=a_detector)["DataSources"]["S3Logs"]["Status"] == "ENABLED"


def test_member_detectors_need_an_associated_member(gd, gd_c, detector_id):
    detector_of(gd_c)
    gd.create_members(DetectorId=detector_id, AccountDetails=details(ACCOUNT_C))
    resp = gd.get_member_detectors(DetectorId=detector_id, AccountIds=[ACCOUNT_C])
    assert resp["MemberDataSourceConfigurations"] == []
    assert reasons(resp) == {ACCOUNT_C: "The account is not associated with the current "
                                        "administrator account (status Created)."}


def test_a_member_without_a_detector_has_no_data_sources(gd, gd_b, associated):
    a_detector, b_detector = associated
    gd_b.delete_detector(DetectorId=b_detector)
    assert "DetectorId" not in member(gd, a_detector, ACCOUNT_B)
    resp = gd.get_member_detectors(DetectorId=a_detector, AccountIds=[ACCOUNT_B])
    assert resp["MemberDataSourceConfigurations"] == []
    assert reasons(resp) == {ACCOUNT_B: "The account has no detector in us-east-1."}


def test_update_member_detectors_checks_data_sources(gd_b, gd_raw, associated):
    a_detector, b_detector = associated
    for bad in ({"S3Logs": {}}, {"S3Logs": {"Enable": "no"}}, {"Kubernetes": {}}):
        expect_error(lambda: gd_raw.update_member_detectors(
            DetectorId=a_detector, AccountIds=[ACCOUNT_B], DataSources=bad),
            param="dataSources", invalid_input=True)
    assert gd_b.get_detector(DetectorId=b_detector)["DataSources"]["S3Logs"]["Status"] == "ENABLED"


# ---- isolation --------------------------------------------------------------------------------


def test_other_accounts_and_regions_see_none_of_it(vigil, gd, gd_c, gd_eu, associated):
    a_detector, _ = associated
    gd.create_members(DetectorId=a_detector, AccountDetails=details(ACCOUNT_C))
    gd.invite_members(DetectorId=a_detector, AccountIds=[ACCOUNT_C])
    # B in another region has no invitation and no administrator there.
    b_eu = vigil.client(ACCOUNT_B, OTHER_REGION)
    b_eu_detector = detector_of(b_eu)
    assert b_eu.list_invitations()["Invitations"] == []
    assert b_eu.get_administrator_account(DetectorId=b_eu_detector).get("Administrator") is None
    # A in another region has no members.
    a_eu_detector = detector_of(gd_eu)
    assert gd_eu.list_members(DetectorId=a_eu_detector, OnlyAssociated="false")["Members"] == []
    # C sees its own invitation only; it cannot read A's members through its own detector.
    assert [i["AccountId"] for i in gd_c.list_invitations()["Invitations"]] == [ACCOUNT_A]
    c_detector = detector_of(gd_c)
    assert gd_c.list_members(DetectorId=c_detector, OnlyAssociated="false")["Members"] == []
    expect_error(lambda: gd_c.list_members(DetectorId=a_detector), message=NOT_OWNED)


# ---- error cases of every operation ------------------------------------------------------------

BATCH_OPERATIONS = ["invite_members", "get_members", "delete_members", "disassociate_members",
                    "start_monitoring_members", "stop_monitoring_members",
                    "get_member_detectors", "update_member_detectors"]


@pytest.mark.parametrize("operation", BATCH_OPERATIONS + ["create_members"])
def test_administrator_operations_need_an_owned_detector(gd, gd_b, operation):
    b_detector = detector_of(gd_b)
    if operation == "create_members":
        params = {"AccountDetails": details(ACCOUNT_C)}
    else:
        params = {"AccountIds": [ACCOUNT_C]}
    for foreign in (UNKNOWN_ID, b_detector):
        expect_error(lambda: getattr(gd, operation)(DetectorId=foreign, **params),
                     message=NOT_OWNED)


@pytest.mark.parametrize("operation", BATCH_OPERATIONS)
def test_batch_operations_check_their_account_ids(gd_raw, detector_id, operation):
    call = getattr(gd_raw, operation)
    too_many = [f"{n:012d}" for n in range(1, 52)]
    for account_ids in ([], too_many, ["12345"], [123456789012]):
        expect_error(lambda: call(DetectorId=detector_id, AccountIds=account_ids),
                     param="accountIds", invalid_input=True)
    expect_error(lambda: call(DetectorId=detector_id), param="accountIds", invalid_input=True)
    # Fifty is the most one call takes.
    resp = call(DetectorId=detector_id, AccountIds=too_many[:50])
    assert len(resp["UnprocessedAccounts"]) == 50


@pytest.mark.parametrize("operation", ["decline_invitations", "delete_invitations"])
def test_invitation_batches_check_their_account_ids(gd_raw, operation):
    call = getattr(gd_raw, operation)
    for account_ids in ([], [f"{n:012d}" for n in range(1, 52)], ["1234567890123"]):
        expect_error(lambda: call(AccountIds=account_ids), param="accountIds", invalid_input=True)
    expect_error(lambda: call(), param="accountIds", invalid_input=True)


def test_create_members_checks_its_account_details(gd_raw, detector_id):
    bad_details = [
        [],
        [{"AccountId": ACCOUNT_B}],
        [{"Email": "b@example.com"}],
        [{"AccountId": "1234", "Email": "b@example.com"}],
        [{"AccountId": ACCOUNT_B, "Email": ""}],
        [{"AccountId": ACCOUNT_B, "Email": "x" * 65}],
        details(*[f"{n:012d}" for n in range(1, 52)]),
    ]
    for account_details in bad_details:
        expect_error(lambda: gd_raw.create_members(DetectorId=detector_id,
                                                   AccountDetails=account_details),
                     param="accountDetails", invalid_input=True)
    expect_error(lambda: gd_raw.create_members(DetectorId=detector_id),
                 param="accountDetails", invalid_input=True)


def test_list_members_checks_its_parameters(gd_raw, detector_id):
    expect_error(lambda: gd_raw.list_members(DetectorId=detector_id, OnlyAssociated="yes"),
                 param="onlyAssociated", invalid_input=True)
    for max_results in (0, 51):
        expect_error(lambda: gd_raw.list_members(DetectorId=detector_id, MaxResults=max_results),
                     param="maxResults", invalid_input=True)
    expect_error(lambda: gd_raw.list_members(DetectorId=detector_id, NextToken="not-a-token"),
                 param="nextToken", invalid_input=True)
    expect_error(lambda: gd_raw.list_members(DetectorId=UNKNOWN_ID), message=NOT_OWNED)


def test_list_invitations_checks_its_parameters(gd_raw):
    for max_results in (0, 51):
        expect_error(lambda: gd_raw.list_invitations(MaxResults=max_results),
                     param="maxResults", invalid_input=True)
    expect_error(lambda: gd_raw.list_invitations(NextToken="not-a-token"), param="nextToken",
                 invalid_input=True)


@pytest.mark.parametrize("operation,administrator_key", [
    ("accept_administrator_invitation", "AdministratorId"),
    ("accept_invitation", "MasterId"),
])
def test_accept_needs_its_required_members(gd_raw, detector_id, operation, administrator_key):
    call = getattr(gd_raw, operation)
    wire_key = administrator_key[0].lower() + administrator_key[1:]
    expect_error(lambda: call(DetectorId=detector_id, InvitationId=UNKNOWN_ID),
                 param=wire_key, invalid_input=True)
    expect_error(lambda: call(DetectorId=detector_id, **{administrator_key: ACCOUNT_B}),
                 param="invitationId", invalid_input=True)
    expect_error(lambda: call(DetectorId=detector_id, InvitationId=UNKNOWN_ID,
                              **{administrator_key: ACCOUNT_A}),
                 param=wire_key, invalid_input=True)


@pytest.mark.parametrize("operation", ["get_administrator_account", "get_master_account",
                                       "disassociate_from_administrator_account",
                                       "disassociate_from_master_account"])
def test_member_operations_need_an_owned_detector(gd, gd_b, operation):
    b_detector = detector_of(gd_b)
    for foreign in (UNKNOWN_ID, b_detector):
        expect_error(lambda: getattr(gd, operation)(DetectorId=foreign), message=NOT_OWNED)
