"""Shared fixtures and helpers for Vigil's integration tests.

One `vigil serve` process is started per test session (on a temporary data directory) and
every test starts from an empty server: an autouse fixture calls `POST /_vigil/reset` before
each test. Tests that restart the server launch their own `VigilServer`.

Clients are Debian's boto3 pointed at the server. The account and region of a request come
from the SigV4 credential scope: a 12-digit access key id is the account id.

IPSets and ThreatIntelSets are loaded: an activated set is ACTIVATING until its file has been
read, then ACTIVE or ERROR. The default location of SetKind.create (an s3:// URI) cannot be
read by the shared server (it has no --s3-root), so such sets end in ERROR; tests that need an
ACTIVE set write a real file with the `list_file` fixture and wait with `wait_for_status`.

Run with:  /usr/bin/python3 -m pytest tests/integration -q
Environment: VIGIL_BIN (default <repo>/build/vigil), AWS_CLI (default /usr/bin/aws).
"""

import datetime
import glob
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore
import botocore.config
import pytest
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parents[2]
VIGIL_BIN = Path(os.environ.get("VIGIL_BIN", str(REPO / "build" / "vigil")))

ACCOUNT_A = "111111111111"
ACCOUNT_B = "222222222222"
ACCOUNT_C = "333333333333"
DEFAULT_ACCOUNT = "123456789012"  # the account of requests without an Authorization header
REGION = "us-east-1"
OTHER_REGION = "eu-west-1"

NOT_OWNED = "The request is rejected because the input detectorId is not owned by the current account."
DETECTOR_EXISTS = "The request is rejected because a detector already exists for the current account."

ISO_MS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
HEX32_RE = re.compile(r"^[0-9a-f]{32}$")
UNKNOWN_ID = "0123456789abcdef0123456789abcdef"  # well-formed, never issued (in practice)

STARTUP_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
LOAD_TIMEOUT = 10.0  # how long an activated list may stay ACTIVATING
POLL_INTERVAL = 0.05


# --------------------------------------------------------------------------------------------
# Server process
# --------------------------------------------------------------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def auth_header(account=ACCOUNT_A, region=REGION):
    """A SigV4-shaped Authorization header (Vigil does not check signatures by default)."""
    date = datetime.datetime.utcnow().strftime("%Y%m%d")
    return (
        f"AWS4-HMAC-SHA256 Credential={account}/{date}/{region}/guardduty/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
    )


def serve_exit(args, env=None):
    """Run `vigil serve` with `args`; it must exit by itself. Returns (code, stderr)."""
    cmd = [str(VIGIL_BIN), "serve", "--in-memory", "--listen", "127.0.0.1:0", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=10,
                              env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        pytest.fail(f"vigil serve {args} did not exit")
    return proc.returncode, proc.stderr


class VigilServer:
    """One `vigil serve` process on a free local port."""

    def __init__(self, data_dir=None, in_memory=False, extra_args=(), log_level="warn"):
        assert (data_dir is None) == in_memory, "pass exactly one of data_dir / in_memory"
        self.data_dir = data_dir
        self.in_memory = in_memory
        self.extra_args = list(extra_args)
        self.log_level = log_level
        self.proc = None
        self.port = None
        self._log_dir = tempfile.mkdtemp(prefix="vigil-log-")
        self._log_path = None
        self._log_file = None
        self._starts = 0

    # -- lifecycle ----------------------------------------------------------------------

    def start(self):
        if not VIGIL_BIN.is_file():
            pytest.fail(
                f"Vigil binary not found at {VIGIL_BIN} (build it, or set VIGIL_BIN)", pytrace=False
            )
        for _attempt in range(3):
            if self._launch():
                return self
            if "in use" not in self.stderr().lower():
                break
        pytest.fail(f"vigil serve did not become healthy on port {self.port}:\n{self.stderr()}",
                    pytrace=False)

    def _launch(self):
        self.port = free_port()
        self._starts += 1
        self._log_path = os.path.join(self._log_dir, f"stderr-{self._starts}.log")
        self._log_file = open(self._log_path, "wb")
        cmd = [str(VIGIL_BIN), "serve", "--listen", f"127.0.0.1:{self.port}"]
        cmd += ["--in-memory"] if self.in_memory else ["--data-dir", str(self.data_dir)]
        cmd += ["--log-level", self.log_level] + self.extra_args
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                status, _, _ = self.request("GET", "/_vigil/health", timeout=1)
                if status == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        self.proc.kill()
        self.proc.wait()
        return False

    def stop(self):
        """SIGTERM the server, wait for it, and return its exit code."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                self._log_file.close()
                pytest.fail(f"vigil did not exit within {STOP_TIMEOUT}s of SIGTERM:\n{self.stderr()}")
        self._log_file.close()
        return proc.returncode

    def kill(self):
        """SIGKILL the server (a crash: no shutdown code runs) and wait for it to be gone."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        assert proc.poll() is None, f"vigil was not running (exit code {proc.returncode}):\n" + \
            self.stderr()
        proc.kill()
        proc.wait()
        self._log_file.close()

    def stderr(self, tail=8000):
        """The end of the server's output (all of it with tail=None)."""
        if self._log_path is None:
            return ""
        with open(self._log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        return text if tail is None else text[-tail:]

    # -- clients ------------------------------------------------------------------------

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def client(self, account=ACCOUNT_A, region=REGION, validate=True):
        config = botocore.config.Config(
            parameter_validation=validate,
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        )
        return boto3.session.Session().client(
            "guardduty",
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=account,
            aws_secret_access_key="x",
            config=config,
        )

    def request(self, method, path, body=None, headers=None, account=None, region=REGION,
                timeout=30):
        """Send one raw HTTP request; return (status, headers, body bytes).

        Without `account` no Authorization header is sent (Vigil's default account
        123456789012, region us-east-1). `body` may be bytes, str, or a JSON-able object.
        `headers` is an HTTPMessage (case-insensitive .get()).
        """
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        all_headers = {}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        if account is not None:
            all_headers["Authorization"] = auth_header(account, region)
        all_headers.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def send_oversized(self, path, size, timeout=30):
        """POST a body of `size` bytes over a plain socket, tolerating the server closing the
        connection early (as it may once it sees the Content-Length). Returns (status,
        headers dict with lower-case keys, body bytes)."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        received = b""
        try:
            head = (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
            ).encode()
            sock.sendall(head)
            chunk = b" " * (256 * 1024)
            sent = 0
            try:
                while sent < size:
                    piece = chunk[: min(len(chunk), size - sent)]
                    sock.sendall(piece)
                    sent += len(piece)
            except OSError:
                pass  # server stopped reading: its answer should already be on the way
            try:
                while True:
                    data = sock.recv(65536)
                    if not data:
                        break
                    received += data
                    parsed = _parse_http_response(received)
                    if parsed is not None:
                        return parsed
            except OSError:
                pass
        finally:
            sock.close()
        parsed = _parse_http_response(received)
        assert parsed is not None, f"no complete HTTP response received; got {received[:500]!r}"
        return parsed


def _parse_http_response(data):
    """Parse one complete HTTP/1.1 response (Content-Length framed) or return None."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if len(rest) < length:
        return None
    return status, headers, rest[:length]


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def vigil(tmp_path_factory):
    """The shared server for the whole session; must exit 0 on SIGTERM at the end."""
    server = VigilServer(data_dir=tmp_path_factory.mktemp("vigil-data")).start()
    yield server
    rc = server.stop()
    assert rc == 0, f"vigil exited with {rc} after SIGTERM:\n{server.stderr()}"


@pytest.fixture(autouse=True)
def _reset_state(vigil):
    if vigil.proc is None or vigil.proc.poll() is not None:
        pytest.fail(f"the shared vigil server is not running (exit code "
                    f"{vigil.proc and vigil.proc.returncode}):\n{vigil.stderr()}", pytrace=False)
    status, _, body = vigil.request("POST", "/_vigil/reset")
    assert status == 200, f"POST /_vigil/reset answered {status}: {body[:500]!r}"


# Under `make test-asan` the sanitizers write their reports to files (log_path in
# ASAN_OPTIONS / UBSAN_OPTIONS, one PREFIX.PID per process) rather than into output a test may
# never read; any such file fails the test it appeared in, or the session for the shared
# server's exit (its leak check).
def _sanitizer_log_prefixes():
    prefixes = set()
    for variable in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        for option in os.environ.get(variable, "").split(":"):
            key, _, value = option.partition("=")
            if key == "log_path" and value:
                prefixes.add(value)
    return sorted(prefixes)


SANITIZER_LOG_PREFIXES = _sanitizer_log_prefixes()
# AddressSanitizer holds freed memory in a quarantine (256 MiB by default) to catch use after
# free, so a sanitized server's RSS grows by up to that much without leaking; LeakSanitizer
# checks for real leaks when the server exits. Tests that bound RSS allow for it.
ASAN_QUARANTINE_BYTES = 256 * 1024 * 1024 if SANITIZER_LOG_PREFIXES else 0


def take_sanitizer_reports():
    """Reports written since the last call; each is renamed *.seen so it fails only once."""
    reports = []
    for prefix in SANITIZER_LOG_PREFIXES:
        for path in sorted(glob.glob(glob.escape(prefix) + ".*")):
            if not path.endswith(".seen"):
                os.rename(path, path + ".seen")
                reports.append(f"{path}:\n{Path(path + '.seen').read_text(errors='replace')}")
    return reports


@pytest.fixture(autouse=True)
def _no_sanitizer_reports():
    yield
    if reports := take_sanitizer_reports():
        pytest.fail("sanitizer reports:\n" + "\n".join(reports), pytrace=False)


def pytest_sessionfinish(session):
    if reports := take_sanitizer_reports():
        print("\nsanitizer reports:\n" + "\n".join(reports))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def raw_http(vigil):
    """raw_http(method, path, body=None, headers=None, account=None) -> (status, headers, body)"""
    return vigil.request


@pytest.fixture(scope="session")
def gd(vigil):
    """Account 111111111111 in us-east-1."""
    return vigil.client(ACCOUNT_A, REGION)


@pytest.fixture(scope="session")
def gd_b(vigil):
    """A second account, 222222222222, in us-east-1."""
    return vigil.client(ACCOUNT_B, REGION)


@pytest.fixture(scope="session")
def gd_c(vigil):
    """A third account, 333333333333, in us-east-1."""
    return vigil.client(ACCOUNT_C, REGION)


@pytest.fixture(scope="session")
def gd_eu(vigil):
    """Account 111111111111 in a second region, eu-west-1."""
    return vigil.client(ACCOUNT_A, OTHER_REGION)


@pytest.fixture(scope="session")
def gd_raw(vigil):
    """Account 111111111111 in us-east-1, with client-side parameter validation off."""
    return vigil.client(ACCOUNT_A, REGION, validate=False)


@pytest.fixture
def detector_id(gd):
    """A fresh enabled detector of account 111111111111 in us-east-1."""
    return gd.create_detector(Enable=True)["DetectorId"]


@pytest.fixture
def list_file(tmp_path):
    """list_file(text, name="list.txt") -> "file:///..." location of a list file written (or
    overwritten) in a per-test folder. `text` may be str or bytes."""
    folder = tmp_path / "lists"
    folder.mkdir(exist_ok=True)

    def write(text, name="list.txt"):
        path = folder / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return path.as_uri()

    return write


# --------------------------------------------------------------------------------------------
# IPSet / ThreatIntelSet: one adapter so their tests are written once
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetKind:
    label: str  # ARN segment: ipset / threatintelset
    noun: str  # botocore operation suffix: IPSet / ThreatIntelSet
    id_key: str  # IpSetId / ThreatIntelSetId
    list_key: str  # IpSetIds / ThreatIntelSetIds
    limit: int  # per detector

    def _op(self, client, verb, plural=False):
        return getattr(client, botocore.xform_name(verb + self.noun + ("s" if plural else "")))

    def create(self, client, detector_id, name="list-1", fmt="TXT",
               location="s3://vigil-lists/list.txt", activate=True, **extra):
        params = dict(DetectorId=detector_id, Name=name, Format=fmt, Location=location,
                      Activate=activate, **extra)
        return self._op(client, "Create")(**params)[self.id_key]

    def create_raw(self, client, detector_id, **params):
        return self._op(client, "Create")(DetectorId=detector_id, **params)

    def get(self, client, detector_id, set_id):
        return self._op(client, "Get")(DetectorId=detector_id, **{self.id_key: set_id})

    def update(self, client, detector_id, set_id, **changes):
        return self._op(client, "Update")(DetectorId=detector_id, **{self.id_key: set_id},
                                          **changes)

    def delete(self, client, detector_id, set_id):
        return self._op(client, "Delete")(DetectorId=detector_id, **{self.id_key: set_id})

    def list(self, client, detector_id, **params):
        return self._op(client, "List", plural=True)(DetectorId=detector_id, **params)

    def paginator(self, client):
        return client.get_paginator(self._op(client, "List", plural=True).__name__)


IPSET = SetKind("ipset", "IPSet", "IpSetId", "IpSetIds", 1)
THREAT_INTEL_SET = SetKind("threatintelset", "ThreatIntelSet", "ThreatIntelSetId",
                           "ThreatIntelSetIds", 6)


@pytest.fixture(params=[IPSET, THREAT_INTEL_SET], ids=["ipset", "threatintelset"])
def set_kind(request):
    return request.param


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def arn(detector_id, child=None, account=ACCOUNT_A, region=REGION):
    """GuardDuty ARN of a detector, or of a child given as e.g. "filter/NAME"."""
    base = f"arn:aws:guardduty:{region}:{account}:detector/{detector_id}"
    return f"{base}/{child}" if child else base


def expect_error(call, param=None, message=None, invalid_input=False, status=400):
    """Run `call` (a zero-argument callable doing one boto3 call), require a GuardDuty error,
    and return the ClientError's response dict.

    param: a wire name that must appear (case-sensitive) in the message.
    message: the exact message expected.
    invalid_input: require the body's __type to be InvalidInputException.
    """
    with pytest.raises(ClientError) as info:
        call()
    resp = info.value.response
    meta = resp["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == status, resp
    assert resp["Error"]["Code"] == "BadRequestException", resp
    assert meta.get("RequestId"), f"error response without x-amzn-RequestId: {resp}"
    text = resp["Error"].get("Message", "")
    assert text, f"error without a message: {resp}"
    if param is not None:
        assert param in text, f"expected the message to name {param!r}; got {text!r}"
    if message is not None:
        assert text == message, resp
    if invalid_input:
        assert resp.get("Type") == "InvalidInputException", resp
    return resp


def assert_json_error(status, headers, body, expected_status=400, param=None):
    """Check a raw HTTP answer is a GuardDuty-shaped JSON error; return the parsed body."""
    assert status == expected_status, (status, body[:500])
    try:
        doc = json.loads(body)
    except ValueError:
        pytest.fail(f"error body is not JSON: {body[:500]!r}")
    assert isinstance(doc, dict), doc
    assert isinstance(doc.get("message"), str) and doc["message"], doc
    get = headers.get
    assert get("x-amzn-RequestId") or get("x-amzn-requestid"), dict(headers)
    if expected_status == 400:
        assert isinstance(doc.get("__type"), str) and doc["__type"], doc
        error_type = get("X-Amzn-ErrorType") or get("x-amzn-errortype") or ""
        assert error_type.split(":")[0] == "BadRequestException", dict(headers)
    if param is not None:
        assert param in doc["message"], f"expected the message to name {param!r}; got {doc}"
    return doc


def page_through(call, result_key, max_results, **params):
    """Call a List* operation page by page with MaxResults; return (items, pages).

    Checks that no page is larger than max_results and that every page but the last
    carries a token."""
    items, pages, token = [], 0, None
    while True:
        kwargs = dict(params, MaxResults=max_results)
        if token:
            kwargs["NextToken"] = token
        resp = call(**kwargs)
        pages += 1
        page = resp[result_key]
        assert len(page) <= max_results, (max_results, page)
        items.extend(page)
        token = resp.get("NextToken")
        if not token:
            return items, pages
        assert pages < 1000, "pagination does not terminate"


def strip_metadata(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def parse_iso_ms(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc
    )


def quote_arn(resource_arn):
    """How SDKs put an ARN into a URI label: every reserved character percent-encoded."""
    return urllib.parse.quote(resource_arn, safe="-_.~")


SAMPLE_CRITERIA = {
    "Criterion": {
        "severity": {"Gte": 4},
        "type": {"Eq": ["Recon:EC2/PortProbeUnprotectedPort", "UnauthorizedAccess:EC2/SSHBruteForce"]},
        "resource.instanceDetails.instanceId": {"NotEquals": ["i-0123456789abcdef0"]},
        "updatedAt": {"GreaterThanOrEqual": 1700000000000, "LessThan": 1900000000000},
        "service.archived": {"Equals": ["false"]},
    }
}


# --------------------------------------------------------------------------------------------
# List loading: status lifecycle and the /_vigil/detectors/{id}/lists load reports
# --------------------------------------------------------------------------------------------


def wait_for_status(kind, client, detector_id, set_id, expected=None, timeout=LOAD_TIMEOUT):
    """Poll Get{IPSet,ThreatIntelSet} every POLL_INTERVAL until the status leaves ACTIVATING;
    return the settled status. With `expected`, also require that status."""
    deadline = time.monotonic() + timeout
    while True:
        status = kind.get(client, detector_id, set_id)["Status"]
        if status != "ACTIVATING":
            break
        if time.monotonic() > deadline:
            pytest.fail(f"{kind.noun} {set_id} still ACTIVATING after {timeout}s", pytrace=False)
        time.sleep(POLL_INTERVAL)
    if expected is not None:
        assert status == expected, f"{kind.noun} {set_id} settled in {status}, not {expected}"
    return status


def detector_lists(server, detector_id, account=ACCOUNT_A, region=REGION):
    """GET /_vigil/detectors/{detectorId}/lists as `account`; returns (status, headers, body)."""
    return server.request("GET", f"/_vigil/detectors/{detector_id}/lists", account=account,
                          region=region)


def list_entries(server, detector_id, account=ACCOUNT_A, region=REGION):
    """The "lists" of the lists endpoint, by id (the request must succeed)."""
    status, _, body = detector_lists(server, detector_id, account, region)
    assert status == 200, (status, body[:500])
    doc = json.loads(body)
    assert doc["detectorId"] == detector_id, doc
    entries = {entry["id"]: entry for entry in doc["lists"]}
    assert len(entries) == len(doc["lists"]), f"a list appears twice: {doc}"
    return entries


def wait_for_load(server, detector_id, set_id, account=ACCOUNT_A, timeout=LOAD_TIMEOUT):
    """Poll the lists endpoint until `set_id` is no longer ACTIVATING and carries a load
    report; return its entry."""
    deadline = time.monotonic() + timeout
    while True:
        entry = list_entries(server, detector_id, account).get(set_id)
        assert entry is not None, f"{set_id} is not on the lists endpoint"
        if entry["status"] != "ACTIVATING" and "load" in entry:
            return entry
        if time.monotonic() > deadline:
            pytest.fail(f"no settled load report for {set_id} after {timeout}s: {entry}",
                        pytrace=False)
        time.sleep(POLL_INTERVAL)
