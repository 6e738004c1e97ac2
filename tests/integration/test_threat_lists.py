"""Trusted IP lists (IPSet) and threat lists (ThreatIntelSet): the same tests run for both
kinds through the `set_kind` fixture (see SetKind in conftest.py).

These are the API tests (CRUD, validation, limits, paging). An activated set is ACTIVATING
until its file is read, then ACTIVE or ERROR: sets that must be ACTIVE get a real file://
list; the others keep an s3:// location the shared server cannot read and end in ERROR.
Loading itself (formats, counts, fetch errors) is tested in test_threat_intel.py."""

import pytest

from conftest import (
    HEX32_RE,
    UNKNOWN_ID,
    expect_error,
    page_through,
    strip_metadata,
    wait_for_status,
)

FORMATS = ["TXT", "STIX", "OTX_CSV", "ALIEN_VAULT", "PROOF_POINT", "FIRE_EYE"]

STIX_LIST = """<?xml version="1.0" encoding="UTF-8"?>
<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"
    xmlns:cybox="http://cybox.mitre.org/cybox-2"
    xmlns:AddressObject="http://cybox.mitre.org/objects#AddressObject-2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.2">
  <stix:Observables cybox_major_version="2" cybox_minor_version="1">
    <cybox:Observable><cybox:Object>
      <cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
        <AddressObject:Address_Value>198.51.100.1</AddressObject:Address_Value>
      </cybox:Properties>
    </cybox:Object></cybox:Observable>
  </stix:Observables>
</stix:STIX_Package>
"""

OTX_LIST_A = "Indicator type, Indicator, Description\nIPv4, 198.51.100.1, example\n"
OTX_LIST_B = "Indicator type, Indicator, Description\nCIDR, 192.0.2.0/24, example\n"
TXT_LIST = "192.0.2.1\n192.0.2.0/24\n"

# Well-formed locations the shared server cannot read (it has no --s3-root).
UNREADABLE_S3 = "s3://vigil-lists/list.txt"


def assert_settles(set_kind, gd, detector_id, set_id, expected):
    """Right after an activation the set is ACTIVATING (or, for a quick loader, already
    settled); it then settles in `expected`."""
    assert set_kind.get(gd, detector_id, set_id)["Status"] in ("ACTIVATING", expected)
    wait_for_status(set_kind, gd, detector_id, set_id, expected)


@pytest.mark.parametrize("where", ["file", "s3-https"])
def test_create_and_get_round_trip(gd, detector_id, set_kind, list_file, where):
    """A readable list ends ACTIVE, an unreadable (but valid) location ends in ERROR; every
    other member round-trips unchanged either way."""
    if where == "file":
        location, final = list_file(STIX_LIST, "hosts.xml"), "ACTIVE"
    else:
        location, final = "https://s3.amazonaws.com/bucket/file.txt", "ERROR"
    set_id = set_kind.create(gd, detector_id, name="Known bad hosts", fmt="STIX",
                             location=location, activate=True, Tags={"source": "intel-team"})
    assert HEX32_RE.match(set_id), set_id
    got = strip_metadata(set_kind.get(gd, detector_id, set_id))
    assert got["Status"] in ("ACTIVATING", final), got
    wait_for_status(set_kind, gd, detector_id, set_id, final)
    got = strip_metadata(set_kind.get(gd, detector_id, set_id))
    assert got == {
        "Name": "Known bad hosts",
        "Format": "STIX",
        "Location": location,
        "Status": final,
        "Tags": {"source": "intel-team"},
    }
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == [set_id]


@pytest.mark.parametrize("where", ["s3", "file"])
def test_inactive_when_not_activated(gd, detector_id, set_kind, list_file, where):
    """Not activated means INACTIVE at once, whether or not the file could be read."""
    location = UNREADABLE_S3 if where == "s3" else list_file(TXT_LIST)
    set_id = set_kind.create(gd, detector_id, location=location, activate=False)
    got = set_kind.get(gd, detector_id, set_id)
    assert got["Status"] == "INACTIVE"
    assert got["Tags"] == {}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_accepted(gd, detector_id, set_kind, fmt):
    set_id = set_kind.create(gd, detector_id, fmt=fmt)
    got = set_kind.get(gd, detector_id, set_id)
    assert (got["Format"], got["Location"]) == (fmt, UNREADABLE_S3)
    assert got["Status"] in ("ACTIVATING", "ERROR"), got


@pytest.mark.parametrize("fmt", ["CSV", "txt", ""])
def test_invalid_format_rejected(gd, gd_raw, detector_id, set_kind, fmt):
    expect_error(lambda: set_kind.create(gd_raw, detector_id, fmt=fmt), param="format",
                 invalid_input=True)
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == []


@pytest.mark.parametrize("location", [
    "s3://bucket/key",
    "https://s3.amazonaws.com/bucket/file.txt",
    "https://my-bucket.s3.us-west-2.amazonaws.com/lists/ips.txt",
    "file:///vigil-test-no-such-dir/x.txt",
])
def test_valid_locations_round_trip(gd, detector_id, set_kind, location):
    """Any well-formed URI is accepted and kept verbatim; one that cannot be read (S3 without
    --s3-root, a missing file) leaves the set in ERROR."""
    set_id = set_kind.create(gd, detector_id, location=location)
    assert set_kind.get(gd, detector_id, set_id)["Location"] == location
    assert_settles(set_kind, gd, detector_id, set_id, "ERROR")
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


def test_update_is_partial(gd, detector_id, set_kind, list_file):
    location_a = list_file(OTX_LIST_A, "a.csv")
    location_b = list_file(OTX_LIST_B, "b.csv")
    set_id = set_kind.create(gd, detector_id, name="original", fmt="OTX_CSV",
                             location=location_a, activate=True, Tags={"t": "1"})
    wait_for_status(set_kind, gd, detector_id, set_id, "ACTIVE")

    # Without Activate an update changes metadata only: no reload, the status stays.
    resp = set_kind.update(gd, detector_id, set_id, Name="renamed")
    assert set(resp) == {"ResponseMetadata"}
    assert strip_metadata(set_kind.get(gd, detector_id, set_id)) == {
        "Name": "renamed", "Format": "OTX_CSV", "Location": location_a,
        "Status": "ACTIVE", "Tags": {"t": "1"},
    }

    set_kind.update(gd, detector_id, set_id, Location=location_b)
    got = set_kind.get(gd, detector_id, set_id)
    assert (got["Name"], got["Location"], got["Status"]) == ("renamed", location_b, "ACTIVE")

    set_kind.update(gd, detector_id, set_id, Activate=False)
    got = set_kind.get(gd, detector_id, set_id)
    assert (got["Name"], got["Location"], got["Status"], got["Format"]) == (
        "renamed", location_b, "INACTIVE", "OTX_CSV")

    set_kind.update(gd, detector_id, set_id, Activate=True)
    assert_settles(set_kind, gd, detector_id, set_id, "ACTIVE")
    assert strip_metadata(set_kind.get(gd, detector_id, set_id)) == {
        "Name": "renamed", "Format": "OTX_CSV", "Location": location_b,
        "Status": "ACTIVE", "Tags": {"t": "1"},
    }

    # Re-activating a list whose location cannot be read ends in ERROR, keeping the rest.
    set_kind.update(gd, detector_id, set_id, Location=UNREADABLE_S3, Activate=True)
    assert_settles(set_kind, gd, detector_id, set_id, "ERROR")
    got = set_kind.get(gd, detector_id, set_id)
    assert (got["Name"], got["Location"], got["Format"]) == ("renamed", UNREADABLE_S3, "OTX_CSV")


@pytest.mark.parametrize("change,param", [
    ({"Location": "not a uri"}, "location"),
    ({"Location": ""}, "location"),
    ({"Name": ""}, "name"),
    ({"Name": "n" * 301}, "name"),
    ({"Activate": "no"}, "activate"),
])
def test_invalid_update_changes_nothing(gd, gd_raw, detector_id, set_kind, change, param):
    set_id = set_kind.create(gd, detector_id, name="stable", location="s3://b/stable.txt")
    wait_for_status(set_kind, gd, detector_id, set_id, "ERROR")
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
def test_unknown_id_rejected(gd, detector_id, set_kind, operation, list_file):
    existing = set_kind.create(gd, detector_id, location=list_file(TXT_LIST))
    wait_for_status(set_kind, gd, detector_id, existing, "ACTIVE")
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
