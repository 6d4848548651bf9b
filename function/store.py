"""Where an artifact comes from: a local folder, or gs://bucket/prefix/ via Cloud Storage.

A gs:// artifact is downloaded into a fresh temporary folder beside the cache, verified
(sha256 of every file), and only then renamed into place, so a cut-off or corrupted
download is never served and never left behind as if it were whole.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from function import artifact

TIMEOUT_SECONDS = 30.0


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


def _download(uri: str, target: Path) -> None:
    bucket_name, prefix = _split(uri)
    try:
        bucket = _client().bucket(bucket_name)
        meta_blob = bucket.blob(f"{prefix}/{artifact.METADATA}".lstrip("/"))
        meta_blob.download_to_filename(target / artifact.METADATA, timeout=TIMEOUT_SECONDS)
        meta = artifact.read(target, verify=False).meta
        for name in meta["sha256"]:
            blob = bucket.blob(f"{prefix}/{name}".lstrip("/"))
            blob.download_to_filename(target / name, timeout=TIMEOUT_SECONDS)
    except artifact.ArtifactError:
        raise
    except Exception as error:  # API, transport (requests, urllib3) and disk errors alike
        raise StoreError(f"cannot download {uri}: {type(error).__name__}: {error}") from None


def fetch(uri: str, cache_dir: Path) -> Path:
    """A verified local folder holding the artifact at `uri`."""
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
        _download(uri, temp)
        artifact.read(temp)  # raises on a partial or corrupted download
        temp.rename(final)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return final
