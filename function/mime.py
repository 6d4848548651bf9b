"""Raw RFC 822 bytes -> a message's subject, its text/plain parts and its HTML parts, as text.

The MIME side of function.mail, entered once a message: charsets (the policy the contract applies
to a request's charset too: `text_codec`), encoded headers, nested parts. Every parser reads input
already cut to its budget (function.limits): the email package is quadratic in several places.
"""

from __future__ import annotations

import codecs
import email
import email.header
import email.message
import email.parser
import email.policy
import itertools
import re
from typing import NamedTuple

from function.limits import MAX_CHARS, MAX_DEPTH, MAX_HEADER_CHARS, MAX_HEADER_PARAMS, MAX_LINES, MAX_PARTS

__all__ = ["CharsetError", "decode", "parse", "text_codec"]

# "[ILUG] ...", "Re: [SAtalk] ...": the list's tag, not the sender's words.
_LIST_TAG_RE = re.compile(r"^((?:re|fwd?|aw):\s*)*\[[^\]\n]{1,40}\]\s*", re.IGNORECASE)


class CharsetError(ValueError):
    """A charset that is unknown, or whose codec is no text encoding fit for a body."""


# Text encodings refused all the same: decoding punycode takes quadratic time (idna runs it on each
# label), "undefined" fails on any byte, and Python's own escape codecs are no charset of mail.
_REFUSED_CODECS = frozenset({"punycode", "idna", "undefined", "unicode-escape", "raw-unicode-escape"})


def text_codec(charset: str) -> str:
    """The codec's name for a charset label; CharsetError if it is unknown or not a text encoding
    (base64, rot13, zlib, hex, ... and the refused ones above)."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        raise CharsetError(f"unknown charset {charset!r}") from None
    if not info._is_text_encoding or info.name in _REFUSED_CODECS:
        raise CharsetError(f"charset {charset!r} is not a text encoding")
    return info.name


def decode(payload: bytes, charset: str | None, errors: str = "strict") -> str:
    """`payload` decoded as `charset` (UTF-8 if none). Raises CharsetError (a ValueError) for a charset
    that is unknown or not a text encoding, and with errors="strict" UnicodeDecodeError for bytes
    that are invalid in it."""
    return payload.decode(text_codec(charset or "utf-8"), errors)


def _decode_leniently(payload: bytes, charset: str | None) -> str:
    """A MIME part's text: broken or unusable charsets are read as UTF-8, bad bytes replaced."""
    try:
        return decode(payload, charset, errors="replace")
    except ValueError:
        return payload.decode("utf-8", errors="replace")


def _header(value: object) -> str:
    """Decodes an RFC 2047 header such as a subject; a broken one is kept as it came. The policy
    below has cut it to MAX_HEADER_CHARS: decode_header is quadratic in encoded words."""
    text = str(value)
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except Exception:
        return text


class _BoundedPolicy(email.policy.Compat32):
    """compat32 (as the training data was parsed) with each header value cut to its budget as it is
    read: the email package's parameter parsing (Content-Type's charset and boundary) is quadratic."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        value = value[:MAX_HEADER_CHARS]
        if name.strip().lower().startswith("content-"):
            value = ";".join(value.split(";", MAX_HEADER_PARAMS + 1)[: MAX_HEADER_PARAMS + 1])
        return name, value


_POLICY = _BoundedPolicy()


class _Part(email.message.Message):
    """A MIME entity that knows how deeply it is nested. One below MAX_DEPTH is not split into
    parts (its boundary is not looked up): the parser checks every line against each open boundary."""

    depth = 0

    def attach(self, payload: email.message.Message) -> None:
        payload.depth = self.depth + 1
        super().attach(payload)

    def get_boundary(self, failobj: object = None) -> object:
        return failobj if self.depth >= MAX_DEPTH else super().get_boundary(failobj)


# Where the email package (str.splitlines on the ASCII-decoded message) breaks lines.
_LINE_BREAKS = b"\n\r\x0b\x0c\x1c\x1d\x1e"
_LINE_BREAK_RE = re.compile(b"[" + re.escape(_LINE_BREAKS) + b"]")


def _first_lines(raw: bytes) -> bytes:
    """The first MAX_LINES lines of a raw message (a CRLF counts as two)."""
    if len(raw) <= MAX_LINES or sum(map(raw.count, _LINE_BREAKS)) <= MAX_LINES:
        return raw
    last = next(itertools.islice(_LINE_BREAK_RE.finditer(raw), MAX_LINES - 1, None))
    return raw[: last.end()]


def _body_parts(message: email.message.Message) -> tuple[list[str], list[str]]:
    """The text of the plain and of the HTML parts, each kind read to MAX_CHARS characters."""
    plain: list[str] = []
    markup: list[str] = []
    left = {False: MAX_CHARS, True: MAX_CHARS}  # characters still to read, by "is HTML"
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            break
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        is_html = part.get_content_subtype() == "html"
        if left[is_html] <= 0:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        text = _decode_leniently(payload[: left[is_html] * 4], part.get_content_charset())[: left[is_html]]
        left[is_html] -= len(text)
        (markup if is_html else plain).append(text)
    return plain, markup


class Parsed(NamedTuple):
    """What a raw message says: its subject (list tag removed), plain parts, HTML parts and sender."""

    subject: str
    plain: list[str]
    markup: list[str]
    sender: str  # the From header, decoded ("" when it has none)


def parse(raw: bytes) -> Parsed:
    raw = _first_lines(raw)
    try:
        message = email.message_from_bytes(raw, _class=_Part, policy=_POLICY)
        plain, markup = _body_parts(message)
    except RecursionError:  # message/rfc822 parts nested deeper than the parser can follow: the body as text
        message = email.parser.BytesHeaderParser(_Part, policy=_POLICY).parsebytes(raw)
        plain, markup = [str(message.get_payload())], []
    subject = _LIST_TAG_RE.sub(lambda m: m.group(1) or "", _header(message.get("Subject", "")))
    return Parsed(subject, plain, markup, _header(message.get("From", "")))
