"""Durability: state written through the API survives a SIGTERM and a restart on the same data
directory. These tests run their own servers (the shared one is untouched).

Set statuses are compared once settled: a file-backed IPSet is ACTIVE (and ACTIVE again after
the restart), an unreadable S3 ThreatIntelSet is ERROR, a non-activated one INACTIVE. Reloading
at start-up is tested in test_threat_intel.py."""

import pytest

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    DETECTOR_EXISTS,
    IPSET,
    OTHER_REGION,
    REGION,
    SAMPLE_CRITERIA,
    THREAT_INTEL_SET,
    VigilServer,
    arn,
    expect_error,
    strip_metadata,
    wait_for_status,
)


@pytest.fixture
def own_server(tmp_path):
    """Start/stop helper for servers on one data directory; stops leftovers at the end."""
    servers = []

    def start():
        server = VigilServer(data_dir=tmp_path / "data").start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def stop_cleanly(server):
    rc = server.stop()
    assert rc == 0, f"vigil exited with {rc} after SIGTERM:\n{server.stderr()}"


def populate(gd, lists_dir):
    """One detector with filters, tags and three sets; returns its id once every set's status
    has settled."""
    lists_dir.mkdir(exist_ok=True)
    office = lists_dir / "office.txt"
    office.write_text("# office\n192.0.2.0/24\n198.51.100.7\n")
    detector_id = gd.create_detector(
        Enable=True,
        FindingPublishingFrequency="FIFTEEN_MINUTES",
        DataSources={"S3Logs": {"Enable": False}},
        Tags={"team": "security", "env": "prod"},
    )["DetectorId"]
    gd.create_filter(DetectorId=detector_id, Name="archive.scanners", Description="scanner noise",
                     Action="ARCHIVE", Rank=1, FindingCriteria=SAMPLE_CRITERIA,
                     Tags={"kind": "noise"})
    gd.create_filter(DetectorId=detector_id, Name="watch_high-sev", Rank=2,
                     FindingCriteria={"Criterion": {"severity": {"GreaterThanOrEqual": 7}}})
    gd.create_filter(DetectorId=detector_id, Name="deleted-before-restart",
                     FindingCriteria={"Criterion": {"severity": {"Lt": 2}}})
    gd.delete_filter(DetectorId=detector_id, FilterName="deleted-before-restart")
    ip_set = IPSET.create(gd, detector_id, name="office ranges", fmt="TXT",
                          location=office.as_uri(), activate=True, Tags={"list": "trusted"})
    # A valid S3 location this server (no --s3-root) cannot read: ERROR.
    tis_a = THREAT_INTEL_SET.create(gd, detector_id, name="feed-a", fmt="STIX",
                                    location="https://s3.amazonaws.com/feeds/a.xml",
                                    activate=True)
    tis_b = THREAT_INTEL_SET.create(gd, detector_id, name="feed-b", fmt="FIRE_EYE",
                                    location="file:///var/lib/feeds/b.txt", activate=False,
                                    Tags={"feed": "b"})
    THREAT_INTEL_SET.update(gd, detector_id, tis_b, Name="feed-b-renamed")
    gd.tag_resource(ResourceArn=arn(detector_id), Tags={"added": "later"})
    gd.untag_resource(ResourceArn=arn(detector_id), TagKeys=["env"])
    gd.tag_resource(ResourceArn=arn(detector_id, "filter/watch_high-sev"), Tags={"p": "1"})
    gd.update_detector(DetectorId=detector_id, FindingPublishingFrequency="ONE_HOUR")
    wait_for_status(IPSET, gd, detector_id, ip_set, "ACTIVE")
    wait_for_status(THREAT_INTEL_SET, gd, detector_id, tis_a, "ERROR")
    assert THREAT_INTEL_SET.get(gd, detector_id, tis_b)["Status"] == "INACTIVE"
    return detector_id


def snapshot(gd, account=ACCOUNT_A, region=REGION):
    """Everything the account can read, in an order-independent form (set statuses once they
    have left ACTIVATING)."""
    state = {"detectors": sorted(gd.list_detectors()["DetectorIds"])}
    for detector_id in state["detectors"]:
        det = {"detector": strip_metadata(gd.get_detector(DetectorId=detector_id)),
               "filters": {}, "ipsets": {}, "tis": {}}
        for name in gd.list_filters(DetectorId=detector_id)["FilterNames"]:
            det["filters"][name] = (
                strip_metadata(gd.get_filter(DetectorId=detector_id, FilterName=name)),
                gd.list_tags_for_resource(
                    ResourceArn=arn(detector_id, f"filter/{name}", account, region))["Tags"],
            )
        for kind, key in ((IPSET, "ipsets"), (THREAT_INTEL_SET, "tis")):
            for set_id in kind.list(gd, detector_id)[kind.list_key]:
                wait_for_status(kind, gd, detector_id, set_id)  # compare settled statuses
                det[key][set_id] = (
                    strip_metadata(kind.get(gd, detector_id, set_id)),
                    gd.list_tags_for_resource(
                        ResourceArn=arn(detector_id, f"{kind.label}/{set_id}", account,
                                        region))["Tags"],
                )
        det["tags"] = gd.list_tags_for_resource(
            ResourceArn=arn(detector_id, None, account, region))["Tags"]
        state[detector_id] = det
    return state


def test_state_survives_restart(own_server, tmp_path):
    server = own_server()
    gd, gd_b = server.client(ACCOUNT_A), server.client(ACCOUNT_B)
    detector_id = populate(gd, tmp_path / "lists")
    id_b = gd_b.create_detector(Enable=False, Tags={"owner": "b"})["DetectorId"]
    before_a, before_b = snapshot(gd), snapshot(gd_b, ACCOUNT_B)

    # Sanity: the snapshot holds what was written.
    det = before_a[detector_id]
    assert det["detector"]["FindingPublishingFrequency"] == "ONE_HOUR"
    assert det["detector"]["DataSources"]["S3Logs"]["Status"] == "DISABLED"
    assert det["tags"] == {"team": "security", "added": "later"}
    assert sorted(det["filters"]) == ["archive.scanners", "watch_high-sev"]
    assert len(det["ipsets"]) == 1 and len(det["tis"]) == 2
    assert [got["Status"] for got, _ in det["ipsets"].values()] == ["ACTIVE"]
    assert sorted((got["Name"], got["Status"]) for got, _ in det["tis"].values()) == [
        ("feed-a", "ERROR"), ("feed-b-renamed", "INACTIVE")]
    assert before_b["detectors"] == [id_b]

    stop_cleanly(server)
    server = own_server()
    gd, gd_b = server.client(ACCOUNT_A), server.client(ACCOUNT_B)

    assert snapshot(gd) == before_a  # includes createdAt/updatedAt of the detector
    assert snapshot(gd_b, ACCOUNT_B) == before_b
    assert server.client(ACCOUNT_A, OTHER_REGION).list_detectors()["DetectorIds"] == []

    # Limits and uniqueness still hold after the restart...
    expect_error(lambda: gd.create_detector(Enable=True), message=DETECTOR_EXISTS)
    expect_error(lambda: IPSET.create(gd, detector_id, name="second"))
    expect_error(lambda: gd.create_filter(DetectorId=detector_id, Name="watch_high-sev",
                                          FindingCriteria=SAMPLE_CRITERIA))
    # ...and the restarted server accepts writes that survive the next restart too.
    gd.create_filter(DetectorId=detector_id, Name="after-restart", FindingCriteria=SAMPLE_CRITERIA)
    gd.delete_filter(DetectorId=detector_id, FilterName="archive.scanners")
    after_writes = snapshot(gd)
    stop_cleanly(server)

    server = own_server()
    assert snapshot(server.client(ACCOUNT_A)) == after_writes
    stop_cleanly(server)


def test_delete_detector_survives_restart(own_server, tmp_path):
    server = own_server()
    gd = server.client(ACCOUNT_A)
    detector_id = populate(gd, tmp_path / "lists")
    gd.delete_detector(DetectorId=detector_id)
    stop_cleanly(server)

    server = own_server()
    gd = server.client(ACCOUNT_A)
    assert gd.list_detectors()["DetectorIds"] == []
    expect_error(lambda: gd.list_tags_for_resource(ResourceArn=arn(detector_id)))
    new_id = gd.create_detector(Enable=True)["DetectorId"]
    assert gd.list_filters(DetectorId=new_id)["FilterNames"] == []
    stop_cleanly(server)


def test_reset_is_durable(own_server, tmp_path):
    server = own_server()
    gd = server.client(ACCOUNT_A)
    populate(gd, tmp_path / "lists")
    status, _, body = server.request("POST", "/_vigil/reset")
    assert status == 200, body
    assert gd.list_detectors()["DetectorIds"] == []
    stop_cleanly(server)

    server = own_server()
    assert server.client(ACCOUNT_A).list_detectors()["DetectorIds"] == []
    stop_cleanly(server)


def test_in_memory_server_serves_and_stops_cleanly():
    server = VigilServer(in_memory=True).start()
    try:
        gd = server.client(ACCOUNT_A)
        detector_id = gd.create_detector(Enable=True, Tags={"k": "v"})["DetectorId"]
        gd.create_filter(DetectorId=detector_id, Name="mem", FindingCriteria=SAMPLE_CRITERIA)
        assert gd.get_detector(DetectorId=detector_id)["Tags"] == {"k": "v"}
        assert gd.list_filters(DetectorId=detector_id)["FilterNames"] == ["mem"]
    finally:
        stop_cleanly(server)
