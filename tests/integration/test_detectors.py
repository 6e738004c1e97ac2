"""Detector lifecycle: CreateDetector, GetDetector, UpdateDetector, DeleteDetector, ListDetectors."""

import datetime
import time

import pytest

from conftest import (
    ACCOUNT_A,
    DETECTOR_EXISTS,
    HEX32_RE,
    IPSET,
    ISO_MS_RE,
    NOT_OWNED,
    SAMPLE_CRITERIA,
    THREAT_INTEL_SET,
    UNKNOWN_ID,
    arn,
    expect_error,
    page_through,
    parse_iso_ms,
)

SERVICE_ROLE = (
    "arn:aws:iam::{}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"
)


def data_source_statuses(detector):
    ds = detector["DataSources"]
    return {
        "cloudTrail": ds["CloudTrail"]["Status"],
        "dnsLogs": ds["DNSLogs"]["Status"],
        "flowLogs": ds["FlowLogs"]["Status"],
        "s3Logs": ds["S3Logs"]["Status"],
        "kubernetes": ds["Kubernetes"]["AuditLogs"]["Status"],
        "malwareProtection": ds["MalwareProtection"]["ScanEc2InstanceWithFindings"]["EbsVolumes"][
            "Status"
        ],
    }


ALL_ENABLED = {k: "ENABLED" for k in
               ("cloudTrail", "dnsLogs", "flowLogs", "s3Logs", "kubernetes", "malwareProtection")}

# The DataSources argument that turns off one optional data source.
DISABLE = {
    "s3Logs": {"S3Logs": {"Enable": False}},
    "kubernetes": {"Kubernetes": {"AuditLogs": {"Enable": False}}},
    "malwareProtection": {"MalwareProtection": {"ScanEc2InstanceWithFindings": {"EbsVolumes": False}}},
}


def test_create_detector_returns_hex_id_and_lists_it(gd):
    resp = gd.create_detector(Enable=True)
    assert HEX32_RE.match(resp["DetectorId"]), resp
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert resp["ResponseMetadata"]["RequestId"]
    assert gd.list_detectors()["DetectorIds"] == [resp["DetectorId"]]


def test_get_detector_defaults(gd, detector_id):
    det = gd.get_detector(DetectorId=detector_id)
    assert ISO_MS_RE.match(det["CreatedAt"]), det["CreatedAt"]
    assert ISO_MS_RE.match(det["UpdatedAt"]), det["UpdatedAt"]
    created = parse_iso_ms(det["CreatedAt"])
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - created).total_seconds()) < 120, (det["CreatedAt"], now)
    assert det["UpdatedAt"] >= det["CreatedAt"]
    assert det["FindingPublishingFrequency"] == "SIX_HOURS"
    assert det["ServiceRole"] == SERVICE_ROLE.format(ACCOUNT_A)
    assert det["Status"] == "ENABLED"
    assert data_source_statuses(det) == ALL_ENABLED
    assert det["Tags"] == {}


def test_create_disabled_detector(gd):
    detector_id = gd.create_detector(Enable=False)["DetectorId"]
    assert gd.get_detector(DetectorId=detector_id)["Status"] == "DISABLED"


def test_create_detector_with_options(gd):
    detector_id = gd.create_detector(
        Enable=True,
        FindingPublishingFrequency="FIFTEEN_MINUTES",
        DataSources={**DISABLE["s3Logs"], **DISABLE["kubernetes"], **DISABLE["malwareProtection"]},
        Tags={"team": "security", "env": "prod"},
    )["DetectorId"]
    det = gd.get_detector(DetectorId=detector_id)
    assert det["FindingPublishingFrequency"] == "FIFTEEN_MINUTES"
    assert data_source_statuses(det) == {
        **ALL_ENABLED, "s3Logs": "DISABLED", "kubernetes": "DISABLED",
        "malwareProtection": "DISABLED",
    }
    assert det["Tags"] == {"team": "security", "env": "prod"}


@pytest.mark.parametrize("source", sorted(DISABLE))
def test_create_detector_disables_only_the_given_data_source(gd, source):
    detector_id = gd.create_detector(Enable=True, DataSources=DISABLE[source])["DetectorId"]
    det = gd.get_detector(DetectorId=detector_id)
    assert data_source_statuses(det) == {**ALL_ENABLED, source: "DISABLED"}


@pytest.mark.parametrize("frequency", ["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"])
def test_create_detector_each_frequency(gd, frequency):
    detector_id = gd.create_detector(Enable=True, FindingPublishingFrequency=frequency)["DetectorId"]
    assert gd.get_detector(DetectorId=detector_id)["FindingPublishingFrequency"] == frequency


def test_update_detector_is_partial(gd):
    detector_id = gd.create_detector(
        Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES", DataSources=DISABLE["kubernetes"],
        Tags={"k": "v"},
    )["DetectorId"]
    before = gd.get_detector(DetectorId=detector_id)

    time.sleep(0.05)
    resp = gd.update_detector(DetectorId=detector_id, Enable=False)
    assert set(resp) == {"ResponseMetadata"}
    det = gd.get_detector(DetectorId=detector_id)
    assert det["Status"] == "DISABLED"
    assert det["FindingPublishingFrequency"] == "FIFTEEN_MINUTES"
    assert data_source_statuses(det) == {**ALL_ENABLED, "kubernetes": "DISABLED"}
    assert det["Tags"] == {"k": "v"}
    assert det["CreatedAt"] == before["CreatedAt"]
    assert ISO_MS_RE.match(det["UpdatedAt"])
    assert parse_iso_ms(det["UpdatedAt"]) > parse_iso_ms(before["UpdatedAt"]), (before, det)

    gd.update_detector(DetectorId=detector_id, FindingPublishingFrequency="ONE_HOUR")
    det = gd.get_detector(DetectorId=detector_id)
    assert det["Status"] == "DISABLED"
    assert det["FindingPublishingFrequency"] == "ONE_HOUR"
    assert data_source_statuses(det) == {**ALL_ENABLED, "kubernetes": "DISABLED"}

    gd.update_detector(DetectorId=detector_id, DataSources=DISABLE["s3Logs"])
    det = gd.get_detector(DetectorId=detector_id)
    assert data_source_statuses(det) == {**ALL_ENABLED, "kubernetes": "DISABLED", "s3Logs": "DISABLED"}
    assert det["Status"] == "DISABLED"
    assert det["FindingPublishingFrequency"] == "ONE_HOUR"
    assert det["CreatedAt"] == before["CreatedAt"]


def test_update_detector_re_enables(gd):
    detector_id = gd.create_detector(
        Enable=False, DataSources={**DISABLE["s3Logs"], **DISABLE["malwareProtection"]}
    )["DetectorId"]
    gd.update_detector(
        DetectorId=detector_id,
        Enable=True,
        DataSources={"S3Logs": {"Enable": True},
                     "MalwareProtection": {"ScanEc2InstanceWithFindings": {"EbsVolumes": True}}},
    )
    det = gd.get_detector(DetectorId=detector_id)
    assert det["Status"] == "ENABLED"
    assert data_source_statuses(det) == ALL_ENABLED


def test_create_detector_invalid_frequency(gd, gd_raw):
    expect_error(lambda: gd_raw.create_detector(Enable=True, FindingPublishingFrequency="WEEKLY"),
                 param="findingPublishingFrequency", invalid_input=True)
    assert gd.list_detectors()["DetectorIds"] == []


def test_update_detector_invalid_frequency_changes_nothing(gd, gd_raw, detector_id):
    before = gd.get_detector(DetectorId=detector_id)
    expect_error(lambda: gd_raw.update_detector(DetectorId=detector_id, Enable=False,
                                                FindingPublishingFrequency="never"),
                 param="findingPublishingFrequency", invalid_input=True)
    after = gd.get_detector(DetectorId=detector_id)
    assert after["Status"] == "ENABLED"
    assert after["FindingPublishingFrequency"] == before["FindingPublishingFrequency"]


def test_create_detector_wrong_enable_type(gd, gd_raw):
    expect_error(lambda: gd_raw.create_detector(Enable="yes"), param="enable", invalid_input=True)
    assert gd.list_detectors()["DetectorIds"] == []


def test_only_one_detector_per_account_and_region(gd, detector_id):
    expect_error(lambda: gd.create_detector(Enable=True), message=DETECTOR_EXISTS)
    expect_error(lambda: gd.create_detector(Enable=False), message=DETECTOR_EXISTS)
    assert gd.list_detectors()["DetectorIds"] == [detector_id]


def test_other_account_and_other_region_get_their_own_detector(gd, gd_b, gd_eu, detector_id):
    id_b = gd_b.create_detector(Enable=True)["DetectorId"]
    id_eu = gd_eu.create_detector(Enable=True)["DetectorId"]
    assert len({detector_id, id_b, id_eu}) == 3
    assert gd.list_detectors()["DetectorIds"] == [detector_id]
    assert gd_b.list_detectors()["DetectorIds"] == [id_b]
    assert gd_eu.list_detectors()["DetectorIds"] == [id_eu]


def test_delete_detector(gd, detector_id):
    resp = gd.delete_detector(DetectorId=detector_id)
    assert set(resp) == {"ResponseMetadata"}
    expect_error(lambda: gd.get_detector(DetectorId=detector_id), message=NOT_OWNED,
                 invalid_input=True)
    assert gd.list_detectors()["DetectorIds"] == []
    expect_error(lambda: gd.delete_detector(DetectorId=detector_id), message=NOT_OWNED)
    new_id = gd.create_detector(Enable=True)["DetectorId"]
    assert new_id != detector_id
    assert gd.list_detectors()["DetectorIds"] == [new_id]


def test_delete_detector_deletes_children_and_their_tags(gd, detector_id):
    gd.tag_resource(ResourceArn=arn(detector_id), Tags={"d": "1"})
    gd.create_filter(DetectorId=detector_id, Name="f-1", FindingCriteria=SAMPLE_CRITERIA,
                     Tags={"f": "1"})
    ip_set_id = IPSET.create(gd, detector_id, Tags={"i": "1"})
    tis_id = THREAT_INTEL_SET.create(gd, detector_id, Tags={"t": "1"})
    old_arns = [arn(detector_id), arn(detector_id, "filter/f-1"),
                arn(detector_id, f"ipset/{ip_set_id}"),
                arn(detector_id, f"threatintelset/{tis_id}")]

    gd.delete_detector(DetectorId=detector_id)

    expect_error(lambda: gd.get_filter(DetectorId=detector_id, FilterName="f-1"), message=NOT_OWNED)
    expect_error(lambda: IPSET.get(gd, detector_id, ip_set_id), message=NOT_OWNED)
    expect_error(lambda: THREAT_INTEL_SET.get(gd, detector_id, tis_id), message=NOT_OWNED)
    for resource_arn in old_arns:
        expect_error(lambda: gd.list_tags_for_resource(ResourceArn=resource_arn),
                     invalid_input=True)

    new_id = gd.create_detector(Enable=True)["DetectorId"]
    assert gd.get_detector(DetectorId=new_id)["Tags"] == {}
    assert gd.list_filters(DetectorId=new_id)["FilterNames"] == []
    assert gd.list_ip_sets(DetectorId=new_id)["IpSetIds"] == []
    assert gd.list_threat_intel_sets(DetectorId=new_id)["ThreatIntelSetIds"] == []
    # A filter of the same name on the new detector starts without the old tags.
    gd.create_filter(DetectorId=new_id, Name="f-1", FindingCriteria=SAMPLE_CRITERIA)
    assert gd.get_filter(DetectorId=new_id, FilterName="f-1")["Tags"] == {}
    assert gd.list_tags_for_resource(ResourceArn=arn(new_id, "filter/f-1"))["Tags"] == {}
    # The old detector's limits no longer count: one IPSet is allowed again.
    IPSET.create(gd, new_id)


def _detector_ops(gd, detector_id):
    """Every operation that takes a {detectorId}, as zero-argument callables."""
    crit = SAMPLE_CRITERIA
    return {
        "GetDetector": lambda: gd.get_detector(DetectorId=detector_id),
        "UpdateDetector": lambda: gd.update_detector(DetectorId=detector_id, Enable=False),
        "DeleteDetector": lambda: gd.delete_detector(DetectorId=detector_id),
        "CreateFilter": lambda: gd.create_filter(DetectorId=detector_id, Name="abc",
                                                 FindingCriteria=crit),
        "GetFilter": lambda: gd.get_filter(DetectorId=detector_id, FilterName="abc"),
        "UpdateFilter": lambda: gd.update_filter(DetectorId=detector_id, FilterName="abc",
                                                 Rank=2),
        "DeleteFilter": lambda: gd.delete_filter(DetectorId=detector_id, FilterName="abc"),
        "ListFilters": lambda: gd.list_filters(DetectorId=detector_id),
        "CreateIPSet": lambda: IPSET.create(gd, detector_id),
        "GetIPSet": lambda: IPSET.get(gd, detector_id, UNKNOWN_ID),
        "UpdateIPSet": lambda: IPSET.update(gd, detector_id, UNKNOWN_ID, Activate=False),
        "DeleteIPSet": lambda: IPSET.delete(gd, detector_id, UNKNOWN_ID),
        "ListIPSets": lambda: IPSET.list(gd, detector_id),
        "CreateThreatIntelSet": lambda: THREAT_INTEL_SET.create(gd, detector_id),
        "GetThreatIntelSet": lambda: THREAT_INTEL_SET.get(gd, detector_id, UNKNOWN_ID),
        "UpdateThreatIntelSet": lambda: THREAT_INTEL_SET.update(gd, detector_id, UNKNOWN_ID,
                                                                Activate=False),
        "DeleteThreatIntelSet": lambda: THREAT_INTEL_SET.delete(gd, detector_id, UNKNOWN_ID),
        "ListThreatIntelSets": lambda: THREAT_INTEL_SET.list(gd, detector_id),
    }


DETECTOR_OPS = sorted(_detector_ops(None, None))


@pytest.mark.parametrize("operation", DETECTOR_OPS)
def test_unknown_detector_is_not_owned(gd, detector_id, operation):
    # The account has a detector, but not this one.
    expect_error(_detector_ops(gd, UNKNOWN_ID)[operation], message=NOT_OWNED, invalid_input=True)
    assert gd.list_detectors()["DetectorIds"] == [detector_id]


@pytest.mark.parametrize("operation", ["GetDetector", "ListFilters", "CreateFilter"])
def test_no_detector_at_all_is_not_owned(gd, operation):
    expect_error(_detector_ops(gd, UNKNOWN_ID)[operation], message=NOT_OWNED, invalid_input=True)


def test_create_detector_client_token_is_idempotent(gd):
    first = gd.create_detector(Enable=True, ClientToken="token-detector-1")["DetectorId"]
    again = gd.create_detector(Enable=True, ClientToken="token-detector-1")["DetectorId"]
    assert again == first
    assert gd.list_detectors()["DetectorIds"] == [first]
    expect_error(lambda: gd.create_detector(Enable=True, ClientToken="token-detector-2"),
                 message=DETECTOR_EXISTS)


def test_list_detectors_paging(gd, detector_id):
    items, _ = page_through(gd.list_detectors, "DetectorIds", 1)
    assert items == [detector_id]
    paged = [i for page in gd.get_paginator("list_detectors").paginate(
        PaginationConfig={"PageSize": 1}) for i in page["DetectorIds"]]
    assert paged == [detector_id]


def test_list_detectors_empty(gd):
    resp = gd.list_detectors()
    assert resp["DetectorIds"] == []
    assert not resp.get("NextToken")


@pytest.mark.parametrize("max_results", [0, 51, -1])
def test_list_detectors_max_results_out_of_range(gd_raw, detector_id, max_results):
    expect_error(lambda: gd_raw.list_detectors(MaxResults=max_results), param="maxResults",
                 invalid_input=True)


def test_list_detectors_garbage_next_token(gd_raw, detector_id):
    expect_error(lambda: gd_raw.list_detectors(NextToken="this is not a token"),
                 param="nextToken", invalid_input=True)
