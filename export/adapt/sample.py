"""The customer's labelled sample: DIR/legit/ and DIR/scam/, one message per file (.eml, .txt or
no suffix) or .mbox files, read into the text the model sees and checked before anything is fitted.

Every problem is an AdaptError with a one-line message naming a file, never a message's text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import mailbox
import random
from dataclasses import dataclass
from pathlib import Path

from export.adapt.errors import AdaptError
from function.mail import clean, message_text

LABELS = {"legit": 0, "scam": 1}
MESSAGE_SUFFIXES = {".eml", ".txt", ""}
MIN_PER_CLASS = 10  # fewer cannot be cross-validated (5 folds, both labels in each)
MAX_DUPLICATE_SHARE = 0.5  # more copies than this: "mostly duplicates"
MAX_MESSAGES = 3000  # used at most (a random part of each label): the fit's Gram matrix grows as n^2


@dataclass(frozen=True)
class Sample:
    texts: list[str]  # unique, non-empty model texts
    labels: list[int]  # 1 = scam
    sha256: str  # of every file read, in path order, with its relative path
    read: dict[str, int]  # messages read per label, before dropping
    duplicates: int  # exact copies (same model text) dropped
    empty: int  # messages without text (an image, an attachment only) dropped
    unused: int = 0  # distinct messages left out beyond MAX_MESSAGES

    def counts(self) -> dict[str, int]:
        return {name: sum(1 for y in self.labels if y == label) for name, label in LABELS.items()}


def _single(path: Path, raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise AdaptError(f"{path} is not a text message (binary content): remove it or export it as .eml")
    if path.suffix.lower() == ".eml":
        return message_text(raw)
    return clean(raw.decode("utf-8", "replace"))  # a pasted message with headers is parsed as one


def _mbox(path: Path) -> list[str]:
    try:
        texts = [message_text(m.as_bytes()) for m in mailbox.mbox(str(path), create=False)]
    except Exception as error:  # mailbox raises whatever its parser meets
        raise AdaptError(f"{path} is not a readable mbox file ({type(error).__name__})") from None
    if not texts and path.stat().st_size:
        raise AdaptError(f"{path} holds no message: an mbox file starts with a 'From ' line")
    return texts


def _files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    for path in files:
        if path.suffix.lower() not in MESSAGE_SUFFIXES | {".mbox"}:
            raise AdaptError(f"{path}: unsupported file (one message per .eml, .txt or suffix-less file, "
                              "or .mbox files)")
    return files


def read(root: Path) -> Sample:
    """Reads, deduplicates and checks the sample; raises AdaptError on anything unusable."""
    if not root.is_dir():
        raise AdaptError(f"{root}: no such folder (it should hold legit/ and scam/)")
    digest = hashlib.sha256()
    texts, labels, read_counts, empty = [], [], {}, 0
    for name, label in LABELS.items():
        folder = root / name
        if not folder.is_dir():
            raise AdaptError(f"{root} has no {name}/ folder (it should hold legit/ and scam/)")
        count = 0
        for path in _files(folder):
            try:
                raw = path.read_bytes()
            except OSError as error:
                raise AdaptError(f"{path} is unreadable: {error.strerror}") from None
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + raw)
            found = _mbox(path) if path.suffix.lower() == ".mbox" else [_single(path, raw)]
            count += len(found)
            for text in found:
                if text.strip():
                    texts.append(text)
                    labels.append(label)
                else:
                    empty += 1
        if count == 0:
            raise AdaptError(f"{folder} is empty: both legit/ and scam/ need messages")
        read_counts[name] = count
    unique, kept_labels, seen = [], [], set()
    for text, label in zip(texts, labels, strict=True):
        if text not in seen:
            seen.add(text)
            unique.append(text)
            kept_labels.append(label)
    total = sum(read_counts.values())
    duplicates = len(texts) - len(unique)
    if duplicates > MAX_DUPLICATE_SHARE * total:
        raise AdaptError(f"the sample is mostly duplicates: {duplicates} of {total} messages repeat another; "
                          "export each message once")
    sample = _at_most(Sample(unique, kept_labels, digest.hexdigest(), read_counts, duplicates, empty),
                      MAX_MESSAGES)
    for name, n in sample.counts().items():
        if n < MIN_PER_CLASS:
            raise AdaptError(f"{root}/{name}/ has {n} distinct messages with text; at least {MIN_PER_CLASS} "
                              "are needed")
    return sample


def _at_most(sample: Sample, limit: int) -> Sample:
    """The sample, or a random `limit` of its messages (a fixed seed: the same sample, the same part)."""
    if len(sample.texts) <= limit:
        return sample
    rng = random.Random(13)
    keep = sorted(rng.sample(range(len(sample.texts)), limit))
    labels = [sample.labels[i] for i in keep]
    return dataclasses.replace(sample, texts=[sample.texts[i] for i in keep], labels=labels,
                               unused=len(sample.texts) - limit)
