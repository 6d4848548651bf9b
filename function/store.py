"""Where an artifact comes from: a local folder, or gs://bucket/prefix/ via Cloud Storage.

A gs:// artifact is downloaded into a fresh temporary folder beside the cache, verified
(sha256 of every file), and only then renamed into place, so a cut-off or corrupted
download is never served and never left behind as if it were whole.

Transient failures (connection errors, timeouts, 429 and 5xx answers) are retried with
exponential backoff, all within one time budget per load (settings: MODEL_FETCH_TIMEOUT):
a cold request waits at most that long, then gets a 503 and a later request tries again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from function import artifact

CONNECT_SECONDS = 5.0


class StoreError(RuntimeError):
    """The artifact could not be fetched."""


def _split(uri: str) -> tuple[str, str]:
    bucket, _, prefix = uri.removeprefix("gs://").partition("/")
    if not bucket:
        raise StoreError(f"{uri!r} names no bucket")
    return bucket, prefix.strip("/")


def _client():
    # Imported only when a gs:// model is used: the bundled model never pays for it.
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    if os.environ.get("STORAGE_EMULATOR_HOST"):
        return storage.Client(project="emulator", credentials=AnonymousCredentials())
    return storage.Client()


def _describe(error: Exception, budget: float) -> str:
    """A short reason for an API, transport or credentials error, in this module's words: the
    libraries' own text names hosts, ports and URLs, and gives advice for another setting."""
    from google.api_core import exceptions

    if isinstance(error, exceptions.RetryError):
        cause = error.cause if isinstance(error.cause, Exception) else error
        return f"no success within MODEL_FETCH_TIMEOUT={budget:g}s: {_describe(cause, budget)}"
    if isinstance(error, exceptions.NotFound):
        return "not found (check the bucket and prefix)"
    if isinstance(error, exceptions.Forbidden):
        return "access denied (the service account needs roles/storage.objectViewer)"
    if isinstance(error, exceptions.GoogleAPICallError) and error.code:
        return f"HTTP {error.code} {type(error).__name__}"
    status = getattr(getattr(error, "response", None), "status_code", None)  # resumable-media's errors
    if status:
        return f"HTTP {status}"
    return _transport_reason(error)


def _transport_reason(error: Exception) -> str:
    import http.client

    import requests
    import urllib3
    from google.auth import exceptions as auth

    chain = _chain(error)
    if isinstance(error, auth.DefaultCredentialsError):
        return "no Google credentials (attach a service account, or set GOOGLE_APPLICATION_CREDENTIALS)"
    if isinstance(error, auth.RefreshError):
        return "the credentials were refused"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, http.client.IncompleteRead | requests.exceptions.ChunkedEncodingError
                      | urllib3.exceptions.ProtocolError) for e in chain):
        return "the download was cut off"
    if any(isinstance(e, urllib3.exceptions.NewConnectionError) for e in chain):  # a timeout to urllib3
        return "cannot connect to Cloud Storage"
    if any(isinstance(e, requests.Timeout | TimeoutError | urllib3.exceptions.TimeoutError) for e in chain):
        return "Cloud Storage did not answer in time"
    if any(isinstance(e, requests.ConnectionError | ConnectionError | auth.TransportError) for e in chain):
        return "cannot connect to Cloud Storage"
    return f"unexpected {type(error).__name__}"


def _chain(error: BaseException, depth: int = 12) -> list[BaseException]:
    """The error and what caused it: requests wraps urllib3, which wraps the socket's error."""
    found: list[BaseException] = []
    pending = [error]
    while pending and len(found) < depth:
        current = pending.pop(0)
        if current in found:
            continue
        found.append(current)
        pending += [e for e in (current.__cause__, current.__context__, getattr(current, "reason", None),
                                *getattr(current, "args", ())) if isinstance(e, BaseException)]
    return found


def _download(uri: str, target: Path, budget: float) -> None:
    from google.cloud.storage.retry import DEFAULT_RETRY

    bucket_name, prefix = _split(uri)
    deadline = time.monotonic() + budget
    backoff = DEFAULT_RETRY.with_delay(initial=0.25, multiplier=2.0, maximum=4.0)
    try:
        bucket = _client().bucket(bucket_name)
    except Exception as error:  # no credentials, a malformed STORAGE_EMULATOR_HOST
        raise StoreError(f"cannot reach Cloud Storage for {uri}: {_describe(error, budget)}") from None

    def download(name: str) -> None:
        remaining = max(0.1, deadline - time.monotonic())  # one budget for all files and retries
        try:
            bucket.blob(f"{prefix}/{name}".lstrip("/")).download_to_filename(
                target / name, timeout=(min(CONNECT_SECONDS, remaining), remaining),
                retry=backoff.with_timeout(remaining),
            )
        except Exception as error:  # API, transport (requests, urllib3) and disk errors alike
            if isinstance(error, OSError) and not _is_transport(error):
                raise StoreError(f"cannot write the model cache {target.parent}: {error}") from None
            where = f"{uri.rstrip('/')}/{name}"
            raise StoreError(f"cannot download {where}: {_describe(error, budget)}") from None

    download(artifact.METADATA)
    for name in artifact.read(target, verify=False).meta["sha256"]:
        if Path(name).name != name or name in ("", ".", ".."):
            raise artifact.ArtifactError(f"{uri} {artifact.METADATA} names a file outside it: {name!r}")
        download(name)


def _is_transport(error: OSError) -> bool:
    """Network errors are OSErrors too; a full or read-only disk is not one of them."""
    import requests

    return isinstance(error, ConnectionError | TimeoutError | requests.RequestException)


def fetch(uri: str, cache_dir: Path, budget: float = 60.0) -> Path:
    """A verified local folder holding the artifact at `uri`, fetched within `budget` seconds."""
    if not uri.startswith("gs://"):
        return Path(uri)
    final = cache_dir / hashlib.sha256(uri.encode()).hexdigest()[:16]
    if final.is_dir():
        try:
            artifact.read(final)
            return final
        except artifact.ArtifactError:
            shutil.rmtree(final, ignore_errors=True)  # a stale or damaged copy: fetch anew
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=".download-", dir=cache_dir))
    except OSError as error:
        raise StoreError(f"cannot write the model cache {cache_dir}: {error}") from None
    try:
        _download(uri, temp, budget)
        try:
            artifact.read(temp)  # raises on a partial or corrupted download
        except artifact.ArtifactError as error:  # named by where it came from, not the temp folder
            raise artifact.ArtifactError(str(error).replace(f"{temp}/", uri.rstrip("/") + "/")) from None
        temp.rename(final)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return final
