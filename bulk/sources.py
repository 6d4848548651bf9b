"""Archives -> messages: mbox files, single .eml/.txt messages, CSV and JSONL files with a text column.

Everything here reads a binary stream and yields `Message`s, or `DeadLetter`s for what cannot be
read, so a bad row or a damaged file never stops a run and is never lost. Beam opens the files
(local or gs://, compressed or not); these generators know nothing of Beam.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import json
import lzma
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

MAX_MESSAGE_BYTES = 32 << 20  # one message past this is dead-lettered, not held in memory
CSV_FIELD_CHARS = 64 << 20  # csv's default (128 KiB) is shorter than many real e-mails
# Decompressed here rather than by Beam, whose readers take a cut-off stream for a whole one.
COMPRESSION = {".gz": lambda raw: gzip.GzipFile(fileobj=raw), ".bz2": bz2.BZ2File, ".xz": lzma.LZMAFile,
               ".lzma": lzma.LZMAFile}


@dataclass(frozen=True)
class Columns:
    """Which CSV columns (or JSONL fields) hold the text and the id."""

    text: str = "text"
    id: str = "id"


@dataclass(frozen=True)
class Message:
    """One message read: a raw RFC 822 message (`raw`) or a text column (`text`), never both."""

    id: str
    raw: bytes | None = None
    text: str | None = None


@dataclass(frozen=True)
class DeadLetter:
    """Something that could not be scored: where it is and why."""

    id: str
    reason: str  # a short code: unreadable, too_large, not_utf8, invalid_json, no_text, empty, ...
    detail: str

    def to_json(self) -> str:
        return json.dumps({"id": self.id, "reason": self.reason, "detail": self.detail}, ensure_ascii=False)


FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".mbox": "mbox", ".mbx": "mbox",
           ".eml": "message", ".txt": "message", "": "message"}  # no suffix: MH folders


def file_format(path: str) -> str | None:
    """mbox, csv, jsonl or message from the file name (a compression suffix aside); None if unknown."""
    name = path.lower().rpartition("/")[2]
    for suffix in COMPRESSION:
        name = name.removesuffix(suffix)
    stem, dot, suffix = name.rpartition(".")
    return FORMATS.get(dot + suffix if stem else "")


def read(path: str, handle: BinaryIO, columns: Columns = Columns()) -> Iterator[Message | DeadLetter]:
    """Every message in one file (decompressed by its suffix). A read error, such as a compressed file
    cut off, ends the file with one dead letter for the rest."""
    readers = {"mbox": _mbox, "csv": _csv, "jsonl": _jsonl}
    kind, count = file_format(path), 0
    if kind is None:
        known = ", ".join(s for s in FORMATS if s)
        yield DeadLetter(path, "unsupported_format", f"not an archive this reads ({known}, or no suffix)")
        return
    suffix = path[path.rfind("."):].lower()
    if suffix in COMPRESSION:
        handle = COMPRESSION[suffix](handle)
    try:
        if kind == "message":
            yield _single(path, handle)
            return
        for item in readers[kind](path, handle, columns):
            count += 1
            yield item
    except Exception as error:  # a damaged gzip, a cut-off download, a storage error: the rest is lost
        where = path if count == 0 else f"{path}#{count}"
        yield DeadLetter(where, "unreadable", f"{type(error).__name__}: {error} (after {count} items)")


def _lines(handle: BinaryIO) -> Iterator[bytes]:
    return iter(handle.readline, b"")


def _single(path: str, handle: BinaryIO) -> Message | DeadLetter:
    raw = handle.read(MAX_MESSAGE_BYTES + 1)
    if len(raw) > MAX_MESSAGE_BYTES:
        return DeadLetter(path, "too_large", f"the message is larger than {MAX_MESSAGE_BYTES} bytes")
    return Message(path, raw=raw)


def _mbox(path: str, handle: BinaryIO, _columns: Columns) -> Iterator[Message | DeadLetter]:
    """Splits at every line that starts with "From " (as Python's mailbox.mbox does)."""
    index, lines, size, started = 0, [], 0, False
    for line in _lines(handle):
        if line.startswith(b"From "):
            if started or any(part.strip() for part in lines):
                yield _mbox_message(f"{path}#{index}", lines, size)
                index += 1
            lines, size, started = [], 0, True
            continue
        size += len(line)
        if size <= MAX_MESSAGE_BYTES:
            lines.append(line)
    if started or any(part.strip() for part in lines):
        yield _mbox_message(f"{path}#{index}", lines, size)


def _mbox_message(id_: str, lines: list[bytes], size: int) -> Message | DeadLetter:
    if size > MAX_MESSAGE_BYTES:
        return DeadLetter(id_, "too_large", f"the message is larger than {MAX_MESSAGE_BYTES} bytes")
    return Message(id_, raw=b"".join(lines))


def _row_id(path: str, index: int, value: object) -> str:
    if (isinstance(value, str) and value.strip()) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    return f"{path}#{index}"


def _text(id_: str, value: object, column: str) -> Message | DeadLetter:
    if value is None:
        return DeadLetter(id_, "no_text", f"no {column!r} value")
    if not isinstance(value, str):
        return DeadLetter(id_, "invalid_text", f"{column!r} must be a string, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:  # undecodable bytes, kept as surrogates by the reader
        return DeadLetter(id_, "not_utf8", f"{column!r} is not valid UTF-8 (character {error.start})")
    return Message(id_, text=value)


def _csv(path: str, handle: BinaryIO, columns: Columns) -> Iterator[Message | DeadLetter]:
    csv.field_size_limit(CSV_FIELD_CHARS)
    text = codecs.getreader("utf-8-sig")(handle, errors="surrogateescape")
    reader = csv.DictReader(text)
    fields = reader.fieldnames or []
    for index, row in enumerate(reader):
        id_ = _row_id(path, index, row.get(columns.id))
        if columns.text not in fields:
            yield DeadLetter(id_, "no_text", f"the CSV has no {columns.text!r} column (it has {fields})")
        else:
            yield _text(id_, row.get(columns.text), columns.text)


def _jsonl(path: str, handle: BinaryIO, columns: Columns) -> Iterator[Message | DeadLetter]:
    index = 0
    for number, line in enumerate(_lines(handle), start=1):
        if not line.strip():
            continue  # blank lines (a trailing newline) hold no record
        where = f"{path}#{index}"
        index += 1
        try:
            record = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as error:
            yield DeadLetter(where, "not_utf8", f"line {number} is not valid UTF-8 (byte {error.start})")
            continue
        except (ValueError, RecursionError) as error:
            yield DeadLetter(where, "invalid_json", f"line {number} is not JSON: {error}")
            continue
        if not isinstance(record, dict):
            kind = type(record).__name__
            yield DeadLetter(where, "invalid_json", f"line {number} is a {kind}, not an object")
            continue
        yield _text(_row_id(path, index - 1, record.get(columns.id)), record.get(columns.text), columns.text)
