"""Publishing findings: EventBridge events to --publish-file and --publish-webhook, S3
exports to publishing destinations, GuardDuty's cadence (new findings at once, updates at
the detector's findingPublishingFrequency, driven here by --test-clock), auto-archived
findings never published, and a webhook outage or a restart losing nothing."""

import gzip
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ACCOUNT_A, REGION, VigilServer

SSH = "UnauthorizedAccess:EC2/SSHBruteForce"
PORTSCAN = "Recon:EC2/Portscan"
KMS_ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MINUTE = 60


def advance(server, seconds):
    """Moves the test clock on; Vigil publishes what became due before answering."""
    status, _, body = server.request("POST", "/_vigil/clock",
                                     json.dumps({"advanceSeconds": seconds}).encode())
    assert status == 200, body
    return json.loads(body)["now"]


def events_in(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def sample(client, detector_id, *types):
    client.create_sample_findings(DetectorId=detector_id, FindingTypes=list(types))


def finding_of_type(client, detector_id, type_name):
    ids = client.list_findings(DetectorId=detector_id, FindingCriteria={
        "Criterion": {"type": {"Eq": [type_name]}}})["FindingIds"]
    assert len(ids) == 1, ids
    return client.get_findings(DetectorId=detector_id, FindingIds=ids)["Findings"][0]


@pytest.fixture
def clocked(tmp_path):
    """A server on the test clock that publishes events to a file."""
    events = tmp_path / "events.jsonl"
    server = VigilServer(in_memory=True, extra_args=[
        "--test-clock", "--publish-file", str(events), "--s3-root", str(tmp_path / "s3")]).start()
    client = server.client()
    detector_id = client.create_detector(Enable=True,
                                         FindingPublishingFrequency="FIFTEEN_MINUTES")["DetectorId"]
    yield server, client, detector_id, events, tmp_path
    assert server.stop() == 0, server.stderr()


def test_a_new_finding_is_published_at_once_in_the_eventbridge_envelope(clocked):
    server, client, detector_id, events, _ = clocked
    sample(client, detector_id, SSH)
    now = advance(server, 0)
    [event] = events_in(events)
    finding = finding_of_type(client, detector_id, SSH)
    assert event["version"] == "0"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                        event["id"]), event["id"]
    assert event["detail-type"] == "GuardDuty Finding"
    assert event["source"] == "aws.guardduty"
    assert event["account"] == ACCOUNT_A and event["region"] == REGION
    assert event["resources"] == []
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["time"]), event["time"]
    assert event["time"][:16] == now[:16]
    detail = event["detail"]
    assert detail["id"] == finding["Id"] and detail["type"] == SSH
    assert detail["accountId"] == ACCOUNT_A and detail["service"]["count"] == 1


def test_updates_wait_for_the_publishing_frequency(clocked):
    server, client, detector_id, events, _ = clocked
    sample(client, detector_id, SSH)
    advance(server, 0)
    assert len(events_in(events)) == 1
    sample(client, detector_id, SSH)  # the same issue again: an update
    advance(server, 0)
    advance(server, 14 * MINUTE)
    assert len(events_in(events)) == 1, "an update went out before FIFTEEN_MINUTES passed"
    advance(server, 1 * MINUTE)
    published = events_in(events)
    assert len(published) == 2
    assert published[1]["detail"]["id"] == published[0]["detail"]["id"]
    assert published[1]["detail"]["service"]["count"] == 2
    advance(server, 60 * MINUTE)  # nothing changed since: nothing more to say
    assert len(events_in(events)) == 2


@pytest.mark.parametrize("frequency,minutes", [("ONE_HOUR", 60), ("SIX_HOURS", 360)])
def test_the_detectors_frequency_applies(clocked, frequency, minutes):
    server, client, detector_id, events, _ = clocked
    client.update_detector(DetectorId=detector_id, FindingPublishingFrequency=frequency)
    sample(client, detector_id, SSH)
    advance(server, 0)
    sample(client, detector_id, SSH)
    advance(server, (minutes - 1) * MINUTE)
    assert len(events_in(events)) == 1
    advance(server, MINUTE)
    assert len(events_in(events)) == 2


def test_several_updates_within_the_period_are_published_once(clocked):
    server, client, detector_id, events, _ = clocked
    sample(client, detector_id, SSH)
    advance(server, 0)
    for _ in range(4):
        advance(server, 2 * MINUTE)
        sample(client, detector_id, SSH)
    advance(server, 15 * MINUTE)
    published = events_in(events)
    assert len(published) == 2
    assert published[1]["detail"]["service"]["count"] == 5


def test_auto_archived_findings_are_not_published_but_archived_by_hand_are(clocked):
    server, client, detector_id, events, _ = clocked
    client.create_filter(DetectorId=detector_id, Name="quiet-scans", Action="ARCHIVE",
                         FindingCriteria={"Criterion": {"type": {"Eq": [PORTSCAN]}}})
    sample(client, detector_id, PORTSCAN, SSH)
    advance(server, 0)
    assert [e["detail"]["type"] for e in events_in(events)] == [SSH]
    sample(client, detector_id, PORTSCAN)
    advance(server, 30 * MINUTE)
    assert [e["detail"]["type"] for e in events_in(events)] == [SSH]

    ssh = finding_of_type(client, detector_id, SSH)
    client.archive_findings(DetectorId=detector_id, FindingIds=[ssh["Id"]])
    sample(client, detector_id, SSH)
    advance(server, 15 * MINUTE)
    published = events_in(events)
    assert [e["detail"]["type"] for e in published] == [SSH, SSH]
    assert published[1]["detail"]["service"]["archived"] is True


def test_the_clock_endpoint_needs_test_clock(vigil):
    status, _, body = vigil.request("POST", "/_vigil/clock", b'{"advanceSeconds": 60}')
    assert status == 400 and b"--test-clock" in body


def test_bad_clock_requests_are_rejected(clocked):
    server = clocked[0]
    for body in (b'{"advanceSeconds": -5}', b'{"advanceSeconds": "soon"}', b"{}", b"nope"):
        status, _, answer = server.request("POST", "/_vigil/clock", body)
        assert status == 400, (body, answer)


def test_the_publish_file_rotates(tmp_path):
    events = tmp_path / "events.jsonl"
    server = VigilServer(in_memory=True, extra_args=[
        "--test-clock", "--publish-file", str(events),
        "--publish-file-max-bytes", "4096"]).start()
    try:
        client = server.client()
        detector_id = client.create_detector(Enable=True)["DetectorId"]
        client.create_sample_findings(DetectorId=detector_id)  # every type: many events
        advance(server, 0)
        count = len(client.list_findings(DetectorId=detector_id, MaxResults=50)["FindingIds"])
        files = [events] + [tmp_path / f"events.jsonl.{i}" for i in range(1, 6)]
        assert (tmp_path / "events.jsonl.1").exists()
        for path in files:
            assert not path.exists() or path.stat().st_size <= 4096 + 8192
        total = sum(len(events_in(path)) for path in files)
        # Five rotated files are kept: the oldest events may be gone, never more than that.
        assert 0 < total <= count
        assert len(events_in(events)) > 0
    finally:
        assert server.stop() == 0, server.stderr()


# --------------------------------------------------------------------------------------------
# Webhooks
# --------------------------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on a free port that answers 500 to the first `failures` POSTs."""

    def __init__(self, failures=0):
        self.failures = failures
        self.received = []  # events accepted (200)
        self.refused = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    if receiver.refused < receiver.failures:
                        receiver.refused += 1
                        self.send_response(500)
                    else:
                        receiver.received.append(json.loads(body))
                        self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.1)
        with self.lock:
            return list(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_a_webhook_that_fails_for_a_while_gets_every_event_exactly_once():
    receiver = Receiver(failures=3)
    server = VigilServer(in_memory=True, extra_args=["--publish-webhook", receiver.url]).start()
    try:
        client = server.client()
        detector_id = client.create_detector(Enable=True)["DetectorId"]
        types = [SSH, PORTSCAN, "Recon:EC2/PortProbeUnprotectedPort"]
        sample(client, detector_id, *types)
        received = receiver.wait_for(len(types))
        time.sleep(1.5)  # a duplicate would arrive within the next publication runs
        with receiver.lock:
            received = list(receiver.received)
        assert receiver.refused == 3
        assert sorted(e["detail"]["type"] for e in received) == sorted(types)
        assert len({e["id"] for e in received}) == len(types)
        assert all(e["detail-type"] == "GuardDuty Finding" for e in received)
    finally:
        assert server.stop() == 0, server.stderr()
        receiver.close()


def test_events_queued_while_the_webhook_is_down_survive_a_restart(tmp_path):
    receiver = Receiver()
    down_url = receiver.url.replace(str(receiver.server.server_address[1]), "1")  # refused
    data = tmp_path / "data"
    server = VigilServer(data_dir=data, extra_args=["--publish-webhook", down_url]).start()
    try:
        client = server.client()
        detector_id = client.create_detector(Enable=True)["DetectorId"]
        sample(client, detector_id, SSH, PORTSCAN)
        time.sleep(2)  # published into the outbox; delivery keeps failing
    finally:
        assert server.stop() == 0, server.stderr()
    server = VigilServer(data_dir=data, extra_args=["--publish-webhook", receiver.url]).start()
    try:
        received = receiver.wait_for(2)
        time.sleep(1.5)
        with receiver.lock:
            received = list(receiver.received)
        assert sorted(e["detail"]["type"] for e in received) == sorted([SSH, PORTSCAN])
    finally:
        assert server.stop() == 0, server.stderr()
        receiver.close()


# --------------------------------------------------------------------------------------------
# S3 publishing destinations
# --------------------------------------------------------------------------------------------


def exports_under(root):
    objects = sorted(root.rglob("*.jsonl.gz"))
    return objects, [json.loads(line) for o in objects
                     for line in gzip.decompress(o.read_bytes()).decode().splitlines()]


def test_findings_are_exported_to_an_s3_destination(clocked):
    server, client, detector_id, _, tmp_path = clocked
    bucket = tmp_path / "s3" / "guardduty-exports"
    bucket.mkdir(parents=True)
    destination_id = client.create_publishing_destination(
        DetectorId=detector_id, DestinationType="S3",
        DestinationProperties={"DestinationArn": "arn:aws:s3:::guardduty-exports/findings",
                               "KmsKeyArn": KMS_ARN})["DestinationId"]
    sample(client, detector_id, SSH, PORTSCAN)
    advance(server, 0)
    objects, lines = exports_under(bucket)
    assert len(objects) == 1
    relative = objects[0].relative_to(bucket).as_posix()
    assert re.fullmatch(rf"findings/AWSLogs/{ACCOUNT_A}/GuardDuty/{REGION}/\d{{4}}/\d\d/\d\d/"
                        r"[0-9a-f-]{36}\.jsonl\.gz", relative), relative
    assert sorted(f["type"] for f in lines) == sorted([SSH, PORTSCAN])
    described = client.describe_publishing_destination(DetectorId=detector_id,
                                                       DestinationId=destination_id)
    assert described["Status"] == "PUBLISHING"
    assert described["PublishingFailureStartTimestamp"] == 0


def test_a_missing_bucket_makes_the_destination_unable_to_publish_until_fixed(clocked):
    server, client, detector_id, _, tmp_path = clocked
    destination_id = client.create_publishing_destination(
        DetectorId=detector_id, DestinationType="S3",
        DestinationProperties={"DestinationArn": "arn:aws:s3:::not-there-yet",
                               "KmsKeyArn": KMS_ARN})["DestinationId"]
    sample(client, detector_id, SSH)
    advance(server, 0)
    described = client.describe_publishing_destination(DetectorId=detector_id,
                                                       DestinationId=destination_id)
    assert described["Status"] == "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"
    failed_since = described["PublishingFailureStartTimestamp"]
    assert failed_since > 0

    bucket = tmp_path / "s3" / "not-there-yet"
    bucket.mkdir(parents=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the retry waits out its backoff (real time)
        time.sleep(0.5)
        advance(server, 0)
        if exports_under(bucket)[0]:
            break
    _, lines = exports_under(bucket)
    assert [f["type"] for f in lines] == [SSH]  # the finding queued during the outage
    described = client.describe_publishing_destination(DetectorId=detector_id,
                                                       DestinationId=destination_id)
    assert described["Status"] == "PUBLISHING"
    assert described["PublishingFailureStartTimestamp"] == 0


def test_a_disabled_detectors_destination_is_stopped(clocked):
    server, client, detector_id, _, tmp_path = clocked
    (tmp_path / "s3" / "exports").mkdir(parents=True)
    destination_id = client.create_publishing_destination(
        DetectorId=detector_id, DestinationType="S3",
        DestinationProperties={"DestinationArn": "arn:aws:s3:::exports",
                               "KmsKeyArn": KMS_ARN})["DestinationId"]
    client.update_detector(DetectorId=detector_id, Enable=False)
    advance(server, 0)
    assert client.describe_publishing_destination(
        DetectorId=detector_id, DestinationId=destination_id)["Status"] == "STOPPED"
    client.update_detector(DetectorId=detector_id, Enable=True)
    advance(server, 0)
    assert client.describe_publishing_destination(
        DetectorId=detector_id, DestinationId=destination_id)["Status"] == "PUBLISHING"
