"""Load on a real server with a real load generator: wrk (Debian's package), driven by Lua.

Every request is one of a fixed mix (plain text, one JSON text, a JSON batch) whose answer was
first taken alone, one request at a time. wrk then sends the mix at a given concurrency, one
connection per wrk thread so each response pairs with the request before it, and the Lua side
compares every answer byte for byte with the one taken alone. Counts are exact (each thread stops
after its share) and time is bounded (wrk's -d).
"""

from __future__ import annotations

import http.client
import json
import random
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from bench.servers import status_kib

LUA = Path(__file__).with_name("load.lua")
SCAM_WORDS = ["urgent", "transfer", "US$12,500,000", "bank", "account", "send", "your", "full", "name",
              "claim", "lottery", "prize", "now", "wire", "processing", "fee", "today", "confidential"]
HAM_WORDS = ["the", "nightly", "build", "fails", "old", "tarball", "could", "you", "update", "spec",
             "file", "push", "again", "lunch", "Tuesday", "patch", "notes", "thanks", "review"]


@dataclass(frozen=True)
class Request:
    path: str
    content_type: str
    body: bytes


def texts(count: int, seed: int = 6) -> list[str]:
    """Distinct e-mail-like texts, half scam-like, of 5 to 400 words."""
    rng = random.Random(seed)
    words = (SCAM_WORDS, HAM_WORDS)
    return [f"#{i} " + " ".join(rng.choice(words[i % 2]) for _ in range(rng.randint(5, 400)))
            for i in range(count)]


def mix(count: int = 48, seed: int = 6) -> list[Request]:
    """Plain-text, single JSON and JSON batch (2 to 8 texts) requests, in turn."""
    rng = random.Random(seed)
    pool = texts(count * 2, seed)
    requests = []
    for i in range(count):
        text = pool[i]
        if i % 3 == 0:
            requests.append(Request("/predict", "text/plain; charset=utf-8", text.encode()))
        elif i % 3 == 1:
            requests.append(Request("/predict", "application/json", json.dumps({"text": text}).encode()))
        else:
            batch = rng.sample(pool, rng.randint(2, 8))
            requests.append(Request("/predict", "application/json", json.dumps({"texts": batch}).encode()))
    return requests


def send(url: str, request: Request, timeout: float = 60) -> tuple[int, bytes]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", request.path, request.body, {"Content-Type": request.content_type})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def answers_alone(url: str, requests: list[Request]) -> list[bytes]:
    """Each request's answer, taken one at a time; each must be a 200."""
    answers = []
    for request in requests:
        status, body = send(url, request)
        if status != 200:
            raise AssertionError(f"{request.content_type} answered {status} alone: {body[:200]!r}")
        answers.append(body)
    return answers


def _lua_string(data: bytes) -> str:
    """A Lua 5.1 string literal: printable ASCII as is, every other byte as a decimal escape."""
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in data) + '"'


def script(requests: list[Request], answers: list[bytes], per_thread: int) -> str:
    rows = ",\n".join(
        f"  {{path = {_lua_string(r.path.encode())}, type = {_lua_string(r.content_type.encode())}, "
        f"body = {_lua_string(r.body)}, expected = {_lua_string(a)}}}"
        for r, a in zip(requests, answers, strict=True))
    return f"mix = {{\n{rows}\n}}\nper_thread = {per_thread}\n" + LUA.read_text()


@dataclass(frozen=True)
class Result:
    connections: int
    requests: int  # responses received
    wrong_status: int  # answers other than 200
    mismatched: int  # 200s whose body differs from the answer taken alone
    socket_errors: int  # connect, read, write and timeout errors
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def errors(self) -> int:
        return self.wrong_status + self.mismatched + self.socket_errors

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    return path


def run(url: str, requests: list[Request], answers: list[bytes], connections: int, total: int,
        max_seconds: int = 300) -> Result:
    """`total` requests (rounded up to a multiple of `connections`) at that concurrency.

    wrk runs for a duration, not a count: each thread stops after its share and says so, and
    the first SIGINT after the last one ends wrk, which then prints its totals.
    """
    per_thread = -(-total // connections)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="ascii") as lua:
        lua.write(script(requests, answers, per_thread))
        lua.flush()
        started = time.perf_counter()
        process = subprocess.Popen(
            [wrk(), "-t", str(connections), "-c", str(connections), "-d", f"{max_seconds}s",
             "--timeout", "60s", "-s", lua.name, url], stdout=subprocess.PIPE, text=True)
        finished, lines = 0, []
        seconds = float(max_seconds)
        for line in process.stdout:
            lines.append(line)
            finished += line.strip() == "finished"
            if finished == connections:
                seconds = time.perf_counter() - started
                process.send_signal(signal.SIGINT)
                lines += process.stdout.readlines()
                break
        if process.wait(60) != 0:
            raise RuntimeError(f"wrk exited with {process.returncode}:\n{''.join(lines)[-2000:]}")
    summary = next(line for line in lines if line.startswith('{"wrk":'))
    figures = json.loads(summary)["wrk"]
    return Result(connections=connections, requests=figures["completed"],
                  wrong_status=figures["wrong_status"], mismatched=figures["mismatched"],
                  socket_errors=figures["socket_errors"], seconds=seconds, p50_ms=figures["p50_ms"],
                  p99_ms=figures["p99_ms"], max_ms=figures["max_ms"])


def worker_pid(master: int) -> int:
    """The one gunicorn worker under functions-framework's master process."""
    children = [int(pid) for task in Path(f"/proc/{master}/task").iterdir()
                for pid in (task / "children").read_text().split()]
    if len(children) != 1:
        raise RuntimeError(f"expected one worker under {master}, found {children}")
    return children[0]


def rss_mib(pid: int) -> float:
    return status_kib(pid, "VmRSS") / 1024


def peak_rss_mib(pid: int) -> float:
    return status_kib(pid, "VmHWM") / 1024
