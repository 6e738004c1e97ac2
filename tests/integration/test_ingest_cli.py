"""`vigil ingest`: log files and AWSLogs/ folder trees sent to a running server, in parallel,
SigV4-signed with the standard AWS credentials (environment, then ~/.aws/credentials), with
progress, a summary and exit codes (0 all ingested, 1 a file failed, 2 bad options).

The command's results are checked against the server itself: the same files posted one by
one to POST /_vigil/ingest must give the same counts and findings.
"""

import gzip
import hashlib
import hmac
import http.server
import json
import os
import pty
import re
import select
import subprocess
import threading
import time

import pytest

from conftest import (
    ACCOUNT_A,
    ACCOUNT_B,
    DEFAULT_ACCOUNT,
    NOT_OWNED,
    OTHER_REGION,
    REGION,
    UNKNOWN_ID,
    VIGIL_BIN,
    VigilServer,
    free_port,
)
from test_detection import (
    ATTACK_EVENTS,
    ATTACKER,
    ATTACKER_2,
    ENI_2,
    KALI,
    LOCAL_IP_2,
    PORTSCAN,
    PUBLIC_SSH,
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
    text,
    trail_file,
    types_of,
)

SUMMARY_RE = re.compile(
    r"ingested (\d+) of (\d+) files: (\d+) records, (\d+) rejected, (\d+) findings created, "
    r"(\d+) updated")

# --------------------------------------------------------------------------------------------
# Running the command
# --------------------------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path):
    """An empty home directory: no ~/.aws/credentials unless a test writes one."""
    path = tmp_path / "home"
    path.mkdir()
    return path


def clean_env(home, **variables):
    """The process environment without AWS_* or VIGIL_* variables, HOME at `home`, plus
    `variables`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and not k.startswith("VIGIL_")}
    env["HOME"] = str(home)
    env.update(variables)
    return env


def signed_as(home, account=ACCOUNT_A, **variables):
    return clean_env(home, AWS_ACCESS_KEY_ID=account, AWS_SECRET_ACCESS_KEY="x", **variables)


def run_ingest(*args, env, timeout=60):
    return subprocess.run([str(VIGIL_BIN), "ingest", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=timeout)


def ingest_cmd(server, detector_id, source, *paths, env, extra=()):
    return run_ingest("--endpoint", server.url, "--detector-id", detector_id, "--source", source,
                      *extra, *paths, env=env)


def summary_counts(stderr):
    """(ingested, total, records, rejected, created, updated) of the summary line."""
    matches = SUMMARY_RE.findall(stderr)
    assert len(matches) == 1, f"expected one summary line:\n{stderr}"
    return tuple(int(n) for n in matches[0])


# --------------------------------------------------------------------------------------------
# An AWSLogs/ tree as S3 delivers it
# --------------------------------------------------------------------------------------------

DAY = ("2026", "01", "01")


def trail_name(i):
    return f"{ACCOUNT_A}_CloudTrail_us-east-1_20260101T00{i}0Z_{i}abcdefghijklmno.json.gz"


def flow_name(i):
    return f"{ACCOUNT_A}_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20260101T00{i}0Z_{i}a1b2.log.gz"


@pytest.fixture
def aws_logs(tmp_path):
    """AWSLogs/ACCOUNT/{CloudTrail,CloudTrail-Digest,vpcflowlogs}/us-east-1/2026/01/01/ with
    gzip files. Every attack sits whole in one file and the files span minutes, well within
    the rules' tolerance for out-of-order events, so the order in which parallel posts
    reach the server does not change what it finds. Returns (root, cloudtrail files, flow
    files)."""
    root = tmp_path / "AWSLogs"
    account = root / ACCOUNT_A
    trail_dir = account.joinpath("CloudTrail", "us-east-1", *DAY)
    digest_dir = account.joinpath("CloudTrail-Digest", "us-east-1", *DAY)
    flow_dir = account.joinpath("vpcflowlogs", "us-east-1", *DAY)
    for folder in (trail_dir, digest_dir, flow_dir):
        folder.mkdir(parents=True)

    events = benign_events()
    trails = [events[:3] + [ATTACK_EVENTS[ROOT][0]],
              events[3:6] + [ATTACK_EVENTS[KALI][0], ATTACK_EVENTS[TRAIL_OFF + "/StopLogging"][0]],
              events[6:] + [ATTACK_EVENTS[PUBLIC_SSH][0]]]
    trail_files = []
    for i, batch in enumerate(trails):
        path = trail_dir / trail_name(i)
        path.write_bytes(gzip.compress(trail_file(batch).encode()))
        trail_files.append(path)
    (digest_dir / f"{ACCOUNT_A}_CloudTrail-Digest_us-east-1_trail_us-east-1_20260101T0100Z.json.gz"
     ).write_bytes(gzip.compress(json.dumps({
         "awsAccountId": ACCOUNT_A, "digestStartTime": "2026-01-01T00:00:00Z",
         "digestEndTime": "2026-01-01T01:00:00Z", "digestS3Bucket": "trail-bucket",
         "logFiles": []}).encode()))

    flows = [interleave(benign_flows(), brute_force(ATTACKER, T0, attempts=30)),
             interleave(benign_flows(T0 + 120), port_scan(SCAN_TARGET, T0 + 120, ports=60)),
             interleave(benign_flows(T0 + 240),
                        brute_force(ATTACKER_2, T0 + 240, attempts=25, inbound=False, eni=ENI_2,
                                    local=LOCAL_IP_2)),
             benign_flows(T0 + 300)[:5] + ["2 not a flow record"] + benign_flows(T0 + 300)[5:]]
    flow_files = []
    for i, lines in enumerate(flows):
        path = flow_dir / flow_name(i)
        path.write_bytes(gzip.compress(text(lines).encode()))
        flow_files.append(path)
    return root, trail_files, flow_files


def shape(findings):
    return sorted((f["Type"], f["Service"].get("ResourceRole"), remote_ip(f), f["Service"]["Count"],
                   f["Severity"], f["Service"]["EventFirstSeen"], f["Service"]["EventLastSeen"])
                  for f in findings)


def test_an_awslogs_tree_gives_what_posting_each_file_gives(vigil, gd, gd_b, detector_id,
                                                            aws_logs, home):
    root, trail_files, flow_files = aws_logs
    # The reference: each file posted by hand into account B's detector.
    detector_b = gd_b.create_detector(Enable=True)["DetectorId"]
    expected = {}
    for source, files in (("cloudtrail", trail_files), ("flowlogs", flow_files)):
        total = [0, 0, 0, 0]
        for path in files:
            doc = ingest_ok(vigil, detector_b, source, path.read_bytes(), account=ACCOUNT_B)
            for i, key in enumerate(("records", "rejected", "findingsCreated", "findingsUpdated")):
                total[i] += doc[key]
        expected[source] = (len(files), len(files), *total)

    env = signed_as(home, ACCOUNT_A)
    for source, files in (("cloudtrail", trail_files), ("flowlogs", flow_files)):
        proc = ingest_cmd(vigil, detector_id, source, root, env=env, extra=("--parallel", 3))
        assert proc.returncode == 0, proc.stderr
        assert summary_counts(proc.stderr) == expected[source], proc.stderr
        # Not a terminal: one plain line per file, then the summary.
        lines = proc.stderr.splitlines()
        assert len(lines) == len(files) + 1, proc.stderr
        assert sorted(line.split(": ")[0] for line in lines[:-1]) == sorted(map(str, files))
        assert "CloudTrail-Digest" not in proc.stderr, proc.stderr

    assert expected["flowlogs"][3] == 1, expected  # the malformed line was rejected, not the file
    assert "first rejected record" in proc.stderr, proc.stderr
    mine, reference = all_findings(gd, detector_id), all_findings(gd_b, detector_b)
    assert sorted(types_of(mine)) == sorted([ROOT, KALI, TRAIL_OFF, PUBLIC_SSH, SSH_BRUTE,
                                             SSH_BRUTE, PORTSCAN])
    assert shape(mine) == shape(reference)
    assert {f["AccountId"] for f in mine} == {ACCOUNT_A}


def test_named_files_are_sent_even_outside_a_layout(vigil, gd, detector_id, tmp_path, home):
    first, second = tmp_path / "a.log", tmp_path / "b.log.gz"
    first.write_text(text(brute_force(ATTACKER, T0)))
    second.write_bytes(gzip.compress(text(benign_flows()).encode()))
    proc = ingest_cmd(vigil, detector_id, "flowlogs", first, second, env=signed_as(home))
    assert proc.returncode == 0, proc.stderr
    assert summary_counts(proc.stderr)[:2] == (2, 2), proc.stderr
    assert types_of(all_findings(gd, detector_id)) == [SSH_BRUTE]


# --------------------------------------------------------------------------------------------
# Credentials: whose findings they are
# --------------------------------------------------------------------------------------------


@pytest.fixture
def attack_log(tmp_path):
    path = tmp_path / "attack.log"
    path.write_text(text(interleave(benign_flows(), brute_force(ATTACKER, T0))))
    return path


def test_a_12_digit_access_key_id_is_the_account_of_the_findings(vigil, gd, gd_b, detector_id,
                                                                 attack_log, home):
    detector_b = gd_b.create_detector(Enable=True)["DetectorId"]
    proc = ingest_cmd(vigil, detector_b, "flowlogs", attack_log, env=signed_as(home, ACCOUNT_B))
    assert proc.returncode == 0, proc.stderr
    findings = all_findings(gd_b, detector_b)
    assert types_of(findings) == [SSH_BRUTE]
    assert findings[0]["AccountId"] == ACCOUNT_B
    assert all_findings(gd, detector_id) == []


@pytest.mark.parametrize("how", ["AWS_REGION", "AWS_DEFAULT_REGION", "--region", "VIGIL_REGION"])
def test_the_region_is_signed_into_the_request(vigil, gd_eu, attack_log, home, how):
    detector_eu = gd_eu.create_detector(Enable=True)["DetectorId"]
    extra = ("--region", OTHER_REGION) if how == "--region" else ()
    env = signed_as(home, ACCOUNT_A, **({} if extra else {how: OTHER_REGION}))
    proc = ingest_cmd(vigil, detector_eu, "flowlogs", attack_log, env=env, extra=extra)
    assert proc.returncode == 0, proc.stderr
    assert types_of(all_findings(gd_eu, detector_eu)) == [SSH_BRUTE]


def test_without_a_region_the_request_is_signed_for_us_east_1(vigil, gd_eu, attack_log, home):
    detector_eu = gd_eu.create_detector(Enable=True)["DetectorId"]
    proc = ingest_cmd(vigil, detector_eu, "flowlogs", attack_log, env=signed_as(home))
    assert proc.returncode == 1, proc.stderr
    assert NOT_OWNED in proc.stderr, proc.stderr


@pytest.mark.parametrize("profile", [None, "ci"])
def test_credentials_come_from_the_shared_credentials_file(vigil, gd_b, attack_log, home,
                                                           profile):
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = 222222222222\naws_secret_access_key = x\n\n"
        "[ci]\naws_access_key_id = 222222222222\naws_secret_access_key = y\n"
        "aws_session_token = token\n")
    detector_b = gd_b.create_detector(Enable=True)["DetectorId"]
    env = clean_env(home, **({"AWS_PROFILE": profile} if profile else {}))
    proc = ingest_cmd(vigil, detector_b, "flowlogs", attack_log, env=env)
    assert proc.returncode == 0, proc.stderr
    assert all_findings(gd_b, detector_b)[0]["AccountId"] == ACCOUNT_B


def test_no_sign_sends_as_the_servers_default_account(vigil, attack_log, home):
    default = vigil.client(DEFAULT_ACCOUNT, REGION)
    detector = default.create_detector(Enable=True)["DetectorId"]
    proc = ingest_cmd(vigil, detector, "flowlogs", attack_log, env=clean_env(home),
                      extra=("--no-sign",))
    assert proc.returncode == 0, proc.stderr
    assert all_findings(default, detector)[0]["AccountId"] == DEFAULT_ACCOUNT


def test_no_credentials_is_a_clear_error_before_anything_is_sent(vigil, gd, detector_id,
                                                                 attack_log, home):
    proc = ingest_cmd(vigil, detector_id, "flowlogs", attack_log, env=clean_env(home))
    assert proc.returncode == 2, proc.stderr
    assert "AWS_ACCESS_KEY_ID" in proc.stderr and "--no-sign" in proc.stderr, proc.stderr
    assert all_findings(gd, detector_id) == []


def test_flags_have_vigil_environment_twins(vigil, gd, detector_id, attack_log, home):
    env = signed_as(home, VIGIL_ENDPOINT=vigil.url, VIGIL_DETECTOR_ID=detector_id,
                    VIGIL_SOURCE="flowlogs", VIGIL_PARALLEL="2")
    proc = run_ingest(attack_log, env=env)
    assert proc.returncode == 0, proc.stderr
    assert types_of(all_findings(gd, detector_id)) == [SSH_BRUTE]


# --------------------------------------------------------------------------------------------
# Failures and exit codes
# --------------------------------------------------------------------------------------------


def test_a_file_the_server_rejects_fails_the_run_with_its_message(vigil, gd, attack_log, home):
    proc = ingest_cmd(vigil, UNKNOWN_ID, "flowlogs", attack_log, env=signed_as(home))
    assert proc.returncode == 1, proc.stderr
    assert summary_counts(proc.stderr)[:2] == (0, 1), proc.stderr
    assert f"failed: {attack_log}: HTTP 400: {NOT_OWNED}" in proc.stderr, proc.stderr


def test_only_the_rejected_files_fail(vigil, gd, detector_id, tmp_path, home):
    """A file over the server's --max-ingest-bytes is rejected (413); the others go in."""
    small, large = tmp_path / "small.log", tmp_path / "large.log"
    small.write_text(text(brute_force(ATTACKER, T0)))
    large.write_text(text(benign_flows() * 100))
    assert large.stat().st_size > 100_000
    server = VigilServer(in_memory=True, extra_args=["--max-ingest-bytes", "65536"]).start()
    try:
        client = server.client(ACCOUNT_A, REGION)
        detector = client.create_detector(Enable=True)["DetectorId"]
        proc = ingest_cmd(server, detector, "flowlogs", small, large, env=signed_as(home))
        assert proc.returncode == 1, proc.stderr
        assert summary_counts(proc.stderr)[:2] == (1, 2), proc.stderr
        assert f"failed: {large}: HTTP 413" in proc.stderr, proc.stderr
        assert f"failed: {small}" not in proc.stderr, proc.stderr
        assert types_of(all_findings(client, detector)) == [SSH_BRUTE]
    finally:
        server.stop()


def test_a_server_that_is_not_running_fails_quickly_and_clearly(tmp_path, home):
    logs = tmp_path / "logs"
    logs.mkdir()
    for i in range(20):
        (logs / f"{i:02}.log").write_text(text(benign_flows()))
    endpoint = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    proc = run_ingest("--endpoint", endpoint, "--detector-id", UNKNOWN_ID, "--source",
                      "flowlogs", "--parallel", "2", logs, env=signed_as(home), timeout=60)
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    assert f"cannot reach {endpoint}" in proc.stderr, proc.stderr
    assert "attempts)" in proc.stderr, proc.stderr  # it did retry, a bounded number of times
    assert re.search(r"not sent: 1\d files", proc.stderr), proc.stderr  # and then gave up
    assert elapsed < 30, f"took {elapsed:.1f}s"


@pytest.mark.parametrize("case", [
    "unknown-source", "ftp-endpoint", "no-scheme", "empty-dir", "missing-path",
    "no-endpoint", "no-paths", "parallel-0"])
def test_bad_options_exit_2(vigil, gd, detector_id, tmp_path, attack_log, home, case):
    empty = tmp_path / "empty"
    empty.mkdir()
    endpoint, source, paths, extra = vigil.url, "flowlogs", [attack_log], []
    if case == "unknown-source":
        source = "vpcflow"
    elif case == "ftp-endpoint":
        endpoint = "ftp://127.0.0.1:21"
    elif case == "no-scheme":
        endpoint = f"127.0.0.1:{vigil.port}"
    elif case == "empty-dir":
        paths = [empty]
    elif case == "missing-path":
        paths = [attack_log, tmp_path / "nope.log"]
    elif case == "no-paths":
        paths = []
    elif case == "parallel-0":
        extra = ["--parallel", "0"]
    args = ["--detector-id", detector_id, "--source", source, *extra, *paths]
    if case != "no-endpoint":
        args = ["--endpoint", endpoint, *args]
    proc = run_ingest(*args, env=signed_as(home))
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stderr.strip(), "a bad option must say what is wrong"
    assert all_findings(gd, detector_id) == []


# --------------------------------------------------------------------------------------------
# Retries and the request on the wire, against a scripted server
# --------------------------------------------------------------------------------------------

ANSWER = {"records": 3, "rejected": 0, "findingsCreated": 1, "findingsUpdated": 0,
          "rejectedRecords": []}


class ScriptedServer:
    """Answers POSTs with the next (status, body) of a script (the last one repeats) and
    records each request's path, headers and body."""

    def __init__(self, script):
        self.script = list(script)
        self.requests = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                owner.requests.append((self.path, dict(self.headers), body))
                status, answer = owner.script[min(len(owner.requests), len(owner.script)) - 1]
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def scripted_ingest(server, path, env, extra=()):
    return run_ingest("--endpoint", server.url + "/", "--detector-id", UNKNOWN_ID, "--source",
                      "cloudtrail", *extra, path, env=env)


def sigv4_signature(method, path, headers, body, secret):
    """The SigV4 signature of a request without a query string, over the headers its
    Authorization header says were signed (AWS's documented algorithm)."""
    scope = re.search(r"Credential=[^/]+/([^,]+)", headers["authorization"]).group(1)
    date, region, service, _ = scope.split("/")
    signed = re.search(r"SignedHeaders=([^,]+)", headers["authorization"]).group(1)
    canonical_headers = "".join(f"{name}:{' '.join(headers[name].split())}\n"
                                for name in signed.split(";"))
    canonical = "\n".join([method, path, "", canonical_headers, signed,
                           hashlib.sha256(body).hexdigest()])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", headers["x-amz-date"], scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_request_is_the_file_signed_for_guardduty(tmp_path, home, size):
    """Large bodies too: curl treats bodies over 1 MiB differently (Expect: 100-continue)."""
    log = tmp_path / "trail.json.gz"
    events = benign_events() * (1 if size == "small" else 2000)
    log.write_bytes(gzip.compress(trail_file(events).encode(), compresslevel=0))
    with ScriptedServer([(200, ANSWER)]) as server:
        env = signed_as(home, ACCOUNT_B, AWS_SESSION_TOKEN="session-token",
                        AWS_REGION=OTHER_REGION)
        proc = scripted_ingest(server, log, env)
    assert proc.returncode == 0, proc.stderr
    [(path, headers, body)] = server.requests
    assert path == f"/_vigil/ingest/{UNKNOWN_ID}/cloudtrail"
    assert body == log.read_bytes()  # gzip sent as it is
    headers = {k.lower(): v for k, v in headers.items()}
    assert re.match(rf"AWS4-HMAC-SHA256 Credential={ACCOUNT_B}/\d{{8}}/{OTHER_REGION}/guardduty/"
                    r"aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$",
                    headers["authorization"]), headers
    assert headers["x-amz-security-token"] == "session-token", headers
    assert re.match(r"^\d{8}T\d{6}Z$", headers["x-amz-date"]), headers
    signed = re.search(r"SignedHeaders=([^,]+)", headers["authorization"]).group(1).split(";")
    assert {"host", "x-amz-date", "x-amz-security-token"} <= set(signed), signed
    signature = headers["authorization"].rsplit("Signature=", 1)[1]
    assert signature == sigv4_signature("POST", path, headers, body, "x")


def test_no_sign_sends_no_authorization(tmp_path, home):
    log = tmp_path / "trail.json"
    log.write_text(trail_file(benign_events()))
    with ScriptedServer([(200, ANSWER)]) as server:
        proc = scripted_ingest(server, log, signed_as(home), extra=("--no-sign",))
    assert proc.returncode == 0, proc.stderr
    [(_, headers, _)] = server.requests
    assert "authorization" not in {k.lower() for k in headers}, headers


def test_a_5xx_is_retried_and_a_4xx_is_not(tmp_path, home):
    log = tmp_path / "trail.json"
    log.write_text(trail_file(benign_events()))
    unavailable = {"message": "try later", "__type": "InternalServerErrorException"}
    with ScriptedServer([(503, unavailable), (500, unavailable), (200, ANSWER)]) as server:
        proc = scripted_ingest(server, log, signed_as(home))
    assert proc.returncode == 0, proc.stderr
    assert len(server.requests) == 3
    assert summary_counts(proc.stderr) == (1, 1, 3, 0, 1, 0), proc.stderr

    with ScriptedServer([(503, unavailable)]) as server:
        proc = scripted_ingest(server, log, signed_as(home))
    assert proc.returncode == 1, proc.stderr
    assert "HTTP 503: try later (4 attempts)" in proc.stderr, proc.stderr
    assert len(server.requests) == 4

    with ScriptedServer([(400, {"message": "bad batch", "__type": "InvalidInputException"})]
                        ) as server:
        proc = scripted_ingest(server, log, signed_as(home))
    assert proc.returncode == 1, proc.stderr
    assert "HTTP 400: bad batch" in proc.stderr and "attempts" not in proc.stderr, proc.stderr
    assert len(server.requests) == 1


# --------------------------------------------------------------------------------------------
# On a terminal: one progress line
# --------------------------------------------------------------------------------------------


def test_on_a_terminal_progress_is_one_updating_line(vigil, gd, detector_id, aws_logs, home):
    root, _, flow_files = aws_logs
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [str(VIGIL_BIN), "ingest", "--endpoint", vigil.url, "--detector-id", detector_id,
         "--source", "flowlogs", str(root)],
        env=signed_as(home), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the program closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert proc.wait(timeout=10) == 0, output
    shown = output.decode()
    assert "\r" in shown, shown
    assert f"[{len(flow_files)}/{len(flow_files)} files]" in shown, shown
    assert summary_counts(shown)[:2] == (len(flow_files), len(flow_files)), shown
    assert str(flow_files[0]) not in shown, "no per-file lines on a terminal"
    assert proc.stdout.read() == b""
