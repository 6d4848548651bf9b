"""The docs, checked against the product: `make run` as README.md describes it, and every example.

`make run` is started for real (a process group, stopped after each test); a bad environment value
must stop it with one clear line and one JSON log line, never a traceback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT, call, free_port

VENV = Path(sys.executable).parent.parent


def make_run(port: int, env: dict | None = None) -> subprocess.Popen:
    """`make run PORT=port`, as a newcomer types it (the venv taken as installed: `-o` skips pip)."""
    return subprocess.Popen(
        ["make", "--no-print-directory", "-o", f"{VENV}/.runtime", "run", f"PORT={port}", f"VENV={VENV}"],
        cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def stop(process: subprocess.Popen) -> tuple[str, str]:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.communicate()


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen]]:
    processes: list[subprocess.Popen] = []
    yield processes
    for process in processes:
        stop(process)


def test_make_run_says_where_it_listens_and_when_the_model_loads(started):
    port = free_port()
    process = make_run(port)
    started.append(process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if call(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.1)
    assert process.poll() is None, "make run exited"
    out, err = stop(process)
    first = out.splitlines()[0]
    assert f"listening on http://localhost:{port}" in first
    assert "the model loads on the first request" in first
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert {"severity": "INFO", "message": "starting: the model loads on the first request",
            "model": str(ROOT / "model")} in records
    assert "Traceback" not in err


@pytest.mark.parametrize(("variable", "value", "reason"), [
    ("THRESHOLD", "abc", "THRESHOLD must be a number, not 'abc'"),
    ("MAX_BODY_BYTES", "-1", "MAX_BODY_BYTES must be at least 1, not -1"),
    ("MODEL_PRELOAD", "maybe", "MODEL_PRELOAD must be true or false, not 'maybe'"),
])
def test_a_bad_setting_stops_the_start_with_one_line_and_one_log_line(started, variable, value, reason):
    process = make_run(free_port(), {variable: value})
    started.append(process)
    out, err = process.communicate(timeout=60)
    assert process.returncode != 0  # make's own status for a failed command
    assert "Traceback" not in out + err
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert records == [{"severity": "ERROR", "message": f"configuration error: {reason}"}]
    server_lines = [line for line in err.splitlines() if not line.startswith("make")]
    assert server_lines == [f"configuration error: {reason}"]


def test_the_server_itself_exits_2_on_a_bad_setting(tmp_path):
    result = subprocess.run(
        [str(VENV / "bin" / "functions-framework"), "--source", str(ROOT / "main.py"), "--target", "predict",
         "--host", "127.0.0.1", "--port", str(free_port())],
        cwd=tmp_path, env={**os.environ, "THRESHOLD": "1.5"}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == "configuration error: THRESHOLD must lie between 0 and 1, not 1.5\n"
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"severity": "ERROR", "message": "configuration error: THRESHOLD must lie between 0 and 1, not 1.5"}]
