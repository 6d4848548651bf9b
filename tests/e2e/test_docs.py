"""The docs, checked against the product: `make run` as README.md describes it, and every example.

Every ```console block of the checked pages (`$ command` lines, each followed by the output it
shows) is run by bash in the project root, with `localhost:8080` pointed at a real server on
127.0.0.1 serving the committed model, and compared with what it printed (stdout and stderr, as a
terminal shows them): JSON by shape exactly and numbers to two decimals, anything else line by line.
A changed model, API or deploy.sh then fails here instead of leaving the docs wrong.

`make run` is started for real (a process group, stopped after each test); a bad environment value
must stop it with one clear line and one JSON log line, never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT, call, free_port, start_server

VENV = Path(sys.executable).parent.parent
CHECKED = ("README.md", "docs/deploy.md", "docs/use.md")
DOCUMENTED_URL = "localhost:8080"
BLOCK = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)
# Variables deploy.sh reads: the tests' own environment must not leak into the examples.
READ_BY_DEPLOY = re.compile(r"DEPLOY_\w+|GOOGLE_CLOUD_PROJECT|CLOUDSDK_\w+|MODEL_URI|MAX_BODY_BYTES|"
                            r"MAX_BATCH|THRESHOLD")


@dataclass(frozen=True)
class Example:
    where: str  # page:line, for the test id
    command: str
    output: str


def examples(page: str) -> list[Example]:
    """The `$ command` + output pairs of a page's ```console blocks (a trailing backslash continues)."""
    text = (ROOT / page).read_text()
    found: list[Example] = []
    for block in BLOCK.finditer(text):
        line_number = text.count("\n", 0, block.start()) + 2
        command: list[str] = []
        output: list[str] = []
        start = line_number
        for offset, line in enumerate(block.group(1).splitlines()):
            if line.startswith("$ ") or (command and command[-1].endswith("\\") and not output):
                if line.startswith("$ ") and command:
                    found.append(Example(f"{page}:{start}", "\n".join(command), "\n".join(output)))
                    command, output, start = [], [], line_number + offset
                command.append(line.removeprefix("$ "))
            else:
                output.append(line)
        if command:
            found.append(Example(f"{page}:{start}", "\n".join(command), "\n".join(output)))
    return found


def rounded(value: object) -> object:
    """JSON with every number to two decimals: the shape stays exact, scores may move in the third."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return round(float(value), 2)
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return {key: rounded(item) for key, item in value.items()}


def as_json(text: str) -> object | None:
    try:
        return json.loads(text)
    except ValueError:
        return None


@pytest.fixture(scope="module")
def documented_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_server(tmp_path_factory.mktemp("docs"))
    yield server.url.removeprefix("http://")
    server.stop()


def in_a_terminal(command: str, env: dict) -> str:
    """What a terminal shows for the command: stdout and stderr on a pseudo-terminal, as the reader
    sees them (curl, for one, prints no progress meter there)."""
    main, side = os.openpty()
    with subprocess.Popen(["bash", "-c", command], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                          stdout=side, stderr=side) as process:
        os.close(side)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the command and everything it started are gone
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(60)
    os.close(main)
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.parametrize("example", [e for page in CHECKED for e in examples(page)], ids=lambda e: e.where)
def test_documented_example_prints_what_the_docs_show(example: Example, documented_server: str):
    env = {k: v for k, v in os.environ.items() if not READ_BY_DEPLOY.fullmatch(k)}
    printed = in_a_terminal(example.command.replace(DOCUMENTED_URL, documented_server), env).strip()
    shown = example.output.strip()
    if as_json(shown) is not None:
        assert rounded(as_json(printed)) == rounded(as_json(shown)), f"{example.where}: {printed}"
    else:
        assert [line.rstrip() for line in printed.splitlines()] == \
            [line.rstrip() for line in shown.splitlines()], example.where


def test_the_checked_pages_have_examples_with_outputs():
    for page in CHECKED:
        found = examples(page)
        assert found and all(example.output for example in found), page


def test_the_parser_splits_commands_continuations_and_outputs(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("text\n```console\n$ echo a \\\n  b\na b\n$ true\n$ printf '1\\n2'\n1\n2\n```\n")
    found = examples(str(page))  # an absolute path: ROOT / page is the page itself
    assert [(e.command, e.output) for e in found] == [
        ("echo a \\\n  b", "a b"), ("true", ""), ("printf '1\\n2'", "1\n2")]
    assert [e.where.rsplit(":", 1)[1] for e in found] == ["3", "6", "7"]


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
