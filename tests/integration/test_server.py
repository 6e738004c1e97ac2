"""The HTTP front door: keep-alive, timeouts, malformed HTTP, header limits, graceful stop."""

import json
import socket
import time

from conftest import ACCOUNT_A, VigilServer, auth_header


def _connect(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def _read_response(sock):
    """Read one HTTP response (Content-Length framed) from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response; got {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest[:length]


def _closed_by_peer(sock, within):
    """True when the server closes the connection within `within` seconds."""
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def _own_server(tmp_path, *extra):
    return VigilServer(data_dir=tmp_path / "data", extra_args=extra).start()


def test_keep_alive_serves_many_requests_on_one_connection(vigil):
    sock = _connect(vigil)
    try:
        for _ in range(5):
            sock.sendall(b"GET /_vigil/health HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, body = _read_response(sock)
            assert status == 200
            assert json.loads(body)["status"] == "ok"
            assert headers["x-amzn-requestid"]
    finally:
        sock.close()


def test_garbage_http_gets_400_json(vigil):
    sock = _connect(vigil)
    try:
        sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        status, headers, body = _read_response(sock)
        assert status == 400
        assert headers["x-amzn-errortype"] == "BadRequestException"
        assert "message" in json.loads(body)
    finally:
        sock.close()
    # and the server still answers
    assert vigil.request("GET", "/_vigil/health")[0] == 200


def test_oversized_headers_get_431(vigil):
    sock = _connect(vigil)
    try:
        sock.sendall(b"GET /detector HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
        status, _, body = _read_response(sock)
        assert status == 431
        assert "limit" in json.loads(body)["message"]
    finally:
        sock.close()


def test_idle_connection_is_closed_after_idle_timeout(tmp_path):
    server = _own_server(tmp_path, "--idle-timeout", "1")
    try:
        sock = _connect(server)
        assert _closed_by_peer(sock, within=5), "an idle connection outlived --idle-timeout"
        sock.close()
    finally:
        assert server.stop() == 0


def test_slow_headers_are_cut_off_by_header_timeout(tmp_path):
    server = _own_server(tmp_path, "--header-timeout", "1")
    try:
        sock = _connect(server)
        sock.sendall(b"GET /detector HTTP/1.1\r\nHost: x\r\n")  # never finishes the headers
        assert _closed_by_peer(sock, within=5), "a half-sent header outlived --header-timeout"
        sock.close()
    finally:
        assert server.stop() == 0


def test_sigterm_finishes_in_flight_request_and_keeps_its_write(tmp_path):
    server = _own_server(tmp_path)
    idle = _connect(server)  # an idle keep-alive connection must not hold up the stop
    sock = _connect(server)
    body = json.dumps({"enable": True}).encode()
    head = (
        f"POST /detector HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: {auth_header(ACCOUNT_A)}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock.sendall(head + body[:5])  # the request has begun but is not complete
    time.sleep(1.0)  # generous: the server must have read those bytes even on a busy machine
    server.proc.send_signal(15)
    time.sleep(0.3)
    assert server.proc.poll() is None, "vigil exited with a request in flight"
    sock.sendall(body[5:])
    status, _, response = _read_response(sock)
    assert status == 200
    detector_id = json.loads(response)["detectorId"]
    sock.close()
    server.proc.send_signal(15)  # a repeated signal while finishing must not kill it
    assert server.stop() == 0
    idle.close()

    server.start()  # same data dir: the acknowledged create survived the stop
    try:
        assert server.client().list_detectors()["DetectorIds"] == [detector_id]
    finally:
        assert server.stop() == 0
