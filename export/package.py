"""Writes the artifact folder: model.onnx, tokenizer.json, model.json.

Written into a temporary folder first and renamed into place, so a failed export never
leaves a half-written artifact where the function would load it. The same model gives
byte-identical model.onnx and tokenizer.json, so a rebuild that changes nothing adds no
new binary to git.

    .venv/bin/python -m export.package model/ model-minilm/   # re-seal model.json after an edit

re-seals each artifact's model.json (function.artifact: its checksum and canaries) without
retraining or touching the other files, once the canaries still score as written.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from tokenizers import Tokenizer

from function import artifact

GRAPH, TOKENIZER = "model.onnx", "tokenizer.json"
# Texts whose scores model.json records: the function checks them at load, so an artifact whose
# files or label order got mixed up is refused instead of answering the opposite.
CANARY_TEXTS = [
    "Some text that I want to send to your model.",
    "USPS: your parcel is on hold, a $1.99 redelivery fee is due. Pay at usps-redeliver.com/x",
    "Your verification code is 482913. It expires in 10 minutes. Don't share it with anyone.",
    "Dear friend, I am a banker and need your help to move $15,000,000. You keep 30 percent.",
]


def stage(graph: bytes, tokenizer: Tokenizer, meta: dict, parent: Path,
          extras: dict[str, bytes] | None = None) -> Path:
    """A complete artifact in a new temporary folder under `parent`; `extras` are more files
    (named in model.json's `files` by their stem, checksummed like the rest)."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".staging-", dir=parent))
    folder.chmod(0o755)  # mkdtemp makes it private; the served model must be readable
    (folder / GRAPH).write_bytes(graph)
    tokenizer.save(str(folder / TOKENIZER))
    files = {"graph": GRAPH, "tokenizer": TOKENIZER}
    for name, data in (extras or {}).items():
        (folder / name).write_bytes(data)
        files[Path(name).stem] = name
    meta = dict(meta, files=files)
    meta["version"] = artifact.sha256(folder / GRAPH)[:12]
    artifact.write_metadata(folder, meta)
    # the canaries the function requires, as this very graph scores them
    artifact.write_metadata(folder, dict(meta, canaries=canaries(loaded(folder))))
    return folder


def loaded(folder: Path, meta: dict | None = None):
    """The artifact in `folder` as the function loads it (its canaries checked), seal or no seal."""
    from function.model import Model

    meta = meta or json.loads((folder / artifact.METADATA).read_text(encoding="utf-8"))
    return Model(artifact.Artifact(folder, meta), threads=1)


def restage(staged: Path, meta: dict) -> None:
    """Rewrites a staged artifact's model.json (e.g. to add the metrics of its gates)."""
    artifact.write_metadata(staged, meta)


def canaries(model) -> list[dict]:
    """The canary texts, as the model sees them, with the scores `model` (a loaded
    function.model.Model) gives them."""
    from function.mail import clean

    texts = [clean(t) for t in CANARY_TEXTS]
    return [{"text": t, "score": round(float(s), 6)} for t, s in zip(texts, model.scores(texts), strict=True)]


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)


def publish(staged: Path, target: Path) -> None:
    """Replaces `target` with the staged artifact."""
    if target.exists():
        shutil.rmtree(target)
    staged.rename(target)


def reseal(folder: Path) -> None:
    """Seals `folder`'s model.json as it stands, once its canaries score as written."""
    meta = json.loads((folder / artifact.METADATA).read_text(encoding="utf-8"))
    if not meta.get("canaries"):
        raise artifact.ArtifactError(f"{folder / artifact.METADATA} has no canaries: export it again")
    loaded(folder, meta)  # raises if a canary scores otherwise (labels swapped, another graph)
    artifact.write_metadata(folder, meta)
    artifact.read(folder)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        reseal(Path(name))
        print(f"sealed {Path(name) / artifact.METADATA}")
