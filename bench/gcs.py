"""The model from Cloud Storage: a real emulator (gcp-storage-emulator) on 127.0.0.1, on the client core."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench.servers import BIN, CLIENT, free_port

BUCKET = "bench-models"


@contextlib.contextmanager
def emulator(prefix: tuple[str, ...] = tuple(CLIENT)) -> Iterator[str]:
    """A fresh in-memory emulator; yields its URL (what STORAGE_EMULATOR_HOST takes).

    `prefix` runs it on the bench's client core; the tests pass () to run it anywhere."""
    port = free_port()
    process = subprocess.Popen(
        [*prefix, str(BIN / "gcp-storage-emulator"), "start", "--host", "127.0.0.1", "--port", str(port),
         "--in-memory", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gcp-storage-emulator did not start on port {port}") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def upload(url: str, folder: Path, prefix: str) -> str:
    """Copies the artifact's files to gs://BUCKET/prefix/ on the emulator; returns that URI."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(project="bench", credentials=AnonymousCredentials(),
                            client_options={"api_endpoint": url})
    bucket = client.bucket(BUCKET)
    if not bucket.exists():
        bucket = client.create_bucket(BUCKET)
    for file in sorted(folder.iterdir()):
        if file.is_file():
            bucket.blob(f"{prefix}/{file.name}").upload_from_filename(str(file))
    return f"gs://{BUCKET}/{prefix}/"


def download_seconds(url: str, uri: str, cache: Path) -> float:
    """One download of `uri` into an empty cache by the function's own store.fetch, verified."""
    from function import store

    before = os.environ.get("STORAGE_EMULATOR_HOST")
    os.environ["STORAGE_EMULATOR_HOST"] = url
    try:
        started = time.perf_counter()
        store.fetch(uri, cache)
        return time.perf_counter() - started
    finally:
        if before is None:
            del os.environ["STORAGE_EMULATOR_HOST"]
        else:
            os.environ["STORAGE_EMULATOR_HOST"] = before
