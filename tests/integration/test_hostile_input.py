"""Hostile input: every limit `vigil serve` puts on a request or a client, and what the
client gets beyond it (SECURITY.md, "Limits and their flags").

Most tests run against one server started with small limits and deadlines (the `hostile`
fixture), so each limit is crossed with little traffic and slow clients are cut quickly;
one test checks the defaults on the shared server. After every refusal the server must
still answer a normal request.
"""

import json
import select
import socket
import time

import pytest

from conftest import (ACCOUNT_A, ASAN_QUARANTINE_BYTES, VigilServer, assert_json_error, auth_header,
                      expect_error)
from test_server import _read_response

MAX_HEADER_BYTES = 16 * 1024
MAX_HEADER_COUNT = 20
MAX_FIELD_BYTES = 1024
MAX_URI_BYTES = 1024
MAX_JSON_DEPTH = 16
MAX_JSON_ELEMENTS = 1000
HEADER_TIMEOUT = 1
BODY_TIMEOUT = 1

# How long a slow client keeps trickling before the test gives up on the server cutting it:
# far beyond the deadlines above, so only a server that never cuts it fails.
TRICKLE_LIMIT_SECONDS = 30
TRICKLE_INTERVAL = 0.1


@pytest.fixture(scope="module")
def hostile():
    server = VigilServer(in_memory=True, extra_args=[
        "--max-header-bytes", str(MAX_HEADER_BYTES),
        "--max-header-count", str(MAX_HEADER_COUNT),
        "--max-header-field-bytes", str(MAX_FIELD_BYTES),
        "--max-uri-bytes", str(MAX_URI_BYTES),
        "--max-json-depth", str(MAX_JSON_DEPTH),
        "--max-json-elements", str(MAX_JSON_ELEMENTS),
        "--header-timeout", str(HEADER_TIMEOUT),
        "--body-timeout", str(BODY_TIMEOUT),
    ]).start()
    yield server
    assert server.stop() == 0, server.stderr()


def _send_raw(server, data):
    """Send `data` on a fresh connection and read the one response; (status, headers, body)."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        sock.sendall(data)
        return _read_response(sock)
    finally:
        sock.close()


def _head(target="/detector", extra_headers=()):
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1",
             f"Authorization: {auth_header(ACCOUNT_A)}"]
    lines += [f"{name}: {value}" for name, value in extra_headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _assert_refused(answer, status, fragment):
    """A refusal in GuardDuty's error shape whose message says which limit was crossed."""
    got_status, headers, body = answer
    doc = assert_json_error(got_status, headers, body, expected_status=status)
    assert doc.get("__type") == "InvalidInputException", doc
    assert headers.get("x-amzn-errortype") == "BadRequestException", headers
    assert fragment in doc["message"], doc
    return doc


def _assert_serves_normally(server):
    """The server still answers an ordinary GuardDuty call."""
    detectors = server.client(ACCOUNT_A).list_detectors()["DetectorIds"]
    assert isinstance(detectors, list)


# ---- request heads: URI length, header count and size -------------------------------------


def test_too_many_headers_get_431(hostile):
    headers = [(f"X-Extra-{i}", "1") for i in range(MAX_HEADER_COUNT)]  # plus Host, Authorization
    _assert_refused(_send_raw(hostile, _head(extra_headers=headers)), 431,
                    f"more than {MAX_HEADER_COUNT} header fields")
    _assert_serves_normally(hostile)


def test_headers_at_the_count_limit_are_served(hostile):
    headers = [(f"X-Extra-{i}", "1") for i in range(MAX_HEADER_COUNT - 2)]
    status, _, body = _send_raw(hostile, _head(extra_headers=headers))
    assert status == 200, body
    assert json.loads(body)["detectorIds"] == []


def test_oversized_header_field_gets_431_naming_it(hostile):
    headers = [("X-Large", "v" * MAX_FIELD_BYTES)]  # the whole head stays under its limit
    _assert_refused(_send_raw(hostile, _head(extra_headers=headers)), 431, "X-Large")
    _assert_serves_normally(hostile)


def test_oversized_head_gets_431(hostile):
    headers = [(f"X-Part-{i}", "v" * 1000) for i in range(MAX_HEADER_COUNT - 3)]
    _assert_refused(_send_raw(hostile, _head(extra_headers=headers)), 431,
                    f"limit of {MAX_HEADER_BYTES} bytes")
    _assert_serves_normally(hostile)


def test_long_uri_gets_414(hostile):
    target = "/detector?nextToken=" + "a" * MAX_URI_BYTES
    _assert_refused(_send_raw(hostile, _head(target)), 414, f"limit of {MAX_URI_BYTES} bytes")
    _assert_serves_normally(hostile)


def test_uri_longer_than_the_whole_head_limit_gets_414(hostile):
    target = "/detector/" + "a" * (2 * MAX_HEADER_BYTES)
    _assert_refused(_send_raw(hostile, _head(target)), 414, "URI")
    _assert_serves_normally(hostile)


def test_default_head_limits(vigil):
    """The defaults of SECURITY.md: 100 header fields, 8 KiB per field, 8 KiB of URI."""
    many = [(f"X-Extra-{i}", "1") for i in range(99)]
    _assert_refused(_send_raw(vigil, _head(extra_headers=many)), 431, "more than 100 header")
    large = [("X-Large", "v" * 8192)]
    _assert_refused(_send_raw(vigil, _head(extra_headers=large)), 431, "8192 bytes")
    _assert_refused(_send_raw(vigil, _head("/detector?x=" + "a" * 8192)), 414, "8192 bytes")
    _assert_serves_normally(vigil)


# ---- JSON bodies: depth and element count --------------------------------------------------


def _nested(depth):
    """`depth` levels of objects: {"a":{"a":...{}}}."""
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def test_json_nested_too_deep_gets_400(hostile):
    body = '{"enable":true,"x":' + _nested(MAX_JSON_DEPTH) + "}"  # one level too many
    answer = hostile.request("POST", "/detector", body=body, account=ACCOUNT_A)
    _assert_refused(answer, 400, f"deeper than {MAX_JSON_DEPTH} levels")
    _assert_serves_normally(hostile)


def test_json_nested_to_the_limit_is_accepted(hostile):
    body = '{"enable":true,"x":' + _nested(MAX_JSON_DEPTH - 1) + "}"
    status, _, response = hostile.request("POST", "/detector", body=body, account="333333333333")
    assert status == 200, response
    assert json.loads(response)["detectorId"]


def test_json_with_too_many_elements_gets_400(hostile):
    # "enable", "x" and the items of x: one element over the limit.
    body = {"enable": True, "x": [0] * (MAX_JSON_ELEMENTS - 1)}
    answer = hostile.request("POST", "/detector", body=body, account=ACCOUNT_A)
    _assert_refused(answer, 400, f"more than {MAX_JSON_ELEMENTS} JSON elements")
    # Members of nested objects count as well as array items.
    body = {"enable": True, "x": {f"k{i}": {"v": i} for i in range(MAX_JSON_ELEMENTS // 2)}}
    answer = hostile.request("POST", "/detector", body=body, account=ACCOUNT_A)
    _assert_refused(answer, 400, f"more than {MAX_JSON_ELEMENTS} JSON elements")
    _assert_serves_normally(hostile)


def test_json_with_elements_up_to_the_limit_is_accepted(hostile):
    body = {"enable": True, "x": [0] * (MAX_JSON_ELEMENTS - 2)}
    status, _, response = hostile.request("POST", "/detector", body=body, account="444444444444")
    assert status == 200, response


def test_default_json_limits(vigil):
    deep = '{"enable":true,"x":' + _nested(64) + "}"
    _assert_refused(vigil.request("POST", "/detector", body=deep, account=ACCOUNT_A), 400,
                    "deeper than 64 levels")
    wide = {"enable": True, "x": [0] * 100_000}
    _assert_refused(vigil.request("POST", "/detector", body=wide, account=ACCOUNT_A), 400,
                    "more than 100000 JSON elements")
    _assert_serves_normally(vigil)


def test_hostile_json_through_boto3_is_a_clean_client_error(hostile):
    """What botocore users see: a BadRequestException naming the limit, not a dropped call."""
    gd = hostile.client("555555555555", validate=False)
    detector_id = gd.create_detector(Enable=True)["DetectorId"]
    ids = ["a" * 32] * MAX_JSON_ELEMENTS
    expect_error(lambda: gd.archive_findings(DetectorId=detector_id, FindingIds=ids),
                 param=f"more than {MAX_JSON_ELEMENTS} JSON elements", invalid_input=True)


# ---- slow clients: trickled headers and bodies ---------------------------------------------


def _trickle_until_closed(sock, data):
    """Send `data` a byte at a time, TRICKLE_INTERVAL apart, until the server closes the
    connection (True) or TRICKLE_LIMIT_SECONDS pass with it still open (False). Whatever the
    server answers before closing is read and ignored."""
    deadline = time.monotonic() + TRICKLE_LIMIT_SECONDS
    position = 0
    while time.monotonic() < deadline:
        try:
            sock.sendall(data[position:position + 1] or b"x")
        except (BrokenPipeError, ConnectionResetError):
            return True
        position += 1
        readable, _, _ = select.select([sock], [], [], TRICKLE_INTERVAL)
        if readable:
            try:
                if sock.recv(65536) == b"":
                    return True
            except ConnectionResetError:
                return True
    return False


def test_trickled_headers_are_cut_off_by_the_header_deadline(hostile):
    """Slowloris: every byte arrives well within any per-read timeout, but the headers as a
    whole never complete; the header deadline must close the connection regardless."""
    sock = socket.create_connection(("127.0.0.1", hostile.port), timeout=10)
    try:
        sock.sendall(b"GET /detector HTTP/1.1\r\nHost: x\r\n")
        endless = b"".join(f"X-Slow-{i}: {i}\r\n".encode() for i in range(10_000))
        assert _trickle_until_closed(sock, endless), "a trickling client outlived --header-timeout"
    finally:
        sock.close()
    _assert_serves_normally(hostile)


def _assert_trickled_body_is_cut_off(server, head, filler):
    """Sends `head` (which declares a 100,000-byte body), then trickles the body."""
    body_size = 100_000
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        sock.sendall((head + f"Content-Length: {body_size}\r\n\r\n").encode())
        assert _trickle_until_closed(sock, filler * body_size), \
            "a client trickling its body outlived --body-timeout"
    finally:
        sock.close()
    _assert_serves_normally(server)


def test_trickled_body_is_cut_off_by_the_body_deadline(hostile):
    _assert_trickled_body_is_cut_off(
        hostile, "POST /detector HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: {auth_header(ACCOUNT_A)}\r\n", b" ")


def test_trickled_ingest_body_is_cut_off_by_the_body_deadline(hostile):
    account = "666666666666"
    detector_id = hostile.client(account).create_detector(Enable=True)["DetectorId"]
    _assert_trickled_body_is_cut_off(
        hostile, f"POST /_vigil/ingest/{detector_id}/flowlogs HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: {auth_header(account)}\r\n", b"\n")


# ---- connections ---------------------------------------------------------------------------


def _open_served(server):
    """A keep-alive connection the server has accepted and answered once. Retried while the
    server still counts a connection a client has just closed (start-up's health checks)."""
    deadline = time.monotonic() + 10
    while True:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        try:
            sock.sendall(b"GET /_vigil/health HTTP/1.1\r\nHost: x\r\n\r\n")
            if _read_response(sock)[0] == 200:
                return sock
        except (ConnectionError, OSError):
            pass
        sock.close()
        assert time.monotonic() < deadline, "the server accepts no connection"
        time.sleep(0.05)


def _refused_as_busy(server):
    """Opens one more connection; True when the server answers 503 in GuardDuty's error
    shape and closes it (or, having no time to answer, just closes it). A server that
    keeps the connection open instead fails on the read's timeout."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        try:
            status, headers, body = _read_response(sock)
        except ConnectionError:  # closed or reset at once, without an answer
            return True
        closed = _bytes_until_closed(sock, within=10) == b""
    finally:
        sock.close()
    doc = json.loads(body)
    return (closed and status == 503 and doc.get("__type") == "ServiceUnavailableException"
            and "limit of" in doc.get("message", "") and bool(headers.get("x-amzn-requestid")))


def test_connections_beyond_max_connections_are_refused():
    limit = 4
    server = VigilServer(in_memory=True, extra_args=["--max-connections", str(limit)]).start()
    held = []
    try:
        held = [_open_served(server) for _ in range(limit)]
        # Many more than the limit, one after another: each refused, none accepted.
        for _ in range(3 * limit):
            assert _refused_as_busy(server)
        # The held connections are still served.
        held[0].sendall(b"GET /_vigil/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _read_response(held[0])[0] == 200
        # Once one closes, a new client is served again.
        held.pop().close()
        deadline = time.monotonic() + 10
        while True:
            try:
                status, _, _ = server.request("GET", "/_vigil/health", timeout=5)
                if status == 200:
                    break
            except (ConnectionError, OSError):
                pass
            assert time.monotonic() < deadline, "no connection accepted after one closed"
            time.sleep(0.05)
        _assert_serves_normally(server)
    finally:
        for sock in held:
            sock.close()
        assert server.stop() == 0, server.stderr()


def _bytes_until_closed(sock, within):
    """What the server sent before closing the connection, or None if it is still open
    after `within` seconds."""
    received = b""
    deadline = time.monotonic() + within
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            sock.settimeout(remaining)
            chunk = sock.recv(4096)
            if not chunk:
                return received
            received += chunk
    except socket.timeout:
        return None
    except ConnectionResetError:
        return received
    return None


def test_idle_connections_beyond_the_limit_do_not_block_after_they_time_out():
    """Connections that send nothing hold their slot only until the idle timeout."""
    limit = 3
    server = VigilServer(in_memory=True, extra_args=[
        "--max-connections", str(limit), "--idle-timeout", "1"]).start()
    try:
        # A connection whose client has just closed (start-up's health checks) can hold its
        # slot a moment longer, and one of ours is then refused with a 503 rather than
        # held. Such a round proves less, so it is repeated until every slot was idle.
        for _round in range(5):
            idle = [socket.create_connection(("127.0.0.1", server.port), timeout=10)
                    for _ in range(limit)]
            try:
                sent = [_bytes_until_closed(sock, within=10) for sock in idle]
            finally:
                for sock in idle:
                    sock.close()
            assert None not in sent, "an idle connection outlived --idle-timeout"
            if all(answer == b"" for answer in sent):
                break
            assert all(answer == b"" or answer.startswith(b"HTTP/1.1 503") for answer in sent), sent
        else:
            pytest.fail("no round had all its connections held idle")
        _assert_serves_normally(server)
    finally:
        assert server.stop() == 0, server.stderr()


# ---- memory --------------------------------------------------------------------------------


def _rss_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_memory_stays_bounded_under_refused_bodies(hostile):
    """Bodies refused for their JSON are dropped with the request: after many of them the
    server holds no more than it did after the first few."""
    wide = json.dumps({"enable": True, "x": [0] * 300_000})  # ~900 KB, refused at 1,000
    deep = '{"x":' + "[" * 200_000 + "]" * 200_000 + "}"
    for body in (wide, deep):
        _assert_refused(hostile.request("POST", "/detector", body=body, account=ACCOUNT_A), 400,
                        "request body")
    warm = _rss_bytes(hostile.proc.pid)
    for _ in range(40):
        for body in (wide, deep):
            status, _, _ = hostile.request("POST", "/detector", body=body, account=ACCOUNT_A)
            assert status == 400
    grown = _rss_bytes(hostile.proc.pid) - warm
    limit = 32 * 1024 * 1024 + ASAN_QUARANTINE_BYTES
    assert grown < limit, f"RSS grew by {grown} bytes over 80 refused bodies"
    _assert_serves_normally(hostile)


# ---- bytes that are not UTF-8 ----------------------------------------------------------------


def test_path_bytes_that_are_not_utf8_get_a_json_error(hostile):
    """A percent-decoded label may hold any bytes; the error quoting it is still JSON."""
    status, headers, body = hostile.request("GET", "/detector/%FF%8Dabc/filter/x%C0%AF",
                                            account=ACCOUNT_A)
    assert 400 <= status < 500, (status, body)
    doc = json.loads(body.decode("utf-8"))  # strict: fails on bytes that are not UTF-8
    assert doc["message"] and doc["__type"], doc
    # The same bytes sent raw, not percent-encoded: the unknown path is quoted back.
    status, _, body = _send_raw(hostile, b"GET /detector/\xff\x8d/s\xc0tatistics HTTP/1.1\r\n"
                                         b"Host: x\r\n\r\n")
    assert status == 404, (status, body)
    doc = json.loads(body.decode("utf-8"))
    assert "\ufffd" in doc["message"], doc
    _assert_serves_normally(hostile)


def test_ingest_report_quoting_bytes_that_are_not_utf8_is_json(hostile):
    account = "777777777777"
    detector_id = hostile.client(account).create_detector(Enable=True)["DetectorId"]
    lines = b"2 123456789012 eni-1 10.0.0.1 10.0.0.2 4\xff3 22 6 1 40 1767225600 1767225660 ACCEPT OK\n"
    status, _, body = hostile.request("POST", f"/_vigil/ingest/{detector_id}/flowlogs",
                                      body=lines, account=account)
    assert status == 200, body
    report = json.loads(body.decode("utf-8"))
    assert report["rejected"] == 1, report
    assert "\ufffd" in report["rejectedRecords"][0]["reason"], report
