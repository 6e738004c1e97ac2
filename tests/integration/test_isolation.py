"""Each (account, region) sees only its own detectors, filters, sets and tags."""

import json

import pytest

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    IPSET,
    NOT_OWNED,
    OTHER_REGION,
    SAMPLE_CRITERIA,
    THREAT_INTEL_SET,
    arn,
    assert_json_error,
    expect_error,
    strip_metadata,
    wait_for_status,
)


@pytest.fixture
def estate(gd, list_file):
    """Account A's detector with one of everything, all tagged: an ACTIVE IPSet (a real file)
    and a ThreatIntelSet in ERROR (an S3 location the shared server cannot read). Statuses
    have settled, so snapshots taken before and after an outsider's call compare equal."""
    detector_id = gd.create_detector(Enable=True, Tags={"owner": "a"})["DetectorId"]
    gd.create_filter(DetectorId=detector_id, Name="a-filter", FindingCriteria=SAMPLE_CRITERIA,
                     Tags={"owner": "a"})
    ip_set_id = IPSET.create(gd, detector_id, location=list_file("192.0.2.0/24\n"),
                             Tags={"owner": "a"})
    tis_id = THREAT_INTEL_SET.create(gd, detector_id, Tags={"owner": "a"})
    wait_for_status(IPSET, gd, detector_id, ip_set_id, "ACTIVE")
    wait_for_status(THREAT_INTEL_SET, gd, detector_id, tis_id, "ERROR")
    return {
        "detector_id": detector_id,
        "ip_set_id": ip_set_id,
        "tis_id": tis_id,
        "arns": [arn(detector_id), arn(detector_id, "filter/a-filter"),
                 arn(detector_id, f"ipset/{ip_set_id}"),
                 arn(detector_id, f"threatintelset/{tis_id}")],
    }


def snapshot(gd, estate):
    d = estate["detector_id"]
    detector = strip_metadata(gd.get_detector(DetectorId=d))
    return {
        "detectors": gd.list_detectors()["DetectorIds"],
        "detector": detector,
        "filters": gd.list_filters(DetectorId=d)["FilterNames"],
        "filter": strip_metadata(gd.get_filter(DetectorId=d, FilterName="a-filter")),
        "ipset": strip_metadata(IPSET.get(gd, d, estate["ip_set_id"])),
        "tis": strip_metadata(THREAT_INTEL_SET.get(gd, d, estate["tis_id"])),
        "tags": [gd.list_tags_for_resource(ResourceArn=a)["Tags"] for a in estate["arns"]],
    }


def foreign_calls(client, estate):
    d, ip, tis = estate["detector_id"], estate["ip_set_id"], estate["tis_id"]
    return {
        "GetDetector": lambda: client.get_detector(DetectorId=d),
        "UpdateDetector": lambda: client.update_detector(DetectorId=d, Enable=False,
                                                         FindingPublishingFrequency="ONE_HOUR"),
        "DeleteDetector": lambda: client.delete_detector(DetectorId=d),
        "ListFilters": lambda: client.list_filters(DetectorId=d),
        "GetFilter": lambda: client.get_filter(DetectorId=d, FilterName="a-filter"),
        "CreateFilter": lambda: client.create_filter(DetectorId=d, Name="intruder",
                                                     FindingCriteria=SAMPLE_CRITERIA),
        "UpdateFilter": lambda: client.update_filter(DetectorId=d, FilterName="a-filter",
                                                     Action="ARCHIVE"),
        "DeleteFilter": lambda: client.delete_filter(DetectorId=d, FilterName="a-filter"),
        "ListIPSets": lambda: IPSET.list(client, d),
        "GetIPSet": lambda: IPSET.get(client, d, ip),
        "CreateIPSet": lambda: IPSET.create(client, d),
        "UpdateIPSet": lambda: IPSET.update(client, d, ip, Activate=False),
        "DeleteIPSet": lambda: IPSET.delete(client, d, ip),
        "ListThreatIntelSets": lambda: THREAT_INTEL_SET.list(client, d),
        "GetThreatIntelSet": lambda: THREAT_INTEL_SET.get(client, d, tis),
        "CreateThreatIntelSet": lambda: THREAT_INTEL_SET.create(client, d),
        "UpdateThreatIntelSet": lambda: THREAT_INTEL_SET.update(client, d, tis, Name="mine"),
        "DeleteThreatIntelSet": lambda: THREAT_INTEL_SET.delete(client, d, tis),
    }


FOREIGN_OPS = sorted(foreign_calls(None, {"detector_id": 0, "ip_set_id": 0, "tis_id": 0}))


@pytest.fixture(params=["other-account", "other-region"])
def outsider(request, gd_b, gd_eu):
    return gd_b if request.param == "other-account" else gd_eu


@pytest.mark.parametrize("operation", FOREIGN_OPS)
def test_outsider_cannot_touch_detector_or_children(gd, estate, outsider, operation):
    before = snapshot(gd, estate)
    expect_error(foreign_calls(outsider, estate)[operation], message=NOT_OWNED, invalid_input=True)
    assert snapshot(gd, estate) == before


@pytest.mark.parametrize("operation", ["GetDetector", "ListFilters", "DeleteFilter"])
def test_outsider_with_own_detector_still_cannot_touch(gd, estate, outsider, operation):
    own = outsider.create_detector(Enable=True)["DetectorId"]
    assert own != estate["detector_id"]
    before = snapshot(gd, estate)
    expect_error(foreign_calls(outsider, estate)[operation], message=NOT_OWNED)
    assert snapshot(gd, estate) == before


def test_outsider_lists_do_not_show_detector(gd, gd_b, gd_eu, raw_http, estate):
    assert gd_b.list_detectors()["DetectorIds"] == []
    assert gd_eu.list_detectors()["DetectorIds"] == []
    status, _, body = raw_http("GET", "/detector")  # default account 123456789012
    assert status == 200
    assert json.loads(body)["detectorIds"] == []
    assert gd.list_detectors()["DetectorIds"] == [estate["detector_id"]]


def test_outsider_cannot_tag_or_read_tags(gd, estate, outsider):
    before = snapshot(gd, estate)
    for resource_arn in estate["arns"]:
        expect_error(lambda: outsider.tag_resource(ResourceArn=resource_arn, Tags={"owner": "b"}))
        expect_error(lambda: outsider.untag_resource(ResourceArn=resource_arn,
                                                     TagKeys=["owner"]))
        expect_error(lambda: outsider.list_tags_for_resource(ResourceArn=resource_arn))
    assert snapshot(gd, estate) == before


def test_own_account_arn_with_foreign_detector_id_rejected(gd, gd_b, estate):
    """Account B rewrites A's ARN to its own account: the detector is not B's."""
    forged = arn(estate["detector_id"], account=ACCOUNT_B)
    expect_error(lambda: gd_b.tag_resource(ResourceArn=forged, Tags={"owner": "b"}),
                 invalid_input=True)
    expect_error(lambda: gd_b.list_tags_for_resource(ResourceArn=forged), invalid_input=True)
    assert gd.list_tags_for_resource(ResourceArn=arn(estate["detector_id"]))["Tags"] == {
        "owner": "a"}


def test_raw_default_account_cannot_read_account_a(raw_http, estate):
    status, headers, body = raw_http("GET", f"/detector/{estate['detector_id']}")
    doc = assert_json_error(status, headers, body)
    assert doc["message"] == NOT_OWNED
    assert doc["__type"] == "InvalidInputException"


def test_deleting_one_accounts_detector_leaves_others(gd, gd_b, gd_eu, estate):
    id_b = gd_b.create_detector(Enable=True, Tags={"owner": "b"})["DetectorId"]
    id_eu = gd_eu.create_detector(Enable=False)["DetectorId"]
    gd_b.create_filter(DetectorId=id_b, Name="a-filter", FindingCriteria={"Criterion": {
        "severity": {"Gte": 8}}})

    gd.delete_detector(DetectorId=estate["detector_id"])

    assert gd_b.get_detector(DetectorId=id_b)["Tags"] == {"owner": "b"}
    assert gd_b.get_filter(DetectorId=id_b, FilterName="a-filter")["FindingCriteria"] == {
        "Criterion": {"severity": {"Gte": 8}}}
    assert gd_b.list_tags_for_resource(ResourceArn=arn(id_b, account=ACCOUNT_B))["Tags"] == {
        "owner": "b"}
    assert gd_eu.get_detector(DetectorId=id_eu)["Status"] == "DISABLED"
    assert gd_eu.list_detectors()["DetectorIds"] == [id_eu]
    assert gd.list_detectors()["DetectorIds"] == []


def test_same_names_in_two_accounts_are_independent(gd, gd_b, estate):
    id_b = gd_b.create_detector(Enable=True)["DetectorId"]
    gd_b.create_filter(DetectorId=id_b, Name="a-filter", Description="b's own",
                       FindingCriteria=SAMPLE_CRITERIA)
    gd_b.tag_resource(ResourceArn=arn(id_b, "filter/a-filter", account=ACCOUNT_B),
                      Tags={"owner": "b"})
    assert gd.get_filter(DetectorId=estate["detector_id"], FilterName="a-filter")["Tags"] == {
        "owner": "a"}
    got_b = gd_b.get_filter(DetectorId=id_b, FilterName="a-filter")
    assert (got_b["Description"], got_b["Tags"]) == ("b's own", {"owner": "b"})
    # B's IPSet does not count toward A's one-IPSet limit and vice versa.
    IPSET.create(gd_b, id_b)


def test_regional_arn_uses_the_callers_region(gd_eu):
    detector_id = gd_eu.create_detector(Enable=True)["DetectorId"]
    eu_arn = arn(detector_id, region=OTHER_REGION, account=ACCOUNT_A)
    gd_eu.tag_resource(ResourceArn=eu_arn, Tags={"region": "eu"})
    assert gd_eu.list_tags_for_resource(ResourceArn=eu_arn)["Tags"] == {"region": "eu"}
    assert gd_eu.get_detector(DetectorId=detector_id)["Tags"] == {"region": "eu"}
