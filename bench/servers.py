"""Start a server as a new process and time it: spawn -> first successful prediction."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TYPICAL = (
    "Dear customer, we noticed unusual activity on your account. To avoid suspension, "
    "confirm your identity within 24 hours by replying with your full name, card number "
    "and the code we sent you. Thank you for banking with us. "
) * 6  # about 300 words, a typical e-mail
LONG = TYPICAL * 10  # about 3,000 words


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def function_command(port: int) -> list[str]:
    """The Cloud Functions form: functions-framework serving main.py."""
    return [str(BIN / "functions-framework"), "--source", str(ROOT / "main.py"), "--target", "predict",
            "--host", "127.0.0.1", "--port", str(port)]


@dataclass
class Running:
    process: subprocess.Popen
    port: int
    cold_start: float  # seconds from spawn to the first successful prediction

    def peak_rss_mib(self) -> float:
        """The largest peak resident set (VmHWM) among the server and its children."""
        return max(_vmhwm_kib(pid) for pid in [self.process.pid, *_children(self.process.pid)]) / 1024

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def _vmhwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def post(connection: http.client.HTTPConnection, body: bytes, content_type: str = "text/plain",
         path: str = "/predict") -> tuple[int, bytes]:
    connection.request("POST", path, body=body, headers={"Content-Type": content_type})
    response = connection.getresponse()
    return response.status, response.read()


def spawn(command: list[str], port: int, env: dict | None = None, timeout: float = 60) -> Running:
    """Starts `command` and polls POST /predict until it answers 200; the clock starts at spawn."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {}), "PORT": str(port)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            status, _ = post(connection, TYPICAL.encode())
            connection.close()
            if status == 200:
                return Running(process, port, time.perf_counter() - started)
        except OSError:
            time.sleep(0.005)
    process.kill()
    raise RuntimeError(f"{command[0]} did not answer within {timeout} s")
