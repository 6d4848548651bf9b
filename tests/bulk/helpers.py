"""Running `python -m bulk` in its own venv (bulk/bulk.mk) and reading what it wrote; what the same
messages look like as requests to the function, built here without bulk's own readers."""

from __future__ import annotations

import csv
import functools
import json
import mailbox
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "bulk"
BULK_PYTHON = ROOT / ".cache" / "venv-bulk" / "bin" / "python"
TIMEOUT = 300  # seconds for one run: a stalled pipeline fails the test instead of hanging it

# What the fixture archive holds: 20 items read, 7 of them dead letters.
READ, DEAD = 20, {"empty": 3, "invalid_json": 2, "invalid_text": 1, "no_text": 1}


@functools.cache
def make_venv() -> Path:
    """The Beam venv, made or brought up to date by its make target (once per test session)."""
    subprocess.run(["make", "--no-print-directory", "-s", "-f", "bulk/bulk.mk", "bulk-venv"], cwd=ROOT,
                   check=True)
    return BULK_PYTHON


def build_wheel(folder: Path) -> Path:
    """bulk.package's wheel for Dataflow workers, built in the Beam venv into a new `folder`."""
    make_venv()
    folder.mkdir()
    build = "import sys, pathlib; from bulk import package; print(package.wheel(pathlib.Path(sys.argv[1])))"
    done = subprocess.run([str(BULK_PYTHON), "-c", build, str(folder)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return Path(done.stdout.strip())


@dataclass
class Run:
    code: int
    stderr: str
    scores: list[dict]
    dead: list[dict]
    counts: dict


def run(output: Path | str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m bulk ARGS --output OUTPUT` in the Beam venv, from the repository."""
    make_venv()
    return subprocess.run([str(BULK_PYTHON), "-m", "bulk", *args, "--output", str(output), "--no-progress"],
                          cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=TIMEOUT)


def read_run(done: subprocess.CompletedProcess, folder: Path, name: str = "scores") -> Run:
    """The three files of a finished run in `folder`."""
    scores_path = next(p for p in (folder / f"{name}.jsonl", folder / f"{name}.csv") if p.exists())
    if scores_path.suffix == ".csv":
        with scores_path.open(newline="") as handle:
            scores = [dict(row, score=float(row["score"]), prediction=row["prediction"] == "True")
                      for row in csv.DictReader(handle)]
    else:
        scores = [json.loads(line) for line in scores_path.read_text().splitlines()]
    dead = [json.loads(line) for line in (folder / f"{name}.dead.jsonl").read_text().splitlines()]
    counts = json.loads((folder / f"{name}.counts.json").read_text())
    return Run(done.returncode, done.stderr, scores, dead, counts)


def requests(prefix: str) -> dict[str, tuple[str, bytes]]:
    """id -> (content type, body) of the request that gives the function the same message.

    Raw messages go as message/rfc822, text columns as JSON {"text": ...}; the mbox is split by
    Python's mailbox module, not by bulk's reader. `prefix` is how the run named the fixture folder.
    """
    found: dict[str, tuple[str, bytes]] = {}
    box = mailbox.mbox(FIXTURES / "archive.mbox", create=False)
    for index, key in enumerate(box.keys()):
        found[f"{prefix}/archive.mbox#{index}"] = ("message/rfc822", box.get_bytes(key))
    for path in sorted((FIXTURES / "eml").glob("[!.]*")):  # hidden files are not messages
        found[f"{prefix}/eml/{path.name}"] = ("message/rfc822", path.read_bytes())
    with (FIXTURES / "rows.csv").open(newline="") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            found[row["id"] or f"{prefix}/rows.csv#{index}"] = ("application/json", _text(row["text"]))
    lines = [line for line in (FIXTURES / "rows.jsonl").read_text().splitlines() if line.strip()]
    for index, line in enumerate(lines):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("text"), str):
            id_ = record.get("id") or f"{prefix}/rows.jsonl#{index}"
            found[id_] = ("application/json", _text(record["text"]))
    return found


def client(emulator: str):
    """A Cloud Storage client for the emulator at `emulator`."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    return storage.Client(project="test", credentials=AnonymousCredentials(),
                          client_options={"api_endpoint": emulator})


def upload(client, bucket_name: str, folder: Path, prefix: str) -> None:
    """Every file under `folder` to gs://bucket_name/prefix/ (the bucket made if need be)."""
    bucket = client.lookup_bucket(bucket_name) or client.create_bucket(bucket_name)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            # As bytes: the emulator's multipart parser drops the connection on a message/rfc822 body.
            bucket.blob(f"{prefix}/{path.relative_to(folder).as_posix()}").upload_from_filename(
                str(path), content_type="application/octet-stream", timeout=10)


def _text(text: str) -> bytes:
    return json.dumps({"text": text}).encode()
