"""HTTP load with wrk (Debian's package), pinned to the client core: latency percentiles and rate.

wrk is a C load generator: on a 2-core machine a Python client would take the CPU the server
under test needs, and its own overhead would swamp a millisecond-scale answer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.servers import CLIENT

SCRIPT = Path(__file__).with_name("wrk.lua")


@dataclass(frozen=True)
class Load:
    connections: int
    requests: int
    per_second: float  # requests per second
    p50: float  # seconds
    p90: float
    p99: float


def wrk_missing() -> str | None:
    """Why wrk cannot run here, or None."""
    return None if shutil.which("wrk") else "wrk is not installed (apt-get install wrk)"


def run(port: int, body: bytes, content_type: str, connections: int, seconds: int) -> Load:
    """`connections` keep-alive clients POST `body` to /predict for `seconds`; every answer must be 2xx."""
    with tempfile.NamedTemporaryFile(prefix="bench-body-") as handle:
        handle.write(body)
        handle.flush()
        done = subprocess.run(
            [*CLIENT, "wrk", "--threads", "1", "--connections", str(connections), "--duration",
             f"{seconds}s", "--timeout", "60s", "--script", str(SCRIPT), f"http://127.0.0.1:{port}/predict"],
            env={**os.environ, "BENCH_BODY": handle.name, "BENCH_TYPE": content_type},
            capture_output=True, text=True, check=True,
        )
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")
    result = json.loads(line.removeprefix("BENCH "))
    if result["status_errors"] or result["socket_errors"] or not result["requests"]:
        raise RuntimeError(f"wrk saw failed requests: {result}")
    return Load(connections, result["requests"], result["requests"] / (result["duration_us"] / 1e6),
                result["p50_us"] / 1e6, result["p90_us"] / 1e6, result["p99_us"] / 1e6)
