"""Watched folders: `vigil serve --watch SOURCE=DIR[:DETECTOR_ID]` and GET /_vigil/watch.

Files land in S3-style trees (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/...) the way
delivery tools write them: present before the server starts (found by the start-up rescan),
written elsewhere and renamed into place, or written in place slowly. Each file must be read
once, whole, and the findings must equal those of POSTing the same files, in the same order,
to /_vigil/ingest of a detector in another account. A restart in between must neither repeat
nor skip a file; flow logs have no event ids, so only the watcher's bookkeeping keeps a
brute-force finding's `service.count` from growing when old files are seen again.

These tests run their own servers; waiting is polling with a deadline.
"""

import gzip
import json
import os
import time

import pytest

from conftest import ACCOUNT_A, ACCOUNT_B, UNKNOWN_ID, VigilServer, serve_exit
from test_detection import (
    ADMIN_ATTACHED,
    ATTACK_EVENTS,
    ATTACKER,
    ATTACKER_2,
    ENI_2,
    KALI,
    LOCAL_IP_2,
    ROOT,
    SCAN_TARGET,
    SSH_BRUTE,
    T0,
    TRAIL_OFF,
    all_findings,
    benign_events,
    benign_flows,
    brute_force,
    ingest_ok,
    interleave,
    port_scan,
    remote_ip,
    summary,
    text,
    trail_file,
)

WAIT = 30.0  # seconds a file may take to be processed (settling is 2 s, retries every 5 s)
POLL = 0.1
DAY = "2026/01/01"
DAY_2 = "2026/01/02"
DAY_3 = "2026/01/03"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def trail_dir(root, day=DAY):
    return root / "AWSLogs" / ACCOUNT_A / "CloudTrail" / "us-east-1" / day


def flow_dir(root, day=DAY):
    return root / "AWSLogs" / ACCOUNT_A / "vpcflowlogs" / "us-east-1" / day


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def land(path, data):
    """Write under a temporary name, then rename into place (how rsync and the AWS CLI
    deliver files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.rename(temporary, path)


def write_slowly(f, data, server, files_before):
    """Write `data` to `f` in two halves (split mid-line) a second apart, checking meanwhile
    that the flow logs folder has processed no more than `files_before` files."""
    f.write(data[:len(data) // 2 + 7])
    f.flush()
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        folder = folder_of(server, "flowlogs")
        assert folder["filesProcessed"] == files_before, f"read while being written: {folder}"
        time.sleep(POLL)
    f.write(data[len(data) // 2 + 7:])


def watch_server(tmp_path, *specs):
    """A server on tmp_path/data whose default account is ACCOUNT_A, watching `specs`."""
    args = ["--account", ACCOUNT_A]
    for spec in specs:
        args += ["--watch", spec]
    return VigilServer(data_dir=tmp_path / "data", extra_args=args)


def stop_cleanly(server):
    rc = server.stop()
    assert rc == 0, f"vigil exited with {rc} after SIGTERM:\n{server.stderr()}"


def folders(server):
    status, headers, body = server.request("GET", "/_vigil/watch")
    assert status == 200, (status, body[:500])
    assert headers.get("Content-Type", "").startswith("application/json"), dict(headers)
    return json.loads(body)["folders"]


def folder_of(server, source):
    matching = [f for f in folders(server) if f["source"] == source]
    assert len(matching) == 1, folders(server)
    return matching[0]


def wait_for(server, source, predicate, what, timeout=WAIT):
    """Poll GET /_vigil/watch until the folder of `source` satisfies `predicate`."""
    deadline = time.monotonic() + timeout
    while True:
        folder = folder_of(server, source)
        if predicate(folder):
            return folder
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout}s; the folder says {folder}\n"
                        f"{server.stderr()}", pytrace=False)
        time.sleep(POLL)


def processed(count):
    return lambda folder: folder["filesProcessed"] >= count and folder["filesPending"] == 0


def shape(findings):
    """What must agree between the watched detector and the reference one."""
    return sorted((*summary(f), f["Service"]["Count"], f["Severity"],
                   f["Service"]["EventFirstSeen"], f["Service"]["EventLastSeen"])
                  for f in findings)


class Reference:
    """A detector of ACCOUNT_B fed the same files by POST /_vigil/ingest, one per file."""

    def __init__(self, server):
        self.server = server
        client = server.client(ACCOUNT_B)
        self.detector_id = client.create_detector(Enable=True)["DetectorId"]
        self.totals = {}

    def ingest(self, source, data):
        doc = ingest_ok(self.server, self.detector_id, source, data, account=ACCOUNT_B)
        totals = self.totals.setdefault(source, dict.fromkeys(
            ("records", "rejected", "findingsCreated", "findingsUpdated"), 0))
        for key in totals:
            totals[key] += doc[key]
        return doc

    def findings(self):
        # A client of the server's current port (it changes with a restart).
        return all_findings(self.server.client(ACCOUNT_B), self.detector_id)


def assert_counts(folder, totals):
    counted = {key: folder[key] for key in totals}
    assert counted == totals, folder


# --------------------------------------------------------------------------------------------
# Files present at start, renamed into place, written slowly
# --------------------------------------------------------------------------------------------


def test_watched_folders_process_each_file_once_as_a_post_would(tmp_path):
    trails, flows = tmp_path / "trails", tmp_path / "flows"
    events = benign_events()
    later_events = benign_events(T0 + 100)
    trail_files = {
        "a": gzip.compress(trail_file(events + [ATTACK_EVENTS[ROOT][0]]).encode()),
        "b": gzip.compress(trail_file(
            [ATTACK_EVENTS[TRAIL_OFF + "/StopLogging"][0]] + later_events).encode()),
    }
    for name, data in trail_files.items():
        write(trail_dir(trails) / f"{ACCOUNT_A}_CloudTrail_us-east-1_20260101T0000Z_{name}.json.gz",
              data)
    # Not logs: a digest, a hidden file and one still being written under a temporary name.
    # Each holds an event that would make a Kali finding if it were read.
    kali = gzip.compress(trail_file([ATTACK_EVENTS[KALI][0]]).encode())
    digest = (trails / "AWSLogs" / ACCOUNT_A / "CloudTrail-Digest" / "us-east-1" / DAY /
              f"{ACCOUNT_A}_CloudTrail-Digest_us-east-1_trail_us-east-1_20260101T0100Z.json.gz")
    write(digest, kali)
    write(trail_dir(trails) / ".upload.json.gz", kali)
    write(trail_dir(trails) / "c.json.gz.partial", kali)

    flow_files = {
        "a": gzip.compress(text(interleave(benign_flows(),
                                           brute_force(ATTACKER, T0, attempts=15))).encode()),
        "b": gzip.compress(text(brute_force(ATTACKER, T0 + 150, attempts=15,
                                            first_port=41000)).encode()),
    }
    for name, data in flow_files.items():
        write(flow_dir(flows) / f"{name}.log.gz", data)

    server = watch_server(tmp_path, f"cloudtrail={trails}", f"flowlogs={flows}").start()
    try:
        reference = Reference(server)
        described = folders(server)
        assert [(f["source"], f["directory"]) for f in described] == [
            ("cloudtrail", os.path.realpath(trails)), ("flowlogs", os.path.realpath(flows))]

        # No detector in the default account yet: the files wait, reported as failing.
        for source in ("cloudtrail", "flowlogs"):
            folder = wait_for(server, source, lambda f: f["filesFailed"] == 2,
                              "files waiting for a detector")
            assert folder["filesProcessed"] == 0 and folder["filesSeen"] == 2, folder
            assert "no detector" in folder["lastError"], folder
            assert folder["detectorId"] is None and folder["lastProcessedAt"] is None, folder

        client = server.client(ACCOUNT_A)
        detector_id = client.create_detector(Enable=True)["DetectorId"]
        for source, files in (("cloudtrail", trail_files), ("flowlogs", flow_files)):
            folder = wait_for(server, source, processed(2), f"{source} files present at start")
            assert folder["filesFailed"] == 0 and folder["lastError"] is None, folder
            assert folder["detectorId"] == detector_id, folder
            for name in sorted(files):
                reference.ingest(source, files[name])

        # Renamed into place, in a directory that already exists and in a new one.
        more_trail = gzip.compress(trail_file(
            [ATTACK_EVENTS[ADMIN_ATTACHED][0], ATTACK_EVENTS[ROOT][0]]).encode())  # ROOT again
        land(trail_dir(trails) / f"{ACCOUNT_A}_CloudTrail_us-east-1_20260101T0100Z_d.json.gz",
             more_trail)
        reference.ingest("cloudtrail", more_trail)
        scan = gzip.compress(text(port_scan(SCAN_TARGET, T0 + 400, ports=60)).encode())
        land(flow_dir(flows, DAY_2) / "c.log.gz", scan)
        reference.ingest("flowlogs", scan)
        wait_for(server, "cloudtrail", processed(3), "a CloudTrail file renamed into place")
        wait_for(server, "flowlogs", processed(3), "a flow log file renamed into a new directory")

        # Written in place in two halves with a pause: not read before it is complete. Plain
        # text, split mid-line, so reading the first half would reject a record and count
        # the first attempts twice.
        slow = text(brute_force(ATTACKER, T0 + 300, attempts=25, first_port=42000)).encode()
        with open(flow_dir(flows, DAY_2) / "d.log", "wb") as f:
            write_slowly(f, slow, server, files_before=3)
        reference.ingest("flowlogs", slow)
        wait_for(server, "flowlogs", processed(4), "a file written in place")

        # A directory moved into the tree while a file in it is still being written: the
        # watcher finds the file by listing the new directory, not by an event, and waits
        # for it to settle.
        staging = tmp_path / "staging" / "03"
        staging.mkdir(parents=True)
        slow = text(brute_force(ATTACKER, T0 + 600, attempts=25, first_port=43000)).encode()
        with open(staging / "e.log", "wb") as f:
            f.write(slow[:len(slow) // 2 + 7])
            f.flush()
            os.rename(staging, flow_dir(flows, DAY_3))
            write_slowly(f, slow[len(slow) // 2 + 7:], server, files_before=4)
        reference.ingest("flowlogs", slow)
        wait_for(server, "flowlogs", processed(5), "a file in a directory moved into place")

        for source, seen in (("cloudtrail", 3), ("flowlogs", 5)):
            folder = folder_of(server, source)
            assert_counts(folder, reference.totals[source])
            assert (folder["filesSeen"], folder["filesFailed"]) == (seen, 0), folder
            assert folder["lastProcessedAt"], folder
        assert reference.totals["flowlogs"]["rejected"] == 0

        watched = all_findings(client, detector_id)
        assert KALI not in {f["Type"] for f in watched}, "a skipped file was read"
        assert shape(watched) == shape(reference.findings())
        assert sorted({f["Type"] for f in watched}) == sorted(
            [ROOT, TRAIL_OFF, ADMIN_ATTACHED, SSH_BRUTE, "Recon:EC2/Portscan"])
        root = [f for f in watched if f["Type"] == ROOT]
        assert root[0]["Service"]["Count"] == 1, "a re-delivered CloudTrail event counted twice"
    finally:
        stop_cleanly(server)


# --------------------------------------------------------------------------------------------
# Restarts
# --------------------------------------------------------------------------------------------


def brute_force_count(findings, attacker):
    matching = [f for f in findings if f["Type"] == SSH_BRUTE and remote_ip(f) == attacker]
    assert len(matching) == 1, [summary(f) for f in findings]
    return matching[0]["Service"]["Count"]


def test_a_restart_processes_only_new_files_and_counts_nothing_twice(tmp_path):
    # Recent log times: at start-up the server purges findings not updated for 90 days.
    start = int(time.time()) - 3600
    flows = tmp_path / "flows"
    first = {
        "a": gzip.compress(text(interleave(benign_flows(start),
                                           brute_force(ATTACKER, start, attempts=25))).encode()),
        "b": gzip.compress(text(port_scan(SCAN_TARGET, start + 50, ports=60)).encode()),
    }
    for name, data in first.items():
        write(flow_dir(flows) / f"{name}.log.gz", data)

    server = watch_server(tmp_path, f"flowlogs={flows}").start()
    try:
        reference = Reference(server)
        detector_id = server.client(ACCOUNT_A).create_detector(Enable=True)["DetectorId"]
        before = wait_for(server, "flowlogs", processed(2), "files present at start")
        for name in sorted(first):
            reference.ingest("flowlogs", first[name])
        assert_counts(before, reference.totals["flowlogs"])
        count = brute_force_count(all_findings(server.client(ACCOUNT_A), detector_id), ATTACKER)
    finally:
        stop_cleanly(server)

    # While the server is down: a new file in a new directory (another instance attacked);
    # the old files stay.
    later = gzip.compress(text(brute_force(ATTACKER_2, start + 2000, attempts=22,
                                           first_port=45000, eni=ENI_2,
                                           local=LOCAL_IP_2)).encode())
    write(flow_dir(flows, DAY_2) / "c.log.gz", later)

    server.start()
    try:
        # The earlier files are known at once, from the store.
        folder = folder_of(server, "flowlogs")
        assert folder["filesProcessed"] >= 2 and folder["lastProcessedAt"], folder
        folder = wait_for(server, "flowlogs", processed(3), "a file added during the restart")
        reference.ingest("flowlogs", later)
        assert (folder["filesSeen"], folder["filesFailed"]) == (3, 0), folder
        assert folder["detectorId"] == detector_id, folder
        assert_counts(folder, reference.totals["flowlogs"])

        client = server.client(ACCOUNT_A)
        watched = all_findings(client, detector_id)
        assert brute_force_count(watched, ATTACKER) == count, "old files were read again"
        assert shape(watched) == shape(reference.findings())

        # A file rewritten with new content is new: it is read again (and only it).
        rewritten = gzip.compress(text(brute_force(ATTACKER_2, start + 2300, attempts=21,
                                                   first_port=46000, eni=ENI_2,
                                                   local=LOCAL_IP_2)).encode())
        land(flow_dir(flows, DAY_2) / "c.log.gz", rewritten)
        reference.ingest("flowlogs", rewritten)
        wait_for(server, "flowlogs",
                 lambda f: f["records"] == reference.totals["flowlogs"]["records"] - 22,
                 "a rewritten file")
        watched = all_findings(client, detector_id)
        assert brute_force_count(watched, ATTACKER) == count
        assert shape(watched) == shape(reference.findings())
    finally:
        stop_cleanly(server)


# --------------------------------------------------------------------------------------------
# Detectors, refused files, the endpoint without --watch
# --------------------------------------------------------------------------------------------


def test_a_folder_naming_a_detector_feeds_that_detector(tmp_path):
    flows = tmp_path / "flows"
    server = VigilServer(data_dir=tmp_path / "data").start()
    try:
        detector_b = server.client(ACCOUNT_B).create_detector(Enable=True)["DetectorId"]
    finally:
        stop_cleanly(server)
    flows.mkdir()
    server = watch_server(tmp_path, f"flowlogs={flows}:{detector_b}").start()
    try:
        land(flow_dir(flows) / "a.log.gz",
             gzip.compress(text(brute_force(ATTACKER, T0, attempts=25)).encode()))
        folder = wait_for(server, "flowlogs", processed(1), "a file for a named detector")
        assert folder["detectorId"] == detector_b, folder
        assert folder["findingsCreated"] == 1, folder
        findings = all_findings(server.client(ACCOUNT_B), detector_b)
        assert [f["Type"] for f in findings] == [SSH_BRUTE]
    finally:
        stop_cleanly(server)


def test_one_awslogs_tree_watched_per_source_reads_each_service_folder_once(tmp_path):
    """Both sources watch the same AWSLogs/ tree: each reads only its own service folder, so
    no flow log is parsed as CloudTrail (which would reject every line) or the other way."""
    logs = tmp_path / "logs"
    land(flow_dir(logs) / "a.log.gz",
         gzip.compress(text(brute_force(ATTACKER, T0, attempts=25)).encode()))
    land(trail_dir(logs) / "t.json.gz", gzip.compress(trail_file(benign_events()).encode()))
    server = VigilServer(data_dir=tmp_path / "data", extra_args=[
        "--account", ACCOUNT_A, "--watch", f"flowlogs={logs}"]).start()
    try:
        client = server.client(ACCOUNT_A)
        client.create_detector(Enable=True)
        folder = wait_for(server, "flowlogs", processed(1), "the flow log")
        time.sleep(2.5)  # a CloudTrail file taken for flow logs would be read by now
        folder = folder_of(server, "flowlogs")
        assert folder["filesProcessed"] == 1 and folder["filesSeen"] == 1, folder
        assert folder["rejected"] == 0 and folder["findingsCreated"] == 1, folder
    finally:
        stop_cleanly(server)


def test_a_named_detector_that_does_not_exist_makes_files_wait(tmp_path):
    flows = tmp_path / "flows"
    write(flow_dir(flows) / "a.log", text(benign_flows()).encode())
    server = watch_server(tmp_path, f"flowlogs={flows}:{UNKNOWN_ID}").start()
    try:
        folder = wait_for(server, "flowlogs", lambda f: f["filesFailed"] == 1,
                          "a file waiting for its detector")
        assert UNKNOWN_ID in folder["lastError"] and "a.log" in folder["lastError"], folder
        assert folder["filesProcessed"] == 0 and folder["detectorId"] == UNKNOWN_ID, folder
    finally:
        stop_cleanly(server)


def test_a_refused_file_is_reported_and_read_again_once_it_changes(tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    server = watch_server(tmp_path, f"flowlogs={flows}").start()
    try:
        server.client(ACCOUNT_A).create_detector(Enable=True)
        content = gzip.compress(text(benign_flows()).encode())
        path = flow_dir(flows) / "a.log.gz"
        land(path, content[: len(content) // 2])  # a truncated gzip stream
        folder = wait_for(server, "flowlogs", lambda f: f["filesFailed"] == 1,
                          "a truncated gzip file refused")
        assert "a.log.gz" in folder["lastError"], folder
        assert folder["filesProcessed"] == 0, folder
        land(path, content)
        folder = wait_for(server, "flowlogs", processed(1), "the repaired file")
        assert folder["filesFailed"] == 0 and folder["lastError"] is None, folder
        assert folder["records"] == len(benign_flows()), folder
    finally:
        stop_cleanly(server)


def test_without_watch_the_endpoint_lists_no_folder(vigil):
    status, _, body = vigil.request("GET", "/_vigil/watch")
    assert status == 200, body
    assert json.loads(body) == {"folders": []}


# --------------------------------------------------------------------------------------------
# Bad flags
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec, says", [
    ("flowlogs={missing}", "is not a directory"),
    ("flowlogs={file}", "is not a directory"),
    ("vpcflow={dir}", "'vpcflow' is not one of flowlogs, cloudtrail, dns"),
    ("{dir}", "SOURCE=DIR"),
    ("cloudtrail={dir}:not-a-detector", "is not 32 lowercase hexadecimal"),
])
def test_a_bad_watch_flag_exits_2_naming_it(tmp_path, spec, says):
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    spec = spec.format(missing=tmp_path / "missing", file=tmp_path / "file",
                       dir=tmp_path / "dir")
    code, stderr = serve_exit(["--watch", spec])
    assert code == 2, stderr
    assert "--watch" in stderr and says in stderr, stderr


def test_nested_watched_folders_exit_2(tmp_path):
    (tmp_path / "logs" / "flows").mkdir(parents=True)
    code, stderr = serve_exit(["--watch", f"cloudtrail={tmp_path / 'logs'}",
                               "--watch", f"flowlogs={tmp_path / 'logs' / 'flows'}"])
    assert code == 2, stderr
    assert "--watch" in stderr and "inside" in stderr, stderr


def test_vigil_watch_lists_folders_separated_by_commas_or_newlines(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
    env = {"VIGIL_WATCH": f"flowlogs={tmp_path / 'a'}, cloudtrail={tmp_path / 'b'}\n"
                          f"dns={tmp_path / 'c'}"}
    os.environ.update(env)
    try:
        server = VigilServer(in_memory=True).start()
    finally:
        for key in env:
            del os.environ[key]
    try:
        assert [(f["source"], f["directory"]) for f in folders(server)] == [
            ("flowlogs", os.path.realpath(tmp_path / "a")),
            ("cloudtrail", os.path.realpath(tmp_path / "b")),
            ("dns", os.path.realpath(tmp_path / "c"))]
    finally:
        stop_cleanly(server)
    code, stderr = serve_exit([], env={"VIGIL_WATCH": f"flowlogs={tmp_path / 'a'},dns=/no/such"})
    assert code == 2, stderr
    assert "--watch" in stderr and "/no/such" in stderr, stderr
