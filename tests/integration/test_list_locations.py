"""`vigil serve --list-location PREFIX`: a server that reads IPSets and ThreatIntelSets only
from where its operator allows, whatever a caller names (no `..`, symlink or redirect
leads elsewhere)."""

import http.server
import os
import threading

import pytest

from conftest import (
    IPSET,
    THREAT_INTEL_SET,
    VigilServer,
    expect_error,
    serve_exit,
    wait_for_status,
)

TXT_IPS = "192.0.2.1\n198.51.100.0/24\n"


class _Handler(http.server.BaseHTTPRequestHandler):
    """/feeds/list.txt is a list, /feeds/moved.txt redirects to /other/list.txt."""

    def do_GET(self):
        self.server.hits.append(self.path)
        if self.path == "/feeds/moved.txt":
            self.send_response(302)
            self.send_header("Location", "/other/list.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = TXT_IPS.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def folders(tmp_path):
    """allowed/list.txt, secret.txt beside it, allowed/link.txt → secret.txt, and an S3 root
    with buckets intel and other."""
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "list.txt").write_text(TXT_IPS)
    (tmp_path / "secret.txt").write_text("10.0.0.1\n")
    os.symlink(tmp_path / "secret.txt", allowed / "link.txt")
    for bucket in ("intel", "other"):
        (tmp_path / "s3" / bucket).mkdir(parents=True)
        (tmp_path / "s3" / bucket / "list.txt").write_text(TXT_IPS)
    return tmp_path


@pytest.fixture
def fenced(folders, site):
    """A server that allows the allowed/ folder, the site's /feeds/ and bucket intel."""
    server = VigilServer(in_memory=True, extra_args=[
        "--s3-root", str(folders / "s3"),
        "--list-location", f"file://{folders}/allowed/",
        "--list-location", f"http://127.0.0.1:{site.server_address[1]}/feeds/",
        "--list-location", "s3://intel/",
    ]).start()
    yield server
    assert server.stop() == 0, server.stderr()


def test_locations_inside_the_prefixes_load(fenced, folders, site):
    gd = fenced.client()
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    port = site.server_address[1]
    for i, location in enumerate([f"file://{folders}/allowed/list.txt",
                                  f"http://127.0.0.1:{port}/feeds/list.txt",
                                  "s3://intel/list.txt",
                                  "https://intel.s3.amazonaws.com/list.txt"]):
        set_id = THREAT_INTEL_SET.create(gd, detector_id, name=f"feed-{i}", location=location)
        wait_for_status(THREAT_INTEL_SET, gd, detector_id, set_id, "ACTIVE")


def test_locations_outside_are_refused_and_nothing_is_created(fenced, folders, site, set_kind):
    kind = set_kind
    gd = fenced.client()
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    port = site.server_address[1]
    outside = [
        f"file://{folders}/secret.txt",
        f"file://{folders}/allowed/../secret.txt",
        f"file://{folders}/allowed/link.txt",
        "file:///etc/passwd",
        f"http://127.0.0.1:{port}/other/list.txt",
        f"http://127.0.0.1:{port}/feeds/../other/list.txt",
        "http://169.254.169.254/latest/meta-data/",
        "s3://other/list.txt",
        "s3://intel/../other/list.txt",
        "https://s3.amazonaws.com/other/list.txt",
    ]
    for location in outside:
        resp = expect_error(lambda: kind.create_raw(gd, detector_id, Name="x", Format="TXT",
                                                    Location=location, Activate=True),
                            param="location", invalid_input=True)
        assert location in resp["Error"]["Message"]
    assert kind.list(gd, detector_id)[kind.list_key] == []
    assert site.hits == []


def test_update_to_a_location_outside_is_refused(fenced, folders):
    gd = fenced.client()
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    inside = f"file://{folders}/allowed/list.txt"
    set_id = IPSET.create(gd, detector_id, location=inside)
    wait_for_status(IPSET, gd, detector_id, set_id, "ACTIVE")
    expect_error(lambda: IPSET.update(gd, detector_id, set_id,
                                      Location=f"file://{folders}/secret.txt"),
                 param="location", invalid_input=True)
    assert IPSET.get(gd, detector_id, set_id)["Location"] == inside


def test_redirects_are_not_followed(fenced, site):
    gd = fenced.client()
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    location = f"http://127.0.0.1:{site.server_address[1]}/feeds/moved.txt"
    set_id = THREAT_INTEL_SET.create(gd, detector_id, location=location)
    wait_for_status(THREAT_INTEL_SET, gd, detector_id, set_id, "ERROR")
    assert site.hits == ["/feeds/moved.txt"]


def test_lists_stored_before_the_fence_are_not_read_after_it(tmp_path, folders):
    """A list created on an open server is refused at load once the server restarts fenced."""
    data = tmp_path / "data"
    secret = f"file://{folders}/secret.txt"
    server = VigilServer(data_dir=data).start()
    try:
        gd = server.client()
        detector_id = gd.create_detector(Enable=True)["DetectorId"]
        set_id = THREAT_INTEL_SET.create(gd, detector_id, location=secret)
        wait_for_status(THREAT_INTEL_SET, gd, detector_id, set_id, "ACTIVE")
    finally:
        assert server.stop() == 0, server.stderr()
    server = VigilServer(data_dir=data, extra_args=[
        "--list-location", f"file://{folders}/allowed/"]).start()
    try:
        gd = server.client()
        wait_for_status(THREAT_INTEL_SET, gd, detector_id, set_id, "ERROR")
    finally:
        assert server.stop() == 0, server.stderr()


def test_a_bad_prefix_stops_the_server():
    code, stderr = serve_exit(["--list-location", "ftp://example.com/"])
    assert code == 2
    assert "ftp://example.com/" in stderr, stderr
