"""The artifact: a folder with model.onnx, tokenizer.json and model.json describing both.

model.json is the contract between export and serving. Serving reads everything
model-specific from it (graph input names, tokenizer settings, labels, threshold), so any
artifact that follows the schema drops in by configuration alone.

Its `sha256` must name every file of `files`: an artifact whose checksums leave a file out is
refused, not served unchecked. Its `canaries`, `[{"text": str, "score": float}, ...]` (at least
one), are texts with the scam score the exported model gave them (`Model.scores` of the text as
it is, already cleaned): the loaded model must give the same within CANARY_TOLERANCE, which
catches swapped labels, another tokenizer or graph, or a different runtime's answers.

model.json itself is sealed: its `metadata_sha256` is the sha256 of the rest of it as canonical
JSON (keys sorted, no spaces, ASCII), so an edit after export (labels swapped, canaries deleted,
a threshold changed) is refused rather than served under the same version. A deliberate edit is
re-sealed with `python -m export.package DIR`, which first checks the canaries still hold.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from function import contract
from function.contract import in_threshold_range

METADATA = "model.json"
SCHEMA = 1
# The model features serving can feed to graph inputs (see model.json "inputs").
FEATURES = ("input_ids", "attention_mask", "token_type_ids")
REQUIRED = ("name", "version", "labels", "positive_label", "threshold", "inputs", "output",
            "tokenizer", "files", "sha256", "canaries")
SEAL = "metadata_sha256"
CANARY_TOLERANCE = 1e-3
_HEX_DIGEST_RE = re.compile(r"[0-9a-f]{64}")


class ArtifactError(RuntimeError):
    """The artifact is missing, incomplete, corrupted or inconsistent."""


def sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def check(root: Path, file: str, expected: str) -> None:
    """ArtifactError unless `root / file` exists and has the sha256 model.json gives it."""
    if not (root / file).is_file():
        raise ArtifactError(f"{root / file} is missing")
    if sha256(root / file) != expected:
        raise ArtifactError(f"{root / file} does not match its sha256 in {METADATA}")


@dataclass(frozen=True)
class Artifact:
    root: Path
    meta: dict

    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def version(self) -> str:
        return self.meta["version"]

    @property
    def graph(self) -> Path:
        return self.root / self.meta["files"]["graph"]

    @property
    def tokenizer(self) -> Path:
        return self.root / self.meta["files"]["tokenizer"]

    @property
    def positive_index(self) -> int:
        return self.meta["labels"].index(self.meta["positive_label"])


def _strings(value: object) -> bool:
    """A JSON object of strings to strings."""
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _probability(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


def _validate_files(meta: dict, where: Path) -> None:
    for key in ("graph", "tokenizer"):
        if key not in meta["files"]:
            raise ArtifactError(f"{where}: files lacks {key!r}")
    unchecked = sorted(set(meta["files"].values()) - set(meta["sha256"]))
    if unchecked:
        raise ArtifactError(f"{where}: sha256 does not cover {', '.join(unchecked)}")
    malformed = sorted(name for name, digest in meta["sha256"].items()
                       if not _HEX_DIGEST_RE.fullmatch(digest))
    if malformed:
        raise ArtifactError(f"{where}: the sha256 of {', '.join(malformed)} is not 64 hex digits")


def _validate_canaries(canaries: object, where: Path) -> None:
    if not (isinstance(canaries, list) and canaries and all(
            isinstance(c, dict) and isinstance(c.get("text"), str) and _probability(c.get("score"))
            for c in canaries)):
        raise ArtifactError(f'{where}: canaries must be a list of at least one '
                            f'{{"text": string, "score": 0..1}}')


def _validate(meta: dict, where: Path) -> None:
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise ArtifactError(f"{where} lacks {', '.join(missing)}")
    if meta.get("schema", SCHEMA) != SCHEMA:
        raise ArtifactError(f"{where} has schema {meta['schema']!r}, this function reads {SCHEMA}")
    for key in ("name", "version", "positive_label", "output"):
        if not isinstance(meta[key], str):
            raise ArtifactError(f"{where}: {key} must be a string, not {meta[key]!r}")
    labels = meta["labels"]
    if not isinstance(labels, list) or len(labels) != 2 or not all(isinstance(x, str) for x in labels):
        raise ArtifactError(f"{where}: labels must be a list of two strings, not {labels!r}")
    if meta["positive_label"] not in labels:
        raise ArtifactError(f"{where}: positive_label {meta['positive_label']!r} not in labels")
    threshold = meta["threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) \
            or not in_threshold_range(threshold):
        raise ArtifactError(f"{where}: threshold must be a number between 0 and 1, not {threshold!r}")
    for key in ("inputs", "files", "sha256"):
        if not _strings(meta[key]):
            raise ArtifactError(f"{where}: {key} must be an object of strings, not {meta[key]!r}")
    unknown = set(meta["inputs"]) - set(FEATURES)
    if unknown:
        raise ArtifactError(f"{where}: inputs name unknown features {sorted(unknown)}")
    _validate_files(meta, where)
    _validate_canaries(meta["canaries"], where)
    tokenizer = meta["tokenizer"]
    counts = [tokenizer.get(k) for k in ("max_tokens", "head_tokens", "pad_id")] if isinstance(
        tokenizer, dict) else []
    if not (len(counts) == 3 and all(_whole(n) for n in counts) and 0 <= counts[1] <= counts[0]
            and counts[0] >= 1 and counts[2] >= 0):
        raise ArtifactError(f"{where}: tokenizer needs whole numbers max_tokens >= head_tokens >= 0 "
                            f"and pad_id >= 0, not {tokenizer!r}")


def read(root: Path, verify: bool = True) -> Artifact:
    """Reads and validates model.json; with `verify`, checks every file's sha256."""
    path = root / METADATA
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"no {METADATA} in {root}") from None
    except (OSError, ValueError) as error:
        raise ArtifactError(f"{path} is unreadable: {error}") from None
    if not isinstance(meta, dict):
        raise ArtifactError(f"{path} is not a JSON object")
    _check_seal(meta, path)
    _validate(meta, path)
    if verify:
        # The explanation tables are checked where they are read, on the first explained request:
        # hashing them here was half a cold start's hashing for an answer that does not need them.
        later = meta["files"].get("explain")
        for file, expected in meta["sha256"].items():
            if file != later:
                check(root, file, expected)
    return Artifact(root, meta)


def _seal_of(meta: dict) -> str:
    rest = {key: value for key, value in meta.items() if key != SEAL}
    return hashlib.sha256(json.dumps(rest, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def sealed(meta: dict) -> dict:
    """`meta` with its seal: the sha256 of the rest of it as canonical JSON."""
    return dict(meta, **{SEAL: _seal_of(meta)})


def _check_seal(meta: dict, path: Path) -> None:
    hint = "re-seal a deliberate edit with `python -m export.package <folder>`"
    if SEAL not in meta:
        raise ArtifactError(f"{path} is not sealed (no {SEAL}): {hint}")
    if meta[SEAL] != _seal_of(meta):
        raise ArtifactError(f"{path} does not match its {SEAL}: edited after export? {hint}")


def write_metadata(root: Path, meta: dict) -> Path:
    """Writes model.json with the sha256 of every file it names, sealed; keys sorted, stable."""
    meta = dict(meta, schema=SCHEMA)
    meta["sha256"] = {name: sha256(root / name) for name in sorted(meta["files"].values())}
    meta = sealed(meta)
    path = root / METADATA
    path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def uncertain_band(value: object, threshold: float) -> tuple[float, float]:
    """model.json's optional "uncertain": [lo, hi] with 0 <= lo <= threshold <= hi <= 1."""
    if value is None:
        half = contract.UNCERTAIN_HALF_WIDTH
        return max(0.0, threshold - half), min(1.0, threshold + half)
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            or not 0 <= value[0] <= threshold <= value[1] <= 1):
        raise ArtifactError(f"model.json: uncertain must be [lo, hi] with 0 <= lo <= threshold "
                            f"({threshold}) <= hi <= 1, not {str(value)[:80]}")
    return float(value[0]), float(value[1])
