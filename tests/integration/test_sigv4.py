"""`vigil serve --auth sigv4 --credentials FILE`: every request must carry a valid AWS
Signature Version 4 from a key in the file, and the key's principal decides the account.

Requests are signed by botocore's real SigV4: boto3 clients and generate_presigned_url
(which sign through the AWS CRT where python3-awscrt is installed, as on Debian), and
botocore's pure-Python SigV4Auth / SigV4QueryAuth on AWSRequests built here; also by the
AWS CLI and by `vigil ingest`. One server with
two principals in two accounts serves the module; it cannot be reset (--auth sigv4 refuses
POST /_vigil/reset), so each account's detector is created once and shared.
"""

import contextlib
import datetime
import gzip
import hashlib
import http.client
import json
import os
import subprocess
import types
import urllib.error
import urllib.parse
import urllib.request
from unittest import mock

import boto3
import botocore.config
import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import NOT_OWNED, REGION, SAMPLE_CRITERIA, VigilServer, serve_exit
from test_detection import T0, brute_force, flow
from test_ingest_cli import clean_env, run_ingest, summary_counts

AWS_CLI = os.environ.get("AWS_CLI", "/usr/bin/aws")

ALICE = ("AKIAALICEEXAMPLE0001", "alice/Secret+Key0000000000000000000000000", "111122223333")
BOB = ("AKIABOBEXAMPLE000002", "bob/Secret+Key00000000000000000000000000000", "444455556666")
STRANGER = ("AKIASTRANGER00000003", "stranger-secret", None)

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details.")
INVALID_TOKEN = "The security token included in the request is invalid."

# --max-body-bytes: also the most of a streamed body the server holds until it is verified.
HELD_LIMIT = 1024 * 1024

CREDENTIALS_TOML = f"""# Vigil principals
[[principals]]
access_key_id = "{ALICE[0]}"
secret_access_key = "{ALICE[1]}"
account_id = "{ALICE[2]}"

[[principals]]
access_key_id = "{BOB[0]}"
secret_access_key = "{BOB[1]}"
account_id = "{BOB[2]}"
"""


# --------------------------------------------------------------------------------------------
# The server and its clients
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sigv4")
    credentials = folder / "credentials.toml"
    credentials.write_text(CREDENTIALS_TOML)
    credentials.chmod(0o600)
    # At trace level, so that the test of secrets in the log has every line to read.
    server = VigilServer(in_memory=True, log_level="trace",
                         extra_args=["--auth", "sigv4", "--credentials", str(credentials),
                                     "--max-body-bytes", str(HELD_LIMIT)]).start()
    yield server
    rc = server.stop()
    assert rc == 0, f"vigil exited with {rc}:\n{server.stderr()}"


def client(server, principal, region=REGION):
    key, secret, _ = principal
    config = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})
    return boto3.session.Session().client(
        "guardduty", endpoint_url=server.url, region_name=region, aws_access_key_id=key,
        aws_secret_access_key=secret, config=config)


@pytest.fixture(scope="module")
def alice(server):
    return client(server, ALICE)


@pytest.fixture(scope="module")
def bob(server):
    return client(server, BOB)


@pytest.fixture(scope="module")
def detectors(alice, bob):
    """Each principal's detector in us-east-1 (one per account and region, so made once)."""
    return {"alice": alice.create_detector(Enable=True)["DetectorId"],
            "bob": bob.create_detector(Enable=True)["DetectorId"]}


def send(server, method, path, body=b"", headers=None):
    """One raw HTTP request; (status, headers, parsed JSON body or raw bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, resp.headers, json.loads(data)
    except ValueError:
        return resp.status, resp.headers, data


@contextlib.contextmanager
def signing_time(age):
    """botocore's signers, pure Python and CRT, sign as if it were `age` (a timedelta) ago."""
    then = datetime.datetime.utcnow() - age

    class Then(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return then

    clock = types.SimpleNamespace(datetime=Then, timezone=datetime.timezone,
                                  timedelta=datetime.timedelta)
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch("botocore.auth.datetime", clock))
        with contextlib.suppress(ImportError):
            import botocore.crt.auth  # noqa: F401 (present with python3-awscrt)
            stack.enter_context(mock.patch("botocore.crt.auth.datetime", clock))
        yield


def signed(server, method, path, body=b"", principal=ALICE, region=REGION,
           age=datetime.timedelta(0), headers=None):
    """An AWSRequest for `path` signed by botocore's SigV4Auth for guardduty; `age` backdates
    its X-Amz-Date. Returns (path, body, headers) ready for send()."""
    key, secret, _ = principal
    request = AWSRequest(method=method, url=server.url + path, data=body, headers=headers or {})
    with signing_time(age):
        SigV4Auth(Credentials(key, secret), "guardduty", region).add_auth(request)
    prepared = request.prepare()
    return path, prepared.body or b"", dict(prepared.headers)


def assert_auth_error(status, headers, doc, error_type, message=None):
    assert status == 403, (status, doc)
    assert headers.get("X-Amzn-ErrorType") == error_type, dict(headers)
    assert headers.get("x-amzn-RequestId"), dict(headers)
    assert isinstance(doc, dict) and doc.get("__type") == error_type, doc
    if message is not None:
        assert doc.get("message") == message, doc
    return doc


def client_error(call):
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response


# --------------------------------------------------------------------------------------------
# Signed clients work, each in its own account
# --------------------------------------------------------------------------------------------


def test_each_principal_works_in_its_own_account(alice, bob, detectors):
    assert alice.list_detectors()["DetectorIds"] == [detectors["alice"]]
    assert bob.list_detectors()["DetectorIds"] == [detectors["bob"]]
    assert alice.get_detector(DetectorId=detectors["alice"])["Status"] == "ENABLED"
    alice.update_detector(DetectorId=detectors["alice"], FindingPublishingFrequency="ONE_HOUR")
    resp = client_error(lambda: bob.get_detector(DetectorId=detectors["alice"]))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert resp["Error"]["Message"] == NOT_OWNED


def test_the_region_comes_from_the_credential_scope(server, detectors):
    assert client(server, ALICE, "eu-west-1").list_detectors()["DetectorIds"] == []


def test_tags_by_arn_with_encoded_colons_and_slashes(alice, detectors):
    detector_arn = f"arn:aws:guardduty:{REGION}:{ALICE[2]}:detector/{detectors['alice']}"
    alice.tag_resource(ResourceArn=detector_arn, Tags={"team": "blue", "path": "a/b:c"})
    assert alice.list_tags_for_resource(ResourceArn=detector_arn)["Tags"] == {
        "team": "blue", "path": "a/b:c"}
    alice.untag_resource(ResourceArn=detector_arn, TagKeys=["path"])
    assert alice.list_tags_for_resource(ResourceArn=detector_arn)["Tags"] == {"team": "blue"}


def test_filters_and_findings_with_bodies(alice, bob, detectors):
    detector_id = detectors["alice"]
    alice.create_filter(DetectorId=detector_id, Name="high-sev", FindingCriteria=SAMPLE_CRITERIA)
    assert alice.get_filter(DetectorId=detector_id, FilterName="high-sev")["Name"] == "high-sev"
    alice.create_sample_findings(DetectorId=detector_id,
                                 FindingTypes=["Recon:EC2/PortProbeUnprotectedPort"])
    ids = alice.list_findings(
        DetectorId=detector_id,
        FindingCriteria={"Criterion": {"type": {"Eq": ["Recon:EC2/PortProbeUnprotectedPort"]}}},
        MaxResults=10)["FindingIds"]
    assert len(ids) == 1
    [finding] = alice.get_findings(DetectorId=detector_id, FindingIds=ids)["Findings"]
    assert finding["AccountId"] == ALICE[2]
    assert bob.list_findings(DetectorId=detectors["bob"])["FindingIds"] == []


def test_the_aws_cli_signs_too(server, detectors, tmp_path):
    if not os.path.isfile(AWS_CLI):
        pytest.fail(f"AWS CLI not found at {AWS_CLI} (install Debian's awscli or set AWS_CLI)")

    def aws(secret, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(HOME=str(tmp_path), AWS_ACCESS_KEY_ID=ALICE[0], AWS_SECRET_ACCESS_KEY=secret,
                   AWS_CONFIG_FILE=str(tmp_path / "config"),
                   AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"), AWS_PAGER="")
        return subprocess.run([AWS_CLI, "--endpoint-url", server.url, "guardduty", *args,
                               "--region", REGION, "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=60)

    proc = aws(ALICE[1], "list-detectors")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["DetectorIds"] == [detectors["alice"]]
    proc = aws("not-the-secret", "list-detectors")
    assert proc.returncode != 0
    assert "InvalidSignatureException" in proc.stderr, proc.stderr


# --------------------------------------------------------------------------------------------
# What is refused, with AWS's error types
# --------------------------------------------------------------------------------------------


def test_wrong_secret_is_an_invalid_signature(server):
    wrong = client(server, (ALICE[0], "not-the-secret", ALICE[2]))
    resp = client_error(wrong.list_detectors)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert resp["Error"]["Code"] == "InvalidSignatureException"
    assert resp["Error"]["Message"] == SIGNATURE_MISMATCH


def test_unknown_key_is_an_unrecognized_client(server):
    resp = client_error(client(server, STRANGER).list_detectors)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert resp["Error"]["Code"] == "UnrecognizedClientException"
    assert resp["Error"]["Message"] == INVALID_TOKEN


def test_session_tokens_are_refused(server):
    key, secret, _ = ALICE
    temporary = boto3.session.Session().client(
        "guardduty", endpoint_url=server.url, region_name=REGION, aws_access_key_id=key,
        aws_secret_access_key=secret, aws_session_token="token")
    assert client_error(temporary.list_detectors)["Error"]["Code"] == "UnrecognizedClientException"


def test_no_authorization_is_a_missing_token(server, detectors):
    status, headers, doc = send(server, "GET", "/detector")
    assert_auth_error(status, headers, doc, "MissingAuthenticationTokenException",
                      "Missing Authentication Token")
    # Unsigned callers learn nothing about paths either.
    status, headers, doc = send(server, "GET", "/no/such/operation")
    assert_auth_error(status, headers, doc, "MissingAuthenticationTokenException")


def test_a_malformed_header_is_an_incomplete_signature(server):
    status, headers, doc = send(server, "GET", "/detector", headers={
        "Authorization": "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date",
        "X-Amz-Date": datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")})
    assert_auth_error(status, headers, doc, "IncompleteSignatureException",
                      "Authorization header requires 'Credential' parameter. Authorization "
                      "header requires 'Signature' parameter.")
    status, headers, doc = send(server, "GET", "/detector", headers={
        "Authorization": f"AWS4-HMAC-SHA256 Credential={ALICE[0]}/us-east-1/guardduty, "
                         "SignedHeaders=host, Signature=00",
        "X-Amz-Date": datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")})
    doc = assert_auth_error(status, headers, doc, "IncompleteSignatureException")
    assert doc["message"].startswith("Credential must have exactly 5 slash-delimited elements")


def test_a_scope_for_another_service_is_refused(server):
    key, secret, _ = ALICE
    request = AWSRequest(method="GET", url=server.url + "/detector")
    SigV4Auth(Credentials(key, secret), "ec2", REGION).add_auth(request)
    status, headers, doc = send(server, "GET", "/detector", headers=dict(request.prepare().headers))
    assert_auth_error(status, headers, doc, "InvalidSignatureException",
                      "Credential should be scoped to correct service: 'guardduty'.")


def test_a_skewed_clock_is_refused(server, detectors):
    path, body, headers = signed(server, "GET", "/detector", age=datetime.timedelta(minutes=20))
    status, headers, doc = send(server, "GET", path, body, headers)
    doc = assert_auth_error(status, headers, doc, "InvalidSignatureException")
    assert doc["message"].startswith("Signature expired: "), doc
    assert doc["message"].endswith(" - 15 min.)"), doc

    path, body, headers = signed(server, "GET", "/detector", age=-datetime.timedelta(minutes=20))
    status, headers, doc = send(server, "GET", path, body, headers)
    doc = assert_auth_error(status, headers, doc, "InvalidSignatureException")
    assert doc["message"].startswith("Signature not yet current: "), doc

    # Within 15 minutes either way is fine.
    path, body, headers = signed(server, "GET", "/detector", age=datetime.timedelta(minutes=10))
    status, _, doc = send(server, "GET", path, body, headers)
    assert status == 200, doc
    assert doc["detectorIds"] == [detectors["alice"]]


def test_a_body_changed_after_signing_is_refused(server, detectors):
    path = f"/detector/{detectors['alice']}/findings"
    original = json.dumps({"maxResults": 5}).encode()
    path, body, headers = signed(server, "POST", path, original,
                                 headers={"Content-Type": "application/json"})
    status, _, doc = send(server, "POST", path, body, headers)
    assert status == 200, doc
    tampered = json.dumps({"maxResults": 7}).encode()
    assert len(tampered) == len(original)
    status, headers, doc = send(server, "POST", path, tampered, headers)
    assert_auth_error(status, headers, doc, "InvalidSignatureException", SIGNATURE_MISMATCH)


def test_unsigned_payload_is_accepted_without_covering_the_body(server, detectors):
    path = f"/detector/{detectors['alice']}/findings"
    path, body, headers = signed(server, "POST", path, b'{"maxResults": 5}',
                                 headers={"Content-Type": "application/json",
                                          "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    status, _, doc = send(server, "POST", path, body, headers)
    assert status == 200, doc


def test_a_declared_payload_hash_must_match_the_body(server, detectors):
    path = f"/detector/{detectors['alice']}/findings"
    original = b'{"maxResults": 5}'
    path, body, headers = signed(server, "POST", path, original, headers={
        "Content-Type": "application/json",
        "X-Amz-Content-SHA256": hashlib.sha256(original).hexdigest()})
    status, _, doc = send(server, "POST", path, body, headers)
    assert status == 200, doc
    status, headers, doc = send(server, "POST", path, b'{"maxResults": 6}', headers)
    assert_auth_error(status, headers, doc, "InvalidSignatureException",
                      "The provided 'x-amz-content-sha256' header does not match what was "
                      "computed.")


# --------------------------------------------------------------------------------------------
# Presigned URLs
# --------------------------------------------------------------------------------------------


def fetch(url):
    """GET with plain urllib: (status, parsed JSON body)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_presigned_get_detector_url_works_with_plain_urllib(alice, detectors):
    url = alice.generate_presigned_url("get_detector",
                                       Params={"DetectorId": detectors["alice"]}, ExpiresIn=300)
    assert "X-Amz-Signature=" in url and "Authorization" not in url
    status, doc = fetch(url)
    assert status == 200, doc
    assert doc["status"] == "ENABLED"


def test_a_tampered_presigned_url_fails(alice, bob, detectors):
    url = alice.generate_presigned_url("get_detector",
                                       Params={"DetectorId": detectors["alice"]}, ExpiresIn=300)
    tampered = url.replace(detectors["alice"], detectors["bob"])
    status, doc = fetch(tampered)
    assert status == 403, doc
    assert doc["__type"] == "InvalidSignatureException", doc

    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query)
    query = [(k, ("0" if v[0] != "0" else "1") + v[1:]) if k == "X-Amz-Signature" else (k, v)
             for k, v in query]
    status, doc = fetch(parts._replace(query=urllib.parse.urlencode(query)).geturl())
    assert status == 403 and doc["__type"] == "InvalidSignatureException", doc


def presigned_url(server, path, expires, principal=ALICE, age=datetime.timedelta(0)):
    """A presigned GET URL made by botocore's pure-Python SigV4QueryAuth."""
    key, secret, _ = principal
    request = AWSRequest(method="GET", url=server.url + path)
    with signing_time(age):
        SigV4QueryAuth(Credentials(key, secret), "guardduty", REGION, expires=expires).add_auth(
            request)
    return request.url


def test_a_presigned_url_of_botocores_python_signer_works(server, detectors):
    url = presigned_url(server, f"/detector/{detectors['alice']}", 60)
    status, doc = fetch(url)
    assert status == 200 and doc["status"] == "ENABLED", doc
    status, doc = fetch(url.replace("/detector/", "/detector/0"))
    assert status == 403 and doc["__type"] == "InvalidSignatureException", doc


def test_an_expired_presigned_url_fails(server, alice, detectors):
    ten_minutes_ago = datetime.timedelta(minutes=10)
    with signing_time(ten_minutes_ago):
        by_client = alice.generate_presigned_url(
            "get_detector", Params={"DetectorId": detectors["alice"]}, ExpiresIn=60)
    by_python = presigned_url(server, f"/detector/{detectors['alice']}", 60, age=ten_minutes_ago)
    for url in (by_client, by_python):
        status, doc = fetch(url)
        assert status == 403, doc
        assert doc["__type"] == "InvalidSignatureException", doc
        assert doc["message"].startswith("Signature expired: "), doc
        assert doc["message"].endswith(" - 60 sec.)"), doc
    # A longer life is not the caller's to give.
    status, doc = fetch(by_client.replace("X-Amz-Expires=60", "X-Amz-Expires=900"))
    assert status == 403 and doc["message"] == SIGNATURE_MISMATCH, doc


def test_a_presigned_url_of_an_unknown_key_fails(server, detectors):
    url = client(server, STRANGER).generate_presigned_url(
        "get_detector", Params={"DetectorId": detectors["alice"]}, ExpiresIn=60)
    status, doc = fetch(url)
    assert status == 403 and doc["__type"] == "UnrecognizedClientException", doc


# --------------------------------------------------------------------------------------------
# Vigil's own endpoints
# --------------------------------------------------------------------------------------------


def test_health_and_metrics_need_no_signature(server):
    status, _, doc = send(server, "GET", "/_vigil/health")
    assert status == 200 and doc["status"] == "ok", doc
    status, _, text = send(server, "GET", "/_vigil/metrics")
    assert status == 200 and b"vigil_requests_total" in text


def test_reset_stays_refused_even_signed(server, detectors):
    path, body, headers = signed(server, "POST", "/_vigil/reset", b"{}")
    status, _, doc = send(server, "POST", path, body, headers)
    assert status == 400, doc
    assert "--auth none" in doc["message"], doc
    status, headers, doc = send(server, "POST", "/_vigil/reset")
    assert_auth_error(status, headers, doc, "MissingAuthenticationTokenException")


# --------------------------------------------------------------------------------------------
# Log ingestion: vigil ingest, and bodies signed over their own hash
# --------------------------------------------------------------------------------------------


def brute_force_log():
    return "\n".join(brute_force("198.51.100.7", T0)) + "\n"


def test_vigil_ingest_signs_for_a_sigv4_server(server, detectors, tmp_path):
    log = tmp_path / "flows.log.gz"
    log.write_bytes(gzip.compress(brute_force_log().encode()))
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home, AWS_ACCESS_KEY_ID=ALICE[0], AWS_SECRET_ACCESS_KEY=ALICE[1])
    proc = run_ingest("--endpoint", server.url, "--detector-id", detectors["alice"], "--source",
                      "flowlogs", log, env=env)
    assert proc.returncode == 0, proc.stderr
    assert summary_counts(proc.stderr)[:4] == (1, 1, 25, 0), proc.stderr

    # Into someone else's detector, or with the wrong secret: refused.
    proc = run_ingest("--endpoint", server.url, "--detector-id", detectors["bob"], "--source",
                      "flowlogs", log, env=env)
    assert proc.returncode == 1 and NOT_OWNED in proc.stderr, proc.stderr
    env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
    proc = run_ingest("--endpoint", server.url, "--detector-id", detectors["alice"], "--source",
                      "flowlogs", log, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "HTTP 403: The request signature we calculated does not match" in proc.stderr


def test_an_ingest_body_signed_over_its_own_hash_is_verified_before_use(server, detectors):
    path = f"/_vigil/ingest/{detectors['bob']}/flowlogs"
    log = brute_force_log().encode()
    path, body, headers = signed(server, "POST", path, log, principal=BOB)
    status, headers_back, doc = send(server, "POST", path, log.replace(b"198.51", b"198.52"),
                                     headers)
    assert_auth_error(status, headers_back, doc, "InvalidSignatureException", SIGNATURE_MISMATCH)
    status, _, doc = send(server, "POST", path, body, headers)
    assert status == 200, doc
    assert doc["records"] == 25 and doc["rejected"] == 0, doc


def large_flow_log(min_bytes):
    lines, i = [], 0
    while sum(map(len, lines)) < min_bytes:
        lines.append(flow("198.51.100.9", "10.0.0.5", 1024 + i % 60000, 443, T0 + i // 100))
        i += 1
    return ("\n".join(lines) + "\n").encode(), len(lines)


def test_large_ingest_bodies_stream_when_their_hash_is_declared(server, detectors, tmp_path):
    log, records = large_flow_log(3 * HELD_LIMIT)
    path = tmp_path / "big.log"
    path.write_bytes(log)
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(home, AWS_ACCESS_KEY_ID=ALICE[0], AWS_SECRET_ACCESS_KEY=ALICE[1])
    proc = run_ingest("--endpoint", server.url, "--detector-id", detectors["alice"], "--source",
                      "flowlogs", path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert summary_counts(proc.stderr)[2] == records, proc.stderr

    # The same body signed over its own hash would have to be held whole: too large.
    url_path = f"/_vigil/ingest/{detectors['alice']}/flowlogs"
    url_path, body, headers = signed(server, "POST", url_path, log)
    status, _, doc = send(server, "POST", url_path, body, headers)
    assert status == 413, doc
    assert "x-amz-content-sha256" in doc["message"], doc


def test_vigil_ingest_without_signing_is_refused(server, detectors, tmp_path):
    log = tmp_path / "flows.log"
    log.write_text(brute_force_log())
    home = tmp_path / "home"
    home.mkdir()
    proc = run_ingest("--endpoint", server.url, "--detector-id", detectors["alice"], "--source",
                      "flowlogs", "--no-sign", log, env=clean_env(home))
    assert proc.returncode == 1
    assert "HTTP 403: Missing Authentication Token" in proc.stderr, proc.stderr


def test_an_unsigned_ingest_is_refused_before_its_body(server, detectors):
    status, headers, doc = server.send_oversized(
        f"/_vigil/ingest/{detectors['alice']}/flowlogs", 8 * 1024 * 1024)
    assert status == 403, doc
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException", headers


# --------------------------------------------------------------------------------------------
# Start-up and secrets
# --------------------------------------------------------------------------------------------


def test_bad_auth_settings_exit_2(tmp_path):
    code, stderr = serve_exit(["--auth", "sigv4"])
    assert code == 2 and "--credentials" in stderr, stderr
    code, stderr = serve_exit(["--credentials", str(tmp_path / "x.toml")])
    assert code == 2 and "--auth sigv4" in stderr, stderr

    bad = tmp_path / "credentials.json"
    bad.write_text('{"principals": [\n  {"accessKeyId": "AKIAX", "secretAccessKey": "s",\n'
                   '   "accountId": "1234"}\n]}\n')
    code, stderr = serve_exit(["--auth", "sigv4", "--credentials", str(bad)])
    assert code == 2, stderr
    assert f"{bad}:3: accountId must be 12 digits" in stderr, stderr

    code, stderr = serve_exit(["--auth", "sigv4", "--credentials", str(tmp_path / "absent")])
    assert code == 2 and "cannot be read" in stderr, stderr


def test_a_json_credentials_file_and_the_environment_work(tmp_path):
    credentials = tmp_path / "principals.json"
    credentials.write_text(json.dumps({"principals": [
        {"accessKeyId": ALICE[0], "secretAccessKey": ALICE[1], "accountId": ALICE[2]}]}))
    credentials.chmod(0o600)
    server = VigilServer(in_memory=True)
    with mock.patch.dict(os.environ, {"VIGIL_AUTH": "sigv4",
                                      "VIGIL_CREDENTIALS": str(credentials)}):
        server.start()
    try:
        assert client(server, ALICE).list_detectors()["DetectorIds"] == []
        assert client_error(client(server, BOB).list_detectors)["Error"]["Code"] == (
            "UnrecognizedClientException")
    finally:
        assert server.stop() == 0


def test_no_secret_or_signature_reaches_the_log(server, alice, detectors):
    """The module's server logs at trace level; by now it has logged good and bad requests."""
    wrong = client(server, (ALICE[0], "not-the-secret", ALICE[2]))
    client_error(wrong.list_detectors)
    log = server.stderr(tail=None)
    assert "authentication failed" in log and "request operation=ListDetectors" in log, log
    for secret in (ALICE[1], BOB[1], "not-the-secret"):
        assert secret not in log
    assert "Signature=" not in log and "X-Amz-Signature" not in log
