"""What membership means, as in GuardDuty: an administrator sees, counts, archives and
rates its Enabled members' findings; its IPSets and ThreatIntelSets apply to its members'
detection; members cannot manage lists; its findingPublishingFrequency applies to members.

Account A (111111111111) administers B (222222222222); C (333333333333) stays outside.
"""

import pytest

from conftest import ACCOUNT_A, ACCOUNT_B, ACCOUNT_C, IPSET, THREAT_INTEL_SET, VigilServer, \
    expect_error
from test_detection import (EC2_CUSTOM, LOCAL_IP, PORTSCAN, T0, THREAT_IP, all_findings,
                            benign_flows, flow, ingest_ok, interleave, make_set, text)
from test_members import accounts, associate, associated, detector_of  # noqa: F401 (fixtures)
from test_publishing import MINUTE, SSH, advance, events_in, sample

MEMBERS_CANNOT = ("The request is rejected because member accounts cannot manage IPSets or "
                  "ThreatIntelSets.")


def finding_ids(client, detector_id, criteria=None):
    return {f["Id"] for f in all_findings(client, detector_id, criteria)}


def accounts_of(client, detector_id):
    return sorted(f["AccountId"] for f in all_findings(client, detector_id))


# ---- findings -------------------------------------------------------------------------------


def test_the_administrator_sees_its_enabled_members_findings(gd, gd_b, associated):
    a_detector, b_detector = associated
    sample(gd, a_detector, SSH)
    sample(gd_b, b_detector, PORTSCAN)
    assert accounts_of(gd, a_detector) == [ACCOUNT_A, ACCOUNT_B]
    assert accounts_of(gd_b, b_detector) == [ACCOUNT_B], "a member sees only its own"

    by_account = all_findings(gd, a_detector, {"Criterion": {"accountId": {"Eq": [ACCOUNT_B]}}})
    assert [(f["AccountId"], f["Type"]) for f in by_account] == [(ACCOUNT_B, PORTSCAN)]
    not_b = all_findings(gd, a_detector, {"Criterion": {"accountId": {"Neq": [ACCOUNT_B]}}})
    assert [f["AccountId"] for f in not_b] == [ACCOUNT_A]

    stats = gd.get_findings_statistics(DetectorId=a_detector,
                                       FindingStatisticTypes=["COUNT_BY_SEVERITY"])
    assert sum(stats["FindingStatistics"]["CountBySeverity"].values()) == 2
    member_stats = gd_b.get_findings_statistics(DetectorId=b_detector,
                                                FindingStatisticTypes=["COUNT_BY_SEVERITY"])
    assert sum(member_stats["FindingStatistics"]["CountBySeverity"].values()) == 1


def test_the_administrator_archives_and_rates_member_findings(gd, gd_b, associated):
    a_detector, b_detector = associated
    sample(gd_b, b_detector, PORTSCAN)
    (finding_id,) = finding_ids(gd_b, b_detector)
    gd.archive_findings(DetectorId=a_detector, FindingIds=[finding_id])
    gd.update_findings_feedback(DetectorId=a_detector, FindingIds=[finding_id],
                                Feedback="USEFUL")
    (seen_by_member,) = gd_b.get_findings(DetectorId=b_detector,
                                          FindingIds=[finding_id])["Findings"]
    assert seen_by_member["Service"]["Archived"] is True
    assert seen_by_member["Service"]["UserFeedback"] == "USEFUL"
    gd.unarchive_findings(DetectorId=a_detector, FindingIds=[finding_id])
    (seen_by_member,) = gd_b.get_findings(DetectorId=b_detector,
                                          FindingIds=[finding_id])["Findings"]
    assert seen_by_member["Service"]["Archived"] is False


def test_findings_of_stopped_removed_and_outside_accounts_are_not_seen(gd, gd_b, gd_c,
                                                                        associated):
    a_detector, b_detector = associated
    c_detector = detector_of(gd_c)
    sample(gd_b, b_detector, PORTSCAN)
    sample(gd_c, c_detector, PORTSCAN)
    (b_finding,) = finding_ids(gd_b, b_detector)
    assert finding_ids(gd, a_detector) == {b_finding}, "C is no member: its finding stays its own"

    gd.stop_monitoring_members(DetectorId=a_detector, AccountIds=[ACCOUNT_B])
    assert finding_ids(gd, a_detector) == set()
    assert gd.get_findings(DetectorId=a_detector, FindingIds=[b_finding])["Findings"] == []
    gd.start_monitoring_members(DetectorId=a_detector, AccountIds=[ACCOUNT_B])
    assert finding_ids(gd, a_detector) == {b_finding}

    gd.disassociate_members(DetectorId=a_detector, AccountIds=[ACCOUNT_B])
    assert finding_ids(gd, a_detector) == set()
    gd.archive_findings(DetectorId=a_detector, FindingIds=[b_finding])  # names nothing of A's
    (still,) = gd_b.get_findings(DetectorId=b_detector, FindingIds=[b_finding])["Findings"]
    assert still["Service"]["Archived"] is False


# ---- lists ------------------------------------------------------------------------------------


def test_members_cannot_manage_lists_until_they_leave(gd, gd_b, accounts, list_file):
    a_detector, b_detector = accounts
    own = IPSET.create(gd_b, b_detector, location=list_file("192.0.2.1\n", "own.txt"))
    associate(gd, a_detector, gd_b, b_detector, ACCOUNT_B)
    for kind in (IPSET, THREAT_INTEL_SET):
        expect_error(lambda: kind.create(gd_b, b_detector, name="mine",
                                         location=list_file("192.0.2.2\n", "mine.txt")),
                     message=MEMBERS_CANNOT, invalid_input=True)
    expect_error(lambda: IPSET.update(gd_b, b_detector, own, Name="renamed"),
                 message=MEMBERS_CANNOT, invalid_input=True)
    expect_error(lambda: IPSET.delete(gd_b, b_detector, own), message=MEMBERS_CANNOT,
                 invalid_input=True)
    assert IPSET.get(gd_b, b_detector, own)["Name"] == "list-1", "reading stays allowed"
    assert IPSET.list(gd_b, b_detector)["IpSetIds"] == [own]

    gd_b.disassociate_from_administrator_account(DetectorId=b_detector)
    IPSET.update(gd_b, b_detector, own, Name="renamed")
    assert IPSET.get(gd_b, b_detector, own)["Name"] == "renamed"


def test_the_administrators_threat_list_applies_to_member_detection(vigil, gd, gd_b, gd_c,
                                                                    associated, list_file):
    a_detector, b_detector = associated
    c_detector = detector_of(gd_c)
    make_set(THREAT_INTEL_SET, gd, a_detector, list_file, f"{THREAT_IP}\n", "admin-feed")
    attack = [flow(THREAT_IP, LOCAL_IP, 33000, 443, T0 + 100, packets=4)]
    logs = text(interleave(benign_flows(), attack))

    doc = ingest_ok(vigil, b_detector, "flowlogs", logs, account=ACCOUNT_B)
    assert doc["findingsCreated"] == 1, doc
    (found,) = all_findings(gd_b, b_detector)
    assert (found["Type"], found["AccountId"]) == (EC2_CUSTOM, ACCOUNT_B)
    assert found["Id"] in finding_ids(gd, a_detector), "the administrator sees it too"

    doc = ingest_ok(vigil, c_detector, "flowlogs", logs, account=ACCOUNT_C)
    assert doc["findingsCreated"] == 0, "A's list is nothing to an account outside"


# ---- publishing -------------------------------------------------------------------------------


@pytest.fixture
def clocked_pair(tmp_path):
    """A server on the test clock publishing to a file; B an Enabled member of A, whose
    detector publishes every FIFTEEN_MINUTES while B's own says SIX_HOURS."""
    events = tmp_path / "events.jsonl"
    server = VigilServer(in_memory=True,
                         extra_args=["--test-clock", "--publish-file", str(events)]).start()
    admin, member = server.client(ACCOUNT_A), server.client(ACCOUNT_B)
    a_detector = admin.create_detector(Enable=True,
                                       FindingPublishingFrequency="FIFTEEN_MINUTES")["DetectorId"]
    b_detector = member.create_detector(Enable=True,
                                        FindingPublishingFrequency="SIX_HOURS")["DetectorId"]
    associate(admin, a_detector, member, b_detector, ACCOUNT_B)
    yield server, member, b_detector, events
    assert server.stop() == 0, server.stderr()


def test_the_administrators_publishing_frequency_applies_to_members(clocked_pair):
    server, member, b_detector, events = clocked_pair
    sample(member, b_detector, SSH)
    advance(server, 0)
    assert [e["account"] for e in events_in(events)] == [ACCOUNT_B]
    sample(member, b_detector, SSH)  # an update of the same finding
    advance(server, 14 * MINUTE)
    assert len(events_in(events)) == 1
    advance(server, MINUTE)
    published = events_in(events)
    assert len(published) == 2, "the update waited for A's FIFTEEN_MINUTES, not B's SIX_HOURS"
    assert published[1]["detail"]["service"]["count"] == 2
