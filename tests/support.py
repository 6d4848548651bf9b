"""Test helpers: a real functions-framework server on 127.0.0.1 as a subprocess, and HTTP calls."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "model"
BIN = Path(sys.executable).parent

SCAM = (
    "Dear Friend, I am Barrister James Okoro, attorney to the late engineer who died with "
    "US$25,500,000 in a bank here. I need a foreign partner to claim the funds as next of "
    "kin. You will receive 30% of the total sum. Send your full name, bank account number "
    "and phone number urgently. This transaction is 100% risk free and confidential."
)
HAM = (
    "Hi Tom, I had a look at the patch you sent for the RPM build script. It works on my "
    "laptop, but the spec file still points at the old tarball, so the nightly build fails. "
    "Could you update the version number and push again? Thanks, Dave"
)
DOCUMENT_TEXT = "Some text that I want to send to your model."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path
    started: float = field(default_factory=time.perf_counter)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_records(self) -> list[dict]:
        records = []
        for line in self.logs().splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
        return records

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(log_dir: Path, env: dict | None = None, ready_path: str = "/healthz") -> Server:
    """Starts `functions-framework --target predict` on a free port and waits until it answers."""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"server-{port}.log"
    full_env = {**os.environ, "PORT": str(port), "PYTHONUNBUFFERED": "1", **(env or {})}
    handle = log_path.open("wb")
    process = subprocess.Popen(
        [str(BIN / "functions-framework"), "--source", str(ROOT / "main.py"), "--target", "predict",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=full_env, stdout=handle, stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.logs()}")
        try:
            with urllib.request.urlopen(server.url + ready_path, timeout=2):
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"server did not answer within 60 s:\n{server.logs()}")


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


def call(url: str, method: str = "GET", body: bytes | None = None,
         headers: dict | None = None, timeout: float = 30) -> Reply:
    """One HTTP request, sending exactly the given headers (no default Content-Type)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""),
                           body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()
