"""Loading IPSets and ThreatIntelSets: fetching (file://, http://, S3 through --s3-root),
parsing the six formats, GuardDuty's entry quotas, the ACTIVATING -> ACTIVE / ERROR lifecycle,
re-activation, restart, the load reports of GET /_vigil/detectors/{detectorId}/lists, and the
offline `vigil lists check` command.

List contents follow the examples of /work/shared/reference/guardduty-detection.md section 2.
"""

import collections
import datetime
import functools
import http.server
import json
import re
import signal
import subprocess
import threading
import time

import pytest

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    IPSET,
    LOAD_TIMEOUT,
    NOT_OWNED,
    OTHER_REGION,
    POLL_INTERVAL,
    STOP_TIMEOUT,
    THREAT_INTEL_SET,
    UNKNOWN_ID,
    VIGIL_BIN,
    VigilServer,
    assert_json_error,
    detector_lists,
    expect_error,
    free_port,
    list_entries,
    wait_for_load,
    wait_for_status,
)

# --------------------------------------------------------------------------------------------
# List files
# --------------------------------------------------------------------------------------------

# TXT with everything a loader must sort out. Line numbers (1-based) on the right.
TXT_MIXED = "\n".join([
    "# known bad infrastructure",  # 1  comment
    "192.0.2.1",                   # 2  IPv4
    "192.0.2.0/24",                # 3  CIDR
    "",                            # 4  blank
    "example.com",                 # 5  domain
    "*.example.org",               # 6  wildcard domain
    "2001:db8::1",                 # 7  IPv6: ignored
    "not an address!",             # 8  bad
    "10.0.0.0/33",                 # 9  bad: prefix length
    "198.51.100.7",                # 10 IPv4
]) + "\n"
TXT_MIXED_COUNTS = dict(lines=8, ipRanges=3, domains=2, ipv6Ignored=1, badLineCount=2)
TXT_MIXED_BAD_LINES = [8, 9]

# An IP-only TXT list (what a trusted list normally holds).
TXT_IPS = "192.0.2.1\n192.0.2.0/24\n198.51.100.0/25\n"

STIX_LIST = """<?xml version="1.0" encoding="UTF-8"?>
<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"
    xmlns:cybox="http://cybox.mitre.org/cybox-2"
    xmlns:AddressObject="http://cybox.mitre.org/objects#AddressObject-2"
    xmlns:DomainNameObj="http://cybox.mitre.org/objects#DomainNameObject-1"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.2">
  <stix:Observables cybox_major_version="2" cybox_minor_version="1">
    <cybox:Observable><cybox:Object>
      <cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
        <AddressObject:Address_Value condition="InclusiveBetween">192.0.2.0##comma##192.0.2.255</AddressObject:Address_Value>
      </cybox:Properties>
    </cybox:Object></cybox:Observable>
    <cybox:Observable><cybox:Object>
      <cybox:Properties xsi:type="AddressObject:AddressObjectType" category="ipv4-addr">
        <AddressObject:Address_Value>198.51.100.1</AddressObject:Address_Value></cybox:Properties>
    </cybox:Object></cybox:Observable>
    <cybox:Observable><cybox:Object>
      <cybox:Properties xsi:type="DomainNameObj:DomainNameObjectType">
        <DomainNameObj:Value condition="Equals">bad.example.com</DomainNameObj:Value></cybox:Properties>
    </cybox:Object></cybox:Observable>
  </stix:Observables>
</stix:STIX_Package>
"""

OTX_LIST = """Indicator type, Indicator, Description
CIDR, 192.0.2.0/24, example
IPv4, 198.51.100.1, example
Domain name, example.net, example
"""

ALIEN_VAULT_LIST = """198.51.100.1#4#2#Malicious Host#US##0.0,0.0#3
www.example.com#4#2#Malicious Host#PL##52.2393989563,21.0361995697#3
"""

PROOF_POINT_LIST = """ip, category, score, first_seen, last_seen, ports (|)
198.51.100.1, 1, 100, 2000-01-01, 2000-01-01,
203.0.113.1, 1, 100, 2000-01-01, 2000-01-01, 80
"""

FIRE_EYE_COLUMNS = (
    "reportId, title, threatScape, audience, intelligenceType, publishDate, reportLink, webLink, "
    "emailIdentifier, senderAddress, senderName, sourceDomain, sourceIp, subject, recipient, "
    "emailLanguage, fileName, fileSize, fuzzyHash, fileIdentifier, md5, sha1, sha256, "
    "description, fileType, packer, userAgent, registry, fileCompilationDateTime, filePath, asn, "
    "cidr, domain, domainTimeOfLookup, networkIdentifier, ip, port, protocol, registrantEmail, "
    "registrantName, networkType, url, malwareFamily, malwareFamilyId, actor, actorId, "
    "observationTime").split(", ")
assert len(FIRE_EYE_COLUMNS) == 47


def _fire_eye_row(**cells):
    row = [""] * len(FIRE_EYE_COLUMNS)
    for column, value in cells.items():
        row[FIRE_EYE_COLUMNS.index(column)] = value
    return ", ".join(row)


FIRE_EYE_LIST = "\n".join([
    ", ".join(FIRE_EYE_COLUMNS),
    # The reference's example row: one ip.
    "01-00000002, Example, Test, Operational, threat, 1494944400, "
    "https://www.example.com/report/01-00000002, https://www.example.com/report/01-00000002"
    + ", " * 27 + "Related, 198.51.100.1, , , , , network, , Ursnif, "
    "12ab7bc4-62ed-49fa-99e3-14b92afc41bf, , ,1494944400",
    # One with a cidr and a domain.
    _fire_eye_row(reportId="01-00000003", title="Example 2", cidr="203.0.113.0/24",
                  domain="bad.example.net", networkType="network"),
]) + "\n"

# format -> (file content, expected ipRanges, expected domains)
FORMAT_LISTS = {
    "TXT": ("192.0.2.1\n192.0.2.0/24\nexample.com\n*.example.org\n", 2, 2),
    "STIX": (STIX_LIST, 2, 1),
    "OTX_CSV": (OTX_LIST, 2, 1),
    "ALIEN_VAULT": (ALIEN_VAULT_LIST, 1, 1),
    "PROOF_POINT": (PROOF_POINT_LIST, 2, 0),
    "FIRE_EYE": (FIRE_EYE_LIST, 2, 1),
}

LOAD_KEYS = {"lines", "ipRanges", "domains", "ipv6Ignored", "badLineCount", "badLines",
             "loadedAt", "loadMillis"}
ENTRY_KEYS = {"id", "kind", "name", "format", "location", "status"}
ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")


def ip_lines(count):
    """`count` distinct IPv4 addresses (10.0.0.0 upwards), one per line."""
    return "".join(f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}\n" for i in range(count))


def assert_counts(load, **expected):
    got = {key: load[key] for key in expected}
    assert got == expected, load


def assert_loaded_ok(entry, **counts):
    """A successful load report: the shape, no lastError, and the given counts."""
    assert entry["status"] == "ACTIVE", entry
    load = entry["load"]
    assert set(load) == LOAD_KEYS, f"unexpected load keys (lastError only on failure): {load}"
    assert_counts(load, **counts)
    return load


def assert_load_error(entry):
    """A failed load: status ERROR and a non-empty lastError; returns lastError."""
    assert entry["status"] == "ERROR", entry
    error = entry["load"].get("lastError")
    assert isinstance(error, str) and error.strip(), entry
    return error


def loaded_at(load):
    text = load["loadedAt"]
    assert ISO_RE.match(text), text
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def activate_and_load(server, client, kind, detector_id, location, expected="ACTIVE",
                      fmt="TXT", name="list-1", account=ACCOUNT_A):
    """Create an activated set, wait for it to settle in `expected`; return (id, entry)."""
    set_id = kind.create(client, detector_id, name=name, fmt=fmt, location=location)
    wait_for_status(kind, client, detector_id, set_id, expected)
    return set_id, wait_for_load(server, detector_id, set_id, account)


def drain_loader(vigil, gd, detector_id, list_file):
    """Make sure earlier load work has been done: activate a throw-away ThreatIntelSet and
    wait until it is loaded, then delete it."""
    set_id = THREAT_INTEL_SET.create(gd, detector_id, name="barrier",
                                     location=list_file("192.0.2.99\n", "barrier.txt"))
    wait_for_status(THREAT_INTEL_SET, gd, detector_id, set_id, "ACTIVE")
    THREAT_INTEL_SET.delete(gd, detector_id, set_id)


# --------------------------------------------------------------------------------------------
# A local HTTP server for http:// locations
# --------------------------------------------------------------------------------------------


class _ListHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder. A request under /slow/ reads its file when it arrives, then
    holds the answer until the site releases that request (see ListSite)."""

    def do_GET(self):
        site = self.server.site
        with site.lock:
            site.hits[self.path] += 1
        if not self.path.startswith("/slow/"):
            super().do_GET()
            return
        path = site.root / self.path[len("/slow/"):]
        content = path.read_bytes() if path.is_file() else None
        site.hold_request().wait(site.hold_seconds)
        if content is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args):
        pass


class ListSite:
    """A ThreadingHTTPServer on 127.0.0.1 serving `root`. The n-th request (0-based) under
    /slow/ is answered, with the file as it was when the request arrived, once release(n) or
    release() is called or after hold_seconds."""

    def __init__(self, root, hold_seconds=LOAD_TIMEOUT):
        self.root = root
        self.hold_seconds = hold_seconds
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.hits = collections.Counter()
        self.gates = []  # one Event per /slow/ request, in arrival order
        self.released = False  # release(): this and every later /slow/ request go through
        handler = functools.partial(_ListHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.site = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": POLL_INTERVAL}, daemon=True)
        self.thread.start()

    def hold_request(self):
        with self.lock:
            gate = threading.Event()
            if self.released:
                gate.set()
            self.gates.append(gate)
            self.arrived.notify_all()
            return gate

    def wait_for_requests(self, count, timeout=LOAD_TIMEOUT):
        """Wait until `count` /slow/ requests have arrived."""
        with self.lock:
            ok = self.arrived.wait_for(lambda: len(self.gates) >= count, timeout)
        assert ok, f"expected {count} request(s) under /slow/, got {len(self.gates)}"

    def release(self, index=None):
        with self.lock:
            if index is not None:
                self.gates[index].set()
                return
            self.released = True
            for gate in self.gates:
                gate.set()

    def write(self, name, text):
        (self.root / name).write_text(text)
        return f"http://127.0.0.1:{self.port}/{name}"

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def hit_count(self, path):
        with self.lock:
            return self.hits[path]

    def close(self):
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def site(tmp_path):
    """A ThreadingHTTPServer on 127.0.0.1 serving a tmp folder; stopped at teardown."""
    root = tmp_path / "www"
    root.mkdir()
    served = ListSite(root)
    yield served
    served.close()


# --------------------------------------------------------------------------------------------
# Lifecycle and load reports (file://)
# --------------------------------------------------------------------------------------------


def test_file_list_goes_activating_then_active(vigil, gd, detector_id, set_kind, list_file):
    location = list_file(TXT_IPS, "ips.txt")
    set_id = set_kind.create(gd, detector_id, name="office", fmt="TXT", location=location)
    assert set_kind.get(gd, detector_id, set_id)["Status"] in ("ACTIVATING", "ACTIVE")
    assert wait_for_status(set_kind, gd, detector_id, set_id) == "ACTIVE"

    entry = wait_for_load(vigil, detector_id, set_id)
    assert set(entry) == ENTRY_KEYS | {"load"}, entry
    assert {k: entry[k] for k in ENTRY_KEYS} == {
        "id": set_id, "kind": set_kind.noun, "name": "office", "format": "TXT",
        "location": location, "status": "ACTIVE"}
    load = assert_loaded_ok(entry, lines=3, ipRanges=3, domains=0, ipv6Ignored=0,
                            badLineCount=0, badLines=[])
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((loaded_at(load) - now).total_seconds()) < 60, load
    assert isinstance(load["loadMillis"], (int, float)) and 0 <= load["loadMillis"] < 10_000
    # The endpoint agrees with GetIPSet/GetThreatIntelSet.
    assert set_kind.get(gd, detector_id, set_id)["Status"] == "ACTIVE"


def test_txt_counts_bad_lines_and_ipv6(vigil, gd, detector_id, list_file):
    set_id, entry = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id,
                                      list_file(TXT_MIXED))
    load = assert_loaded_ok(entry, **TXT_MIXED_COUNTS)
    assert [bad["line"] for bad in load["badLines"]] == TXT_MIXED_BAD_LINES, load
    for bad in load["badLines"]:
        assert set(bad) == {"line", "reason"}, bad
        assert isinstance(bad["reason"], str) and bad["reason"].strip(), bad


def test_ipset_txt_counts_bad_lines_and_ipv6(vigil, gd, detector_id, list_file):
    text = "# trusted\n203.0.113.5\n\nfe80::/10\n300.1.2.3\n203.0.113.0/28\n"
    _, entry = activate_and_load(vigil, gd, IPSET, detector_id, list_file(text))
    load = assert_loaded_ok(entry, lines=4, ipRanges=2, domains=0, ipv6Ignored=1,
                            badLineCount=1)
    assert [bad["line"] for bad in load["badLines"]] == [5], load
    assert load["badLines"][0]["reason"].strip()


def test_many_bad_lines_are_counted(vigil, gd, detector_id, list_file):
    bad_numbers = list(range(2, 302, 2))  # 150 bad lines between good ones
    lines = [f"bad entry {n}" if n in bad_numbers else f"10.1.{n >> 8}.{n & 255}"
             for n in range(1, 302)]
    _, entry = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id,
                                 list_file("\n".join(lines) + "\n"))
    load = assert_loaded_ok(entry, lines=301, ipRanges=151, badLineCount=150)
    reported = [bad["line"] for bad in load["badLines"]]
    assert reported, load
    assert reported == bad_numbers[:len(reported)], reported


def test_file_uri_forms(vigil, gd, detector_id, tmp_path):
    """file://localhost/path and percent-encoded paths name the same files as file:///path."""
    folder = tmp_path / "my lists"
    folder.mkdir()
    (folder / "a b.txt").write_text(TXT_IPS)
    encoded = (folder / "a b.txt").as_uri()
    assert "%20" in encoded
    with_host = "file://localhost" + str(folder / "a b.txt").replace(" ", "%20")
    for i, location in enumerate([encoded, with_host]):
        _, entry = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id, location,
                                     name=f"uri-{i}")
        assert_loaded_ok(entry, ipRanges=3)


def test_bom_and_crlf_are_tolerated(vigil, gd, detector_id, list_file):
    text = b"\xef\xbb\xbf# list\r\n192.0.2.1\r\n192.0.2.0/24\r\nexample.com\r\nbad entry\r\n"
    _, entry = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id, list_file(text))
    load = assert_loaded_ok(entry, lines=4, ipRanges=2, domains=1, badLineCount=1)
    assert [bad["line"] for bad in load["badLines"]] == [5], load


@pytest.mark.parametrize("what", ["missing", "directory", "other-host"])
def test_unreadable_file_location_is_error(vigil, gd, detector_id, set_kind, tmp_path, what):
    (tmp_path / "real.txt").write_text(TXT_IPS)
    location = {
        "missing": (tmp_path / "missing.txt").as_uri(),
        "directory": tmp_path.as_uri(),
        "other-host": "file://example.com" + str(tmp_path / "real.txt"),
    }[what]
    _, entry = activate_and_load(vigil, gd, set_kind, detector_id, location, "ERROR")
    assert_load_error(entry)


def test_missing_file_is_error_until_fixed(vigil, gd, detector_id, set_kind, tmp_path,
                                           list_file):
    path = tmp_path / "lists" / "later.txt"
    location = path.as_uri()
    set_id, entry = activate_and_load(vigil, gd, set_kind, detector_id, location, "ERROR")
    assert_load_error(entry)

    # Writing the file alone changes nothing; activating again loads it.
    assert list_file(TXT_IPS, "later.txt") == location
    assert set_kind.get(gd, detector_id, set_id)["Status"] == "ERROR"
    set_kind.update(gd, detector_id, set_id, Activate=True)
    assert set_kind.get(gd, detector_id, set_id)["Status"] in ("ACTIVATING", "ACTIVE")
    wait_for_status(set_kind, gd, detector_id, set_id, "ACTIVE")
    assert_loaded_ok(wait_for_load(vigil, detector_id, set_id), ipRanges=3, badLineCount=0)


@pytest.mark.parametrize("fmt", sorted(FORMAT_LISTS))
def test_each_format_loads(vigil, gd, detector_id, list_file, fmt):
    text, ip_ranges, domains = FORMAT_LISTS[fmt]
    set_id, entry = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id,
                                      list_file(text, f"list.{fmt.lower()}"), fmt=fmt)
    assert entry["format"] == fmt
    assert_loaded_ok(entry, ipRanges=ip_ranges, domains=domains, ipv6Ignored=0, badLineCount=0,
                     badLines=[])


def test_stix_bad_value_reported_with_its_line(vigil, gd, detector_id, list_file):
    text = STIX_LIST.replace("198.51.100.1</AddressObject", "198.51.100.300</AddressObject")
    bad_line = next(i for i, line in enumerate(text.split("\n"), 1) if "198.51.100.300" in line)
    _, entry = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id,
                                 list_file(text, "bad.xml"), fmt="STIX")
    load = assert_loaded_ok(entry, ipRanges=1, domains=1, badLineCount=1)
    assert [bad["line"] for bad in load["badLines"]] == [bad_line], load


# --------------------------------------------------------------------------------------------
# Re-activation, deactivation, delete
# --------------------------------------------------------------------------------------------


def test_reactivation_rereads_the_file(vigil, gd, detector_id, set_kind, list_file):
    location = list_file("192.0.2.1\n192.0.2.2\n", "edit.txt")
    set_id, entry = activate_and_load(vigil, gd, set_kind, detector_id, location)
    first = assert_loaded_ok(entry, ipRanges=2)

    # Edited file, no re-activation: still the old content, not loaded again.
    assert list_file("192.0.2.1\n192.0.2.2\n192.0.2.3\n198.51.100.0/24\n", "edit.txt") == location
    set_kind.update(gd, detector_id, set_id, Name="renamed")
    drain_loader(vigil, gd, detector_id, list_file)
    entry = list_entries(vigil, detector_id)[set_id]
    assert (entry["status"], entry["name"]) == ("ACTIVE", "renamed")
    assert entry["load"] == first, "the list was reloaded without an activation"

    # Re-activation reads it again.
    set_kind.update(gd, detector_id, set_id, Activate=True)
    assert set_kind.get(gd, detector_id, set_id)["Status"] in ("ACTIVATING", "ACTIVE")
    wait_for_status(set_kind, gd, detector_id, set_id, "ACTIVE")
    second = assert_loaded_ok(wait_for_load(vigil, detector_id, set_id), lines=4, ipRanges=4)
    assert loaded_at(second) >= loaded_at(first)


def test_new_location_is_read_only_on_activation(vigil, gd, detector_id, set_kind, list_file):
    old = list_file("192.0.2.1\n", "old.txt")
    new = list_file("198.51.100.1\n198.51.100.2\n198.51.100.3\n", "new.txt")
    set_id, entry = activate_and_load(vigil, gd, set_kind, detector_id, old)
    first = assert_loaded_ok(entry, ipRanges=1)

    set_kind.update(gd, detector_id, set_id, Location=new)
    drain_loader(vigil, gd, detector_id, list_file)
    entry = list_entries(vigil, detector_id)[set_id]
    assert (entry["location"], entry["status"], entry["load"]) == (new, "ACTIVE", first)

    set_kind.update(gd, detector_id, set_id, Activate=True)
    wait_for_status(set_kind, gd, detector_id, set_id, "ACTIVE")
    assert_loaded_ok(wait_for_load(vigil, detector_id, set_id), ipRanges=3)


def test_deactivate_then_delete(vigil, gd, detector_id, set_kind, list_file):
    set_id, _ = activate_and_load(vigil, gd, set_kind, detector_id, list_file(TXT_IPS))

    set_kind.update(gd, detector_id, set_id, Activate=False)
    assert set_kind.get(gd, detector_id, set_id)["Status"] == "INACTIVE"
    assert list_entries(vigil, detector_id)[set_id]["status"] == "INACTIVE"
    drain_loader(vigil, gd, detector_id, list_file)
    assert set_kind.get(gd, detector_id, set_id)["Status"] == "INACTIVE"

    set_kind.delete(gd, detector_id, set_id)
    assert list_entries(vigil, detector_id) == {}
    expect_error(lambda: set_kind.get(gd, detector_id, set_id), invalid_input=True)


def test_delete_while_active_removes_only_that_list(vigil, gd, detector_id, list_file):
    keep, _ = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id,
                                list_file(TXT_IPS, "keep.txt"), name="keep")
    gone, _ = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id,
                                list_file(TXT_MIXED, "gone.txt"), name="gone")
    THREAT_INTEL_SET.delete(gd, detector_id, gone)
    entries = list_entries(vigil, detector_id)
    assert set(entries) == {keep}
    assert_loaded_ok(entries[keep], ipRanges=3)


def test_inactive_list_is_never_loaded(vigil, gd, detector_id, list_file):
    set_id = THREAT_INTEL_SET.create(gd, detector_id, location=list_file(TXT_IPS),
                                     activate=False)
    drain_loader(vigil, gd, detector_id, list_file)
    entry = list_entries(vigil, detector_id)[set_id]
    assert entry["status"] == "INACTIVE"
    assert "load" not in entry, entry


# --------------------------------------------------------------------------------------------
# http://
# --------------------------------------------------------------------------------------------


def test_http_list_loads(vigil, gd, detector_id, set_kind, site):
    location = site.write("ips.txt", TXT_IPS)
    set_id, entry = activate_and_load(vigil, gd, set_kind, detector_id, location)
    assert entry["location"] == location
    assert_loaded_ok(entry, lines=3, ipRanges=3, badLineCount=0)
    assert site.hit_count("/ips.txt") == 1


def test_http_list_is_activating_until_fetched(vigil, gd, detector_id, set_kind, site):
    site.write("slow.txt", TXT_IPS)
    set_id = set_kind.create(gd, detector_id, location=site.url("slow/slow.txt"))
    site.wait_for_requests(1)
    assert set_kind.get(gd, detector_id, set_id)["Status"] == "ACTIVATING"
    entry = list_entries(vigil, detector_id)[set_id]
    assert entry["status"] == "ACTIVATING"
    assert "load" not in entry, entry
    assert set_kind.list(gd, detector_id)[set_kind.list_key] == [set_id]

    site.release()
    wait_for_status(set_kind, gd, detector_id, set_id, "ACTIVE")
    assert_loaded_ok(wait_for_load(vigil, detector_id, set_id), ipRanges=3)


def test_deactivation_during_load_wins(vigil, gd, detector_id, site, list_file):
    site.write("slow.txt", TXT_IPS)
    set_id = THREAT_INTEL_SET.create(gd, detector_id, location=site.url("slow/slow.txt"))
    site.wait_for_requests(1)
    THREAT_INTEL_SET.update(gd, detector_id, set_id, Activate=False)
    assert THREAT_INTEL_SET.get(gd, detector_id, set_id)["Status"] == "INACTIVE"

    site.release()
    drain_loader(vigil, gd, detector_id, list_file)
    assert THREAT_INTEL_SET.get(gd, detector_id, set_id)["Status"] == "INACTIVE"
    assert list_entries(vigil, detector_id)[set_id]["status"] == "INACTIVE"


def test_http_reactivation_fetches_again(vigil, gd, detector_id, site, list_file):
    location = site.write("feed.txt", "192.0.2.1\n")
    set_id, entry = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id, location)
    assert_loaded_ok(entry, ipRanges=1)
    assert site.hit_count("/feed.txt") == 1

    site.write("feed.txt", "192.0.2.1\nexample.com\n")
    THREAT_INTEL_SET.update(gd, detector_id, set_id, Name="no reload")
    drain_loader(vigil, gd, detector_id, list_file)
    assert site.hit_count("/feed.txt") == 1
    assert_loaded_ok(list_entries(vigil, detector_id)[set_id], ipRanges=1, domains=0)

    THREAT_INTEL_SET.update(gd, detector_id, set_id, Activate=True)
    wait_for_status(THREAT_INTEL_SET, gd, detector_id, set_id, "ACTIVE")
    assert_loaded_ok(wait_for_load(vigil, detector_id, set_id), ipRanges=1, domains=1)
    assert site.hit_count("/feed.txt") == 2


def test_reactivation_during_a_load_waits_for_the_new_read(vigil, gd, detector_id, site):
    """Activated again while an earlier read is still in flight, a list must stay ACTIVATING
    until the read that the latest activation asked for is done: the earlier read finishing
    must not make it ACTIVE with the old content."""
    site.write("feed.txt", "192.0.2.1\n")
    set_id = THREAT_INTEL_SET.create(gd, detector_id, location=site.url("slow/feed.txt"))
    site.wait_for_requests(1)  # read 1 holds the one-line file

    site.write("feed.txt", "192.0.2.1\n192.0.2.2\n192.0.2.3\n")
    THREAT_INTEL_SET.update(gd, detector_id, set_id, Activate=True)
    assert THREAT_INTEL_SET.get(gd, detector_id, set_id)["Status"] == "ACTIVATING"

    site.release(0)  # read 1 completes; read 2 (the three-line file) is requested and held
    site.wait_for_requests(2)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        status = THREAT_INTEL_SET.get(gd, detector_id, set_id)["Status"]
        entry = list_entries(vigil, detector_id)[set_id]
        assert (status, entry["status"]) == ("ACTIVATING", "ACTIVATING"), (
            f"{status} while the re-read for the latest activation is still held; "
            f"load report: {entry.get('load')}")
        time.sleep(POLL_INTERVAL)

    site.release()
    wait_for_status(THREAT_INTEL_SET, gd, detector_id, set_id, "ACTIVE")
    assert_loaded_ok(wait_for_load(vigil, detector_id, set_id), ipRanges=3)


def test_http_404_is_error(vigil, gd, detector_id, set_kind, site):
    set_id, entry = activate_and_load(vigil, gd, set_kind, detector_id,
                                      site.url("no-such-list.txt"), "ERROR")
    error = assert_load_error(entry)
    assert "404" in error, error
    assert site.hit_count("/no-such-list.txt") == 1


def test_http_connection_refused_is_error(vigil, gd, detector_id, set_kind):
    location = f"http://127.0.0.1:{free_port()}/list.txt"  # nothing listens there
    _, entry = activate_and_load(vigil, gd, set_kind, detector_id, location, "ERROR")
    assert_load_error(entry)


# --------------------------------------------------------------------------------------------
# Quotas
# --------------------------------------------------------------------------------------------


def test_ipset_over_2000_entries_is_error(vigil, gd, detector_id, list_file):
    _, entry = activate_and_load(vigil, gd, IPSET, detector_id, list_file(ip_lines(2001)),
                                 "ERROR")
    error = assert_load_error(entry)
    assert "2000" in error or "2,000" in error or "limit" in error.lower(), error


def test_ipset_of_exactly_2000_entries_is_active(vigil, gd, detector_id, list_file):
    _, entry = activate_and_load(vigil, gd, IPSET, detector_id, list_file(ip_lines(2000)))
    assert_loaded_ok(entry, lines=2000, ipRanges=2000, badLineCount=0)


def test_2001_entries_are_fine_for_a_threat_intel_set(vigil, gd, detector_id, list_file):
    _, entry = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id,
                                 list_file(ip_lines(2001)))
    assert_loaded_ok(entry, ipRanges=2001, badLineCount=0)


def test_threat_intel_set_over_250000_entries_is_error(vigil, gd, detector_id, list_file):
    text = ip_lines(250_001)
    _, entry = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id, list_file(text),
                                 "ERROR")
    error = assert_load_error(entry)
    assert ("250000" in error or "250,000" in error or "limit" in error.lower()), error


# --------------------------------------------------------------------------------------------
# S3 locations
# --------------------------------------------------------------------------------------------


@pytest.fixture
def s3_server(tmp_path):
    """A server of its own with --s3-root: bucket "intel" holds feeds/bad.txt and
    trusted.txt; a file outside the root sits next to it."""
    root = tmp_path / "s3"
    (root / "intel" / "feeds").mkdir(parents=True)
    (root / "intel" / "feeds" / "bad.txt").write_text(TXT_MIXED)
    (root / "intel" / "trusted.txt").write_text(TXT_IPS)
    (tmp_path / "outside.txt").write_text(TXT_IPS)
    server = VigilServer(in_memory=True, extra_args=["--s3-root", str(root)]).start()
    yield server
    rc = server.stop()
    assert rc == 0, f"vigil exited with {rc} after SIGTERM:\n{server.stderr()}"


S3_FORMS = [
    "s3://intel/feeds/bad.txt",
    "https://s3.amazonaws.com/intel/feeds/bad.txt",
    "https://s3-us-west-2.amazonaws.com/intel/feeds/bad.txt",
    "https://intel.s3.amazonaws.com/feeds/bad.txt",
    "http://intel.s3-eu-west-1.amazonaws.com/feeds/bad.txt",
    "https://intel.s3.us-west-2.amazonaws.com/feeds/bad.txt",
]


def test_s3_locations_read_from_s3_root(s3_server):
    gd = s3_server.client(ACCOUNT_A)
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    for i, location in enumerate(S3_FORMS):
        set_id, entry = activate_and_load(s3_server, gd, THREAT_INTEL_SET, detector_id,
                                          location, name=f"feed-{i}")
        assert entry["location"] == location
        assert_loaded_ok(entry, **TXT_MIXED_COUNTS)
    ip_set, entry = activate_and_load(s3_server, gd, IPSET, detector_id, "s3://intel/trusted.txt")
    assert_loaded_ok(entry, ipRanges=3, badLineCount=0)


@pytest.mark.parametrize("location", [
    "s3://intel/feeds/missing.txt",
    "s3://no-such-bucket/feeds/bad.txt",
    "s3://intel/../../outside.txt",
], ids=["missing-key", "missing-bucket", "escapes-root"])
def test_unreadable_s3_object_is_error(s3_server, location):
    gd = s3_server.client(ACCOUNT_A)
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    _, entry = activate_and_load(s3_server, gd, THREAT_INTEL_SET, detector_id, location,
                                 "ERROR")
    assert_load_error(entry)


@pytest.mark.parametrize("location", ["s3://intel/feeds/bad.txt",
                                      "https://s3.amazonaws.com/intel/feeds/bad.txt"])
def test_s3_without_s3_root_is_error(vigil, gd, detector_id, set_kind, location):
    _, entry = activate_and_load(vigil, gd, set_kind, detector_id, location, "ERROR")
    error = assert_load_error(entry)
    assert "--s3-root" in error, error


# --------------------------------------------------------------------------------------------
# Restart
# --------------------------------------------------------------------------------------------


def test_lists_are_reloaded_after_restart(tmp_path, list_file):
    data = tmp_path / "data"
    server = VigilServer(data_dir=data).start()
    try:
        gd = server.client(ACCOUNT_A)
        detector_id = gd.create_detector(Enable=True)["DetectorId"]
        trusted_location = list_file(TXT_IPS, "trusted.txt")
        trusted, entry = activate_and_load(server, gd, IPSET, detector_id, trusted_location)
        assert_loaded_ok(entry, ipRanges=3)
        threat, entry = activate_and_load(server, gd, THREAT_INTEL_SET, detector_id,
                                          list_file(TXT_MIXED, "threat.txt"), name="threat")
        assert_loaded_ok(entry, **TXT_MIXED_COUNTS)
        broken, _ = activate_and_load(server, gd, THREAT_INTEL_SET, detector_id,
                                      (tmp_path / "missing.txt").as_uri(), "ERROR",
                                      name="broken")
        off = THREAT_INTEL_SET.create(gd, detector_id, name="off",
                                      location=list_file(TXT_IPS, "off.txt"), activate=False)
        assert server.stop() == 0, server.stderr()

        # The trusted list changes while the server is down: the restart reads it again.
        assert list_file(TXT_IPS + "203.0.113.9\n", "trusted.txt") == trusted_location
        server = VigilServer(data_dir=data).start()
        gd = server.client(ACCOUNT_A)

        assert wait_for_status(IPSET, gd, detector_id, trusted) == "ACTIVE"
        assert wait_for_status(THREAT_INTEL_SET, gd, detector_id, threat) == "ACTIVE"
        assert_loaded_ok(wait_for_load(server, detector_id, trusted), ipRanges=4)
        assert_loaded_ok(wait_for_load(server, detector_id, threat), **TXT_MIXED_COUNTS)
        assert THREAT_INTEL_SET.get(gd, detector_id, broken)["Status"] == "ERROR"
        assert THREAT_INTEL_SET.get(gd, detector_id, off)["Status"] == "INACTIVE"
        entries = list_entries(server, detector_id)
        assert set(entries) == {trusted, threat, broken, off}
        assert (entries[broken]["status"], entries[off]["status"]) == ("ERROR", "INACTIVE")
    finally:
        rc = server.stop()
    assert rc == 0, server.stderr()


def test_active_list_whose_file_vanished_is_error_after_restart(tmp_path, list_file):
    """The restart reads ACTIVE lists again; one that can no longer be read is not in effect
    and must say so (ERROR), not stay ACTIVE next to a lastError."""
    data = tmp_path / "data"
    server = VigilServer(data_dir=data).start()
    try:
        gd = server.client(ACCOUNT_A)
        detector_id = gd.create_detector(Enable=True)["DetectorId"]
        location = list_file(TXT_IPS, "vanishing.txt")
        set_id, _ = activate_and_load(server, gd, IPSET, detector_id, location)
        assert server.stop() == 0, server.stderr()

        (tmp_path / "lists" / "vanishing.txt").unlink()
        server = VigilServer(data_dir=data).start()
        gd = server.client(ACCOUNT_A)
        entry = wait_for_load(server, detector_id, set_id)
        status = wait_for_status(IPSET, gd, detector_id, set_id)
        assert (status, entry["status"]) == ("ERROR", "ERROR"), entry
        assert_load_error(entry)
    finally:
        rc = server.stop()
    assert rc == 0, server.stderr()


def test_sigterm_does_not_wait_for_a_hung_list_server(tmp_path):
    """A list server that never answers must not hold up a graceful stop; the list, still
    ACTIVATING, is loaded after the restart."""
    root = tmp_path / "www"
    root.mkdir()
    site = ListSite(root, hold_seconds=3 * STOP_TIMEOUT)
    data = tmp_path / "data"
    server = VigilServer(data_dir=data).start()
    try:
        site.write("feed.txt", TXT_IPS)
        gd = server.client(ACCOUNT_A)
        detector_id = gd.create_detector(Enable=True)["DetectorId"]
        set_id = THREAT_INTEL_SET.create(gd, detector_id, location=site.url("slow/feed.txt"))
        site.wait_for_requests(1)
        assert THREAT_INTEL_SET.get(gd, detector_id, set_id)["Status"] == "ACTIVATING"

        proc = server.proc
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            site.release()
            released = time.monotonic()
            proc.wait(timeout=60)
            pytest.fail(f"vigil had not exited {released - started:.1f}s after SIGTERM while a "
                        f"list fetch was held; it exited {time.monotonic() - released:.1f}s "
                        f"after the list server answered")
        assert rc == 0, server.stderr()
        server.stop()

        site.release()
        server = VigilServer(data_dir=data).start()
        gd = server.client(ACCOUNT_A)
        wait_for_status(THREAT_INTEL_SET, gd, detector_id, set_id, "ACTIVE")
        assert_loaded_ok(wait_for_load(server, detector_id, set_id), ipRanges=3)
    finally:
        server.stop()
        site.close()


def test_reset_does_not_wait_for_a_hung_list_server(tmp_path):
    """POST /_vigil/reset answers promptly even while a list fetch hangs, and forgets the
    list (a test suite resets between tests)."""
    root = tmp_path / "www"
    root.mkdir()
    site = ListSite(root, hold_seconds=3 * STOP_TIMEOUT)
    server = VigilServer(in_memory=True).start()
    try:
        site.write("feed.txt", TXT_IPS)
        gd = server.client(ACCOUNT_A)
        detector_id = gd.create_detector(Enable=True)["DetectorId"]
        THREAT_INTEL_SET.create(gd, detector_id, location=site.url("slow/feed.txt"))
        site.wait_for_requests(1)
        started = time.monotonic()
        try:
            status, _, body = server.request("POST", "/_vigil/reset", timeout=STOP_TIMEOUT)
        except OSError as error:  # socket timeout
            site.release()
            pytest.fail(f"POST /_vigil/reset did not answer within {STOP_TIMEOUT}s while a list "
                        f"fetch was held ({error!r})")
        assert status == 200, body
        assert time.monotonic() - started < STOP_TIMEOUT
        assert gd.list_detectors()["DetectorIds"] == []
        site.release()
        # The server still loads lists afterwards.
        detector_id = gd.create_detector(Enable=True)["DetectorId"]
        _, entry = activate_and_load(server, gd, THREAT_INTEL_SET, detector_id,
                                     site.write("after.txt", TXT_IPS))
        assert_loaded_ok(entry, ipRanges=3)
    finally:
        site.close()
        rc = server.stop()
    assert rc == 0, server.stderr()


# --------------------------------------------------------------------------------------------
# The endpoint's scope
# --------------------------------------------------------------------------------------------


def test_endpoint_of_detector_without_lists(vigil, detector_id):
    status, _, body = detector_lists(vigil, detector_id)
    assert status == 200, body
    assert json.loads(body) == {"detectorId": detector_id, "lists": []}


@pytest.mark.parametrize("who", ["other-account", "other-region", "default-account"])
def test_endpoint_rejects_another_accounts_detector(vigil, gd, detector_id, list_file, who):
    set_id, _ = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id, list_file(TXT_IPS))
    if who == "other-account":
        status, headers, body = detector_lists(vigil, detector_id, account=ACCOUNT_B)
    elif who == "other-region":
        status, headers, body = detector_lists(vigil, detector_id, region=OTHER_REGION)
    else:  # no Authorization header: account 123456789012
        status, headers, body = vigil.request("GET", f"/_vigil/detectors/{detector_id}/lists")
    doc = assert_json_error(status, headers, body)
    assert doc["message"] == NOT_OWNED, doc
    assert set_id not in body.decode("utf-8", "replace")
    assert set(list_entries(vigil, detector_id)) == {set_id}


def test_endpoint_with_own_detector_does_not_show_others_lists(vigil, gd, gd_b, detector_id,
                                                               list_file):
    set_a, _ = activate_and_load(vigil, gd, THREAT_INTEL_SET, detector_id, list_file(TXT_IPS))
    id_b = gd_b.create_detector(Enable=True)["DetectorId"]
    assert list_entries(vigil, id_b, account=ACCOUNT_B) == {}
    assert set(list_entries(vigil, detector_id)) == {set_a}


@pytest.mark.parametrize("detector", ["unknown", "deleted"])
def test_endpoint_rejects_unknown_detector(vigil, gd, detector):
    detector_id = UNKNOWN_ID
    if detector == "deleted":
        detector_id = gd.create_detector(Enable=True)["DetectorId"]
        gd.delete_detector(DetectorId=detector_id)
    status, headers, body = detector_lists(vigil, detector_id)
    doc = assert_json_error(status, headers, body)
    assert doc["message"] == NOT_OWNED, doc


# --------------------------------------------------------------------------------------------
# vigil lists check
# --------------------------------------------------------------------------------------------


def vigil_cli(*args):
    return subprocess.run([str(VIGIL_BIN), *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def count_reported(output, number, word):
    """True when `number` is printed as the count of a phrase of at most three words, the
    last one containing `word` ("3 IPv4 ranges", "2 bad lines", "1 IPv6 ignored")."""
    pattern = rf"(?<![\w.]){number}\s+(?:[A-Za-z0-9-]+\s+){{0,2}}[A-Za-z0-9-]*{word}"
    return re.search(pattern, output, re.IGNORECASE) is not None


def test_cli_check_reports_counts_and_bad_lines(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_text(TXT_MIXED)
    proc = vigil_cli("lists", "check", "--format", "TXT", str(path))
    out = proc.stdout
    assert proc.returncode == 3, (proc.returncode, out, proc.stderr)
    assert count_reported(out, 3, "range"), out
    assert count_reported(out, 2, "domain"), out
    assert count_reported(out, 1, "IPv6"), out
    assert count_reported(out, 2, "bad"), out
    for number in TXT_MIXED_BAD_LINES:
        assert re.search(rf"\bline {number}\b", out), out
    assert not re.search(r"\bline (2|3|5|6|7|10)\b", out), out


def test_cli_check_clean_file_exits_0(tmp_path):
    path = tmp_path / "otx.csv"
    path.write_text(OTX_LIST)
    proc = vigil_cli("lists", "check", "--format", "OTX_CSV", str(path))
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr)
    assert count_reported(proc.stdout, 2, "range"), proc.stdout
    assert count_reported(proc.stdout, 1, "domain"), proc.stdout
    assert count_reported(proc.stdout, 0, "bad"), proc.stdout
    assert not re.search(r"\bline \d+", proc.stdout), proc.stdout


@pytest.mark.parametrize("fmt", ["CSV", "txt", ""])
def test_cli_check_rejects_unknown_format(tmp_path, fmt):
    path = tmp_path / "list.txt"
    path.write_text(TXT_IPS)
    proc = vigil_cli("lists", "check", "--format", fmt, str(path))
    assert proc.returncode not in (0, 3), (proc.returncode, proc.stdout, proc.stderr)
    message = proc.stdout + proc.stderr
    assert "format" in message.lower(), message
    assert not count_reported(proc.stdout, 3, "range"), proc.stdout


def test_cli_check_missing_file_fails(tmp_path):
    proc = vigil_cli("lists", "check", "--format", "TXT", str(tmp_path / "nope.txt"))
    assert proc.returncode not in (0, 3), (proc.returncode, proc.stdout, proc.stderr)
    assert "nope.txt" in proc.stdout + proc.stderr


class _S3Handler(http.server.BaseHTTPRequestHandler):
    """A stand-in for an S3-compatible server: path-style GET /bucket/key from a folder,
    refusing requests that are not SigV4-signed for S3."""

    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        authorization = self.headers.get("Authorization", "")
        if not authorization.startswith("AWS4-HMAC-SHA256 ") or "/s3/aws4_request" not in authorization:
            self.send_response(403)
            self.end_headers()
            return
        target = self.server.root / self.path.lstrip("/")
        if not target.is_file():
            self.send_response(404)
            self.end_headers()
            return
        body = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_s3_endpoint_requests_are_sigv4_signed(tmp_path, monkeypatch):
    root = tmp_path / "objects"
    (root / "intel" / "feeds").mkdir(parents=True)
    (root / "intel" / "feeds" / "bad.txt").write_text(TXT_MIXED)
    s3 = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _S3Handler)
    s3.root, s3.requests = root, []
    threading.Thread(target=s3.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    server = VigilServer(in_memory=True, extra_args=[
        "--s3-endpoint", f"http://127.0.0.1:{s3.server_address[1]}", "--s3-region", "eu-west-1",
    ]).start()
    try:
        gd = server.client(ACCOUNT_A)
        detector_id = gd.create_detector(Enable=True)["DetectorId"]
        _, entry = activate_and_load(server, gd, THREAT_INTEL_SET, detector_id,
                                     "s3://intel/feeds/bad.txt")
        assert_loaded_ok(entry, **TXT_MIXED_COUNTS)
        path, headers = s3.requests[-1]
        assert path == "/intel/feeds/bad.txt"
        assert "Credential=AKIDEXAMPLE/" in headers["Authorization"]
        assert "/eu-west-1/s3/aws4_request" in headers["Authorization"]
        assert "x-amz-date" in {k.lower() for k in headers}
        # A location naming its region is signed for that region.
        _, entry = activate_and_load(server, gd, THREAT_INTEL_SET, detector_id,
                                     "https://intel.s3.us-west-2.amazonaws.com/feeds/bad.txt",
                                     name="west")
        assert "/us-west-2/s3/aws4_request" in s3.requests[-1][1]["Authorization"]
        _, entry = activate_and_load(server, gd, THREAT_INTEL_SET, detector_id,
                                     "s3://intel/feeds/missing.txt", "ERROR", name="gone")
        assert "404" in assert_load_error(entry)
    finally:
        assert server.stop() == 0
        s3.shutdown()
