"""Trusted IP lists (IPSet) and threat lists (ThreatIntelSet): the same tests run for both
kinds through the `set_kind` fixture (see SetKind in conftest.py)."""

import pytest

from conftest import (
    HEX32_RE,
    UNKNOWN_ID,
    expect_error,
    page_through,
    strip_metadata,
)

FORMATS = ["TXT", "STIX", "OTX_CSV", "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"]


def test_create_and_get_round_trip(gd, detector_id, set_kind):
    set_id = set_kind.create(gd, detector_id, name="Known bad hosts", fmt="STIX",
                             location="https://s3.amazonaws.com/bucket/file.txt", activate=True,
                             Tags={"source": "intel-team"})
    assert HEX32_RE.match(set_id), set_id
    got = strip_metadata(set_kind.get(gd, detector_id, set_id))
    assert got == {
        "Name": "Known bad hosts",
        "Format": "STIX",
        "Location": "https://s3.amazonaws.com/bucket/file.txt",
        "Status": "ACTIVE",
        "Tags": {"source": "intel-team"},
    }
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == [set_id]


def test_inactive_when_not_activated(gd, detector_id, set_kind):
    set_id = set_kind.create(gd, detector_id, activate=False)
    got = set_kind.get(gd, detector_id, set_id)
    assert got["Status"] == "INACTIVE"
    assert got["Tags"] == {}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_accepted(gd, detector_id, set_kind, fmt):
    set_id = set_kind.create(gd, detector_id, fmt=fmt)
    assert set_kind.get(gd, detector_id, set_id)["Format"] == fmt


@pytest.mark.parametrize("fmt", ["CSV", "txt", ""])
def test_invalid_format_rejected(gd, gd_raw, detector_id, set_kind, fmt):
    expect_error(lambda: set_kind.create(gd_raw, detector_id, fmt=fmt), param="format",
                 invalid_input=True)
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == []


@pytest.mark.parametrize("location", [
    "s3://bucket/key",
    "https://s3.amazonaws.com/bucket/file.txt",
    "https://my-bucket.s3.us-west-2.amazonaws.com/lists/ips.txt",
    "file:///tmp/x.txt",
])
def test_valid_locations_round_trip(gd, detector_id, set_kind, location):
    set_id = set_kind.create(gd, detector_id, location=location)
    assert set_kind.get(gd, detector_id, set_id)["Location"] == location


@pytest.mark.parametrize("location", ["not a uri", "", "s3://bucket/" + "k" * 289],
                         ids=["words", "empty", "301-chars"])
def test_invalid_locations_rejected(gd, gd_raw, detector_id, set_kind, location):
    expect_error(lambda: set_kind.create(gd_raw, detector_id, location=location),
                 param="location", invalid_input=True)
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == []


def test_name_length_limits(gd, gd_raw, detector_id, set_kind):
    expect_error(lambda: set_kind.create(gd_raw, detector_id, name=""), param="name",
                 invalid_input=True)
    expect_error(lambda: set_kind.create(gd_raw, detector_id, name="n" * 301), param="name",
                 invalid_input=True)
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == []
    set_id = set_kind.create(gd, detector_id, name="n" * 300)
    assert set_kind.get(gd, detector_id, set_id)["Name"] == "n" * 300


@pytest.mark.parametrize("missing,param", [
    ("Name", "name"), ("Format", "format"), ("Location", "location"), ("Activate", "activate"),
])
def test_missing_required_member_rejected(gd, gd_raw, detector_id, set_kind, missing, param):
    params = {"Name": "list", "Format": "TXT", "Location": "s3://b/k", "Activate": True}
    del params[missing]
    expect_error(lambda: set_kind.create_raw(gd_raw, detector_id, **params), param=param,
                 invalid_input=True)
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == []


def test_activate_must_be_boolean(gd, gd_raw, detector_id, set_kind):
    expect_error(lambda: set_kind.create(gd_raw, detector_id, activate="true"), param="activate",
                 invalid_input=True)
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == []


def test_update_is_partial(gd, detector_id, set_kind):
    set_id = set_kind.create(gd, detector_id, name="original", fmt="OTX_CSV",
                             location="s3://lists/a.csv", activate=True, Tags={"t": "1"})

    resp = set_kind.update(gd, detector_id, set_id, Name="renamed")
    assert set(resp) == {"ResponseMetadata"}
    assert strip_metadata(set_kind.get(gd, detector_id, set_id)) == {
        "Name": "renamed", "Format": "OTX_CSV", "Location": "s3://lists/a.csv",
        "Status": "ACTIVE", "Tags": {"t": "1"},
    }

    set_kind.update(gd, detector_id, set_id, Location="https://s3.amazonaws.com/lists/b.csv")
    got = set_kind.get(gd, detector_id, set_id)
    assert (got["Name"], got["Location"], got["Status"]) == (
        "renamed", "https://s3.amazonaws.com/lists/b.csv", "ACTIVE")

    set_kind.update(gd, detector_id, set_id, Activate=False)
    got = set_kind.get(gd, detector_id, set_id)
    assert (got["Name"], got["Location"], got["Status"], got["Format"]) == (
        "renamed", "https://s3.amazonaws.com/lists/b.csv", "INACTIVE", "OTX_CSV")

    set_kind.update(gd, detector_id, set_id, Activate=True)
    assert set_kind.get(gd, detector_id, set_id)["Status"] == "ACTIVE"


@pytest.mark.parametrize("change,param", [
    ({"Location": "not a uri"}, "location"),
    ({"Location": ""}, "location"),
    ({"Name": ""}, "name"),
    ({"Name": "n" * 301}, "name"),
    ({"Activate": "no"}, "activate"),
])
def test_invalid_update_changes_nothing(gd, gd_raw, detector_id, set_kind, change, param):
    set_id = set_kind.create(gd, detector_id, name="stable", location="s3://b/stable.txt")
    before = strip_metadata(set_kind.get(gd, detector_id, set_id))
    expect_error(lambda: set_kind.update(gd_raw, detector_id, set_id, **change), param=param,
                 invalid_input=True)
    assert strip_metadata(set_kind.get(gd, detector_id, set_id)) == before


def test_limit_per_detector(gd, detector_id, set_kind):
    ids = [set_kind.create(gd, detector_id, name=f"list-{i}", location=f"s3://b/{i}.txt")
           for i in range(set_kind.limit)]
    expect_error(lambda: set_kind.create(gd, detector_id, name="one-too-many"))
    listed, _ = page_through(lambda **kw: set_kind.list(gd, **kw), set_kind.list_key, 50,
                             detector_id=detector_id)
    assert sorted(listed) == sorted(ids)
    set_kind.delete(gd, detector_id, ids[0])
    replacement = set_kind.create(gd, detector_id, name="replacement")
    assert replacement not in ids


@pytest.mark.parametrize("operation", ["get", "update", "delete"])
def test_unknown_id_rejected(gd, detector_id, set_kind, operation):
    existing = set_kind.create(gd, detector_id)
    call = {
        "get": lambda: set_kind.get(gd, detector_id, UNKNOWN_ID),
        "update": lambda: set_kind.update(gd, detector_id, UNKNOWN_ID, Activate=False),
        "delete": lambda: set_kind.delete(gd, detector_id, UNKNOWN_ID),
    }[operation]
    expect_error(call, invalid_input=True)
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == [existing]
    assert set_kind.get(gd, detector_id, existing)["Status"] == "ACTIVE"


def test_delete(gd, detector_id, set_kind):
    set_id = set_kind.create(gd, detector_id)
    resp = set_kind.delete(gd, detector_id, set_id)
    assert set(resp) == {"ResponseMetadata"}
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == []
    expect_error(lambda: set_kind.get(gd, detector_id, set_id), invalid_input=True)
    expect_error(lambda: set_kind.delete(gd, detector_id, set_id), invalid_input=True)


def test_list_pages_through_every_set_once(gd, detector_id, set_kind):
    ids = [set_kind.create(gd, detector_id, name=f"paged-{i}") for i in range(set_kind.limit)]
    for page_size in (1, 4):
        listed, _ = page_through(lambda **kw: set_kind.list(gd, **kw), set_kind.list_key,
                                 page_size, detector_id=detector_id)
        assert sorted(listed) == sorted(ids)
    paged = [i for page in set_kind.paginator(gd).paginate(
        DetectorId=detector_id, PaginationConfig={"PageSize": 4}) for i in page[set_kind.list_key]]
    assert sorted(paged) == sorted(ids)


@pytest.mark.parametrize("max_results", [0, 51])
def test_list_max_results_out_of_range(gd_raw, detector_id, set_kind, max_results):
    expect_error(lambda: set_kind.list(gd_raw, detector_id, MaxResults=max_results),
                 param="maxResults", invalid_input=True)


def test_list_garbage_next_token(gd_raw, detector_id, set_kind):
    expect_error(lambda: set_kind.list(gd_raw, detector_id, NextToken="not-a-real-token"),
                 param="nextToken", invalid_input=True)


def test_client_token_is_idempotent(gd, detector_id, set_kind):
    first = set_kind.create(gd, detector_id, ClientToken="set-token-1")
    again = set_kind.create(gd, detector_id, ClientToken="set-token-1")
    assert again == first
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == [first]


def test_ipsets_and_threat_intel_sets_are_listed_separately(gd, detector_id, set_kind):
    set_id = set_kind.create(gd, detector_id)
    assert gd.list_ip_sets(DetectorId=detector_id)["IpSetIds"] == (
        [set_id] if set_kind.label == "ipset" else [])
    assert gd.list_threat_intel_sets(DetectorId=detector_id)["ThreatIntelSetIds"] == (
        [set_id] if set_kind.label == "threatintelset" else [])
