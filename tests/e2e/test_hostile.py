"""Hostile input that needs a real connection (issue 11, HTTP-layer rows): slow and idle clients,
request-line size, chunked framing, bodies cut short, a model store that fails under load.
Each answers within a second with a JSON 4xx/503, and the server goes on serving.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.support import SCAM, call, free_port


def exchange(url: str, raw: bytes, half_close: bool = False, timeout: float = 5) -> tuple[int, bytes]:
    """Sends raw bytes, optionally ends our side, reads the answer: (status, body)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data and _complete(data):
                break
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def post_head(path: str = "/predict", extra: str = "") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n{extra}\r\n").encode()


def test_healthz_answers_while_slow_and_idle_clients_hold_connections(serve):
    server = serve()
    host, port = server.url.removeprefix("http://").split(":")
    held: list[socket.socket] = []
    stop = threading.Event()
    try:
        for _ in range(50):  # idle: connected, sending nothing
            held.append(socket.create_connection((host, int(port))))
        slow = []
        for _ in range(8):  # slow: a large Content-Length, then a byte now and then
            sock = socket.create_connection((host, int(port)))
            sock.sendall(post_head(extra="Content-Length: 100000\r\n"))
            slow.append(sock)
        held += slow

        def trickle() -> None:
            while not stop.wait(0.5):
                for sock in slow:
                    sock.sendall(b"a")

        threading.Thread(target=trickle, daemon=True).start()
        for _ in range(5):
            started = time.monotonic()
            assert call(server.url + "/healthz", timeout=5).status == 200
            assert time.monotonic() - started < 1.0
            reply = call(server.url + "/predict", "POST", SCAM.encode(), {"Content-Type": "text/plain"})
            assert (reply.status, reply.body) == (200, b"true")
    finally:
        stop.set()
        for sock in held:
            sock.close()


def test_a_huge_request_line_is_414_without_echo(serve):
    server = serve()
    started = time.monotonic()
    status, body = exchange(server.url, b"GET /" + b"a" * 10_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 414 and b"aaaa" not in body and json.loads(body)["error"]["code"] == "uri_too_long"
    assert time.monotonic() - started < 5
    assert call(server.url + "/healthz").status == 200
    assert max(len(line) for line in server.logs().splitlines()) < 2000  # no 10 MB log line


def test_malformed_framing_is_a_json_400(serve):
    server = serve()
    cases = {
        "chunk size zz": post_head(extra="Transfer-Encoding: chunked\r\n") + b"zz\r\nabc\r\n0\r\n\r\n",
        "100 KB chunk extension": post_head(extra="Transfer-Encoding: chunked\r\n")
        + b"3;" + b"x" * 100_000 + b"\r\nabc\r\n0\r\n\r\n",
        "headers over 8 KiB": post_head(extra="X-Big: " + "b" * 20_000 + "\r\nContent-Length: 1\r\n") + b"a",
    }
    for name, raw in cases.items():
        status, body = exchange(server.url, raw)
        assert status == 400, name
        assert json.loads(body)["error"]["code"] == "bad_request", name
    assert call(server.url + "/healthz").status == 200


def test_a_body_cut_short_is_a_json_400(serve):
    server = serve()
    cut = {
        "Content-Length 100, 5 bytes": post_head(extra="Content-Length: 100\r\n") + b"hello",
        "chunked, cut off": post_head(extra="Transfer-Encoding: chunked\r\n") + b"5\r\nhello\r\n",
    }
    for name, raw in cut.items():
        status, body = exchange(server.url, raw, half_close=True)
        assert status == 400, name
        assert json.loads(body)["error"]["code"] == "incomplete_body", name


def test_a_chunked_body_over_the_limit_is_413(serve):
    server = serve({"MAX_BODY_BYTES": "100000"})
    chunk = b"a" * 50_000
    raw = post_head(extra="Transfer-Encoding: chunked\r\n") + (b"%x\r\n%s\r\n" % (len(chunk), chunk)) * 3
    status, body = exchange(server.url, raw + b"0\r\n\r\n")
    assert status == 413 and json.loads(body)["error"]["code"] == "body_too_large"


def test_requests_waiting_on_a_failing_load_share_its_outcome(serve, tmp_path):
    closed = free_port()  # nothing listens: every fetch fails until MODEL_FETCH_TIMEOUT
    server = serve({"MODEL_URI": "gs://private-bucket/models/v1/", "MODEL_FETCH_TIMEOUT": "2",
                    "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{closed}", "MODEL_RETRY_SECONDS": "30",
                    "MODEL_CACHE_DIR": str(tmp_path / "cache")})

    def ask(_: int) -> tuple[int, float, dict]:
        started = time.monotonic()
        reply = call(server.url + "/predict", "POST", SCAM.encode(), {"Content-Type": "text/plain"})
        return reply.status, time.monotonic() - started, reply.json()

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(ask, range(6)))
    assert [status for status, _, _ in answers] == [503] * 6
    assert max(seconds for _, seconds, _ in answers) < 10  # one fetch of about 2 s, not six in a row
    failures = [r for r in server.log_records() if r.get("message") == "model unavailable"]
    assert len(failures) == 1
    message = answers[0][2]["error"]["message"]
    assert "private-bucket" not in message and str(tmp_path) not in message
    status, seconds, _ = ask(0)  # remembered: answered at once, no new fetch
    assert status == 503 and seconds < 1
    assert len([r for r in server.log_records() if r.get("message") == "model unavailable"]) == 1


def test_too_many_ort_threads_are_capped_with_a_warning(serve):
    server = serve({"ORT_THREADS": "256"})
    assert call(server.url + "/readyz").status == 200
    assert any(r.get("severity") == "WARNING" and "ORT_THREADS=256" in r.get("message", "")
               for r in server.log_records())
