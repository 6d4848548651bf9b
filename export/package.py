"""Writes the artifact folder: model.onnx, tokenizer.json, model.json.

Written into a temporary folder first and renamed into place, so a failed export never
leaves a half-written artifact where the function would load it. The same model gives
byte-identical model.onnx and tokenizer.json, so a rebuild that changes nothing adds no
new binary to git.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tokenizers import Tokenizer

from function import artifact

GRAPH, TOKENIZER = "model.onnx", "tokenizer.json"


def stage(graph: bytes, tokenizer: Tokenizer, meta: dict, parent: Path) -> Path:
    """A complete artifact in a new temporary folder under `parent`."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=parent))
    folder.chmod(0o755)  # mkdtemp makes it private; the served model must be readable
    (folder / GRAPH).write_bytes(graph)
    tokenizer.save(str(folder / TOKENIZER))
    meta = dict(meta, files={"graph": GRAPH, "tokenizer": TOKENIZER})
    meta["version"] = artifact.sha256(folder / GRAPH)[:12]
    artifact.write_metadata(folder, meta)
    return folder


def restage(staged: Path, meta: dict) -> None:
    """Rewrites a staged artifact's model.json (e.g. to add the metrics of its gates)."""
    artifact.write_metadata(staged, meta)


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)


def publish(staged: Path, target: Path) -> None:
    """Replaces `target` with the staged artifact."""
    if target.exists():
        shutil.rmtree(target)
    staged.rename(target)
