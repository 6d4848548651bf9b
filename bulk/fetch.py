"""The artifact a run scores with, as a verified local folder: a folder as is, gs:// downloaded once.

The launcher calls it to refuse a bad model before any worker starts; each worker calls it again.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from function import artifact, store

CACHE_DIR = Path(os.environ.get("MODEL_CACHE_DIR", Path(tempfile.gettempdir()) / "bulk-model-cache"))


def local_artifact(uri: str, cache_dir: Path = CACHE_DIR) -> artifact.Artifact:
    """The verified artifact at `uri` (a folder or gs://), downloaded once per machine.

    A Dataflow VM runs one worker process per core; the lock keeps them from downloading the
    same artifact into the same cache folder at once.
    """
    if not uri.startswith("gs://"):
        return artifact.read(Path(uri))
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return artifact.read(store.fetch(uri, cache_dir))
