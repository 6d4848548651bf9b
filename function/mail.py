"""Raw e-mail or plain text -> the text the model sees.

This is the one place that decides what the model reads. Training (`export/`) imports it
too, so training and serving can never disagree.

What the model sees, and why: the subject and the sender's own words, as a reader sees them.
Headers (Received, list headers, anonymised addresses), quoted replies, mailing-list footers,
e-mail addresses and URLs are artifacts of the 2002 SpamAssassin mailing lists rather than
signs of a scam, so they are removed or replaced by a placeholder word; but quoted text that is
all there is to read is read. What a reader does not see does not count (hidden HTML: see
function.markup); what a reader sees the same way is spelt one way (function.glyphs).

A message may read two ways: its text/plain part and its HTML part can say different things.
`views` and `message_views` give each distinct reading (the model plane scores each, and the
higher score stands); `clean` and `message_text` give the main one, which training reads.
Every parser reads input already cut to its budget (function.limits), and the text is cut to
MAX_CHARS after normalisation, which can make it longer.
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

from function.glyphs import normalize_unicode
from function.limits import (
    MAX_CHARS,
    MAX_DEPTH,
    MAX_HEADER_CHARS,
    MAX_HEADER_PARAMS,
    MAX_LINES,
    MAX_PARTS,
)
from function.markup import html_to_text

__all__ = ["MAX_CHARS", "MAX_PARTS", "CharsetError", "clean", "decode", "html_to_text", "message_text",
           "message_views", "normalize_unicode", "text_codec", "views"]

# Starts only where a run of address characters starts, and reads at most 64 of them (RFC 5321's
# limit for the local part): unbounded, a long run without an "@" takes quadratic time.
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A bare link as SMS scams write them ("smsg.io/fCVbD", "usps.parcel-fee.co/track"): a dotted host
# whose last label is letters, then a path. A bare "amazon.com" without a path stays: it is words.
_BARE_LINK_RE = re.compile(r"(?<![\w@.-])(?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24}/\S*", re.IGNORECASE)
_QUOTED_RE = re.compile(r"^[ \t]*(?:>|\|>).*$", re.MULTILINE)
_QUOTE_MARKS_RE = re.compile(r"^[ \t]*(?:(?:>|\|>)[ \t]?)+", re.MULTILINE)
# What is left of a reply that only quotes: the attribution line ("On Monday, Sam wrote:").
_ATTRIBUTION_RE = re.compile(r"^[^\n]{0,200}\bwrote:[ \t]*$", re.MULTILINE | re.IGNORECASE)
_WORDS_RE = re.compile(r"\w")
# "[ILUG] ...", "Re: [SAtalk] ...": the list's tag, not the sender's words.
_LIST_TAG_RE = re.compile(r"^((?:re|fwd?|aw):\s*)*\[[^\]\n]{1,40}\]\s*", re.IGNORECASE)
# Left-over MIME boundaries, such as the corpus's own "--DeathToSpamDeathToSpam--".
_BOUNDARY_RE = re.compile(r"^--[\w'()+,./:=?-]{8,}$", re.MULTILINE)
_RULE_RE = re.compile(r"^[ \t]*(?:[_\-=]{20,}|-- )[ \t]*$", re.MULTILINE)
_FOOTER_WORDS = re.compile(
    r"mailing list|listinfo|yahoo! groups|sponsored by|to unsubscribe from this group"
    r"|\(un\)subscription|list maintainer",
    re.IGNORECASE,
)
# A pasted or corpus e-mail's "Subject:" label: the subject is kept, its label dropped, so that a
# pasted mail and the same mail parsed from RFC 822 reach the model as the same text.
_SUBJECT_LABEL_RE = re.compile(r"\A\s*subject:[ \t]*", re.IGNORECASE)
# Header blocks inside a body: forwarded and replied-to mail ("-----Original Message-----", then
# "From: ...", "Sent: ..."). They say which mail client and archive a message came from, not what
# its sender wants (the State Department archive is full of them). Two header lines in a row at
# least: a lone "From: HMRC ..." line is the sender's own words.
# (Written so that no run of spaces can be split two ways: "[ \t]*-*[ \t]*" took quadratic time
# on a long run of spaces and tabs, 9 s for 25,000 characters.)
_INLINE_HEADERS_RE = re.compile(
    r"^[ \t]*(?:-+[ \t]*)?(?:original message|forwarded message)[ \t]*(?:-+[ \t]*)?$"
    r"|(?:^[ \t]*(?:from|sent|to|cc|bcc|date|subject)[ \t]*:[^\n]*(?:\n|\Z)){2,}",
    re.IGNORECASE | re.MULTILINE,
)
# A pasted raw e-mail: a header block of two lines or more (with continuation lines), then a
# blank line. It is parsed as the message it is when one of its headers is a common one.
_HEADER_BLOCK_RE = re.compile(r"\A(?:[!-9;-~]{1,76}:[^\n]*\n(?:[ \t][^\n]*\n)*){2,}\n")
_COMMON_HEADER_RE = re.compile(
    r"^(?:from|received|return-path|message-id|mime-version|date|to|subject|delivered-to):",
    re.IGNORECASE | re.MULTILINE,
)
_SPACE_RE = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")  # a lone space is left as it is
_BLANK_LINES_RE = re.compile(r"\n\s*\n+")
_LOOKS_HTML_RE = re.compile(r"<(?:!doctype|/?(?:html|head|body|p|div|span|br|a|b|i|u|em|strong|font|center"
                            r"|table|tr|td|ul|ol|li|h[1-6]|img|style|title|meta)\b)", re.IGNORECASE)


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


def _message(raw: bytes) -> tuple[str, list[str], list[str]]:
    """A raw message's subject (its list tag removed), plain parts and HTML parts."""
    raw = _first_lines(raw)
    try:
        message = email.message_from_bytes(raw, _class=_Part, policy=_POLICY)
        plain, markup = _body_parts(message)
    except RecursionError:  # message/rfc822 parts nested deeper than the parser can follow: the body as text
        message = email.parser.BytesHeaderParser(_Part, policy=_POLICY).parsebytes(raw)
        plain, markup = [str(message.get_payload())], []
    subject = _LIST_TAG_RE.sub(lambda m: m.group(1) or "", _header(message.get("Subject", "")))
    return subject, plain, markup


def _readings(subject: str, plain: list[str], markup: list[str], every: bool) -> list[str]:
    """The distinct texts of a message: the subject with its plain parts' text, then with its HTML
    parts' text, leaving out a blank one (a blank text/plain alternative hides no HTML). Only
    the first unless `every`; only the subject when both are blank; [] when nothing is left."""
    subject = _clean(subject)
    found: list[str] = []
    for body in (plain and "\n".join(plain), markup and "\n".join(map(html_to_text, markup))):
        text = _clean(body) if body else ""
        if text and (reading := _joined(subject, text)) not in found:
            found.append(reading)
            if not every:
                break
    return found or ([subject] if subject else [])


def message_text(raw: bytes) -> str:
    """The model's text for a raw RFC 822 message: subject and body (its text/plain parts; its HTML
    when they are blank), cleaned. It is "" for a message with neither (only an attachment, an
    image, or headers without a subject)."""
    return next(iter(_readings(*_message(raw), every=False)), "")


def message_views(raw: bytes) -> list[str]:
    """Each distinct text of a raw message, the main one (`message_text`) first: that of its
    text/plain parts and that of its HTML parts. [] when nothing is readable."""
    return _readings(*_message(raw), every=True)


def _strip_footer(text: str) -> str:
    """Cuts a mailing-list footer: a long rule followed by list boilerplate."""
    for rule in _RULE_RE.finditer(text):
        if _FOOTER_WORDS.search(text, rule.end(), rule.end() + 400):
            return text[: rule.start()]
    return text


def views(text: str) -> list[str]:
    """Each distinct text the model reads for a caller's text, the main one (`clean`) first: one
    for a text; for a pasted raw e-mail, those of `message_views`. [] when nothing is readable
    (blank, only invisible characters, only markup): the caller's text is empty."""
    return _views(text, every=True)


def clean(text: str) -> str:
    """Normalises any text (a pasted e-mail, a body, a corpus text) for the model; "" when nothing
    in it is readable.

    A pasted raw e-mail (a header block first) is parsed as a message, so it reaches the model as
    the same text as when it is sent as `message/rfc822`.
    """
    return next(iter(_views(text, every=False)), "")


def _views(text: str, every: bool) -> list[str]:
    text = _bounded(text)
    block = _HEADER_BLOCK_RE.match(text)
    if block and _COMMON_HEADER_RE.search(block.group()):
        return _readings(*_message(text.encode("utf-8")), every=every)
    label = _SUBJECT_LABEL_RE.match(text)
    if label:  # the corpora's "Subject: ...", then the body
        subject, _, body = text[label.end():].partition("\n")
        found = _joined(_clean(subject), _clean(body))
    else:
        found = _clean(text)
    return [found] if found else []


def _bounded(text: str) -> str:
    """The first MAX_CHARS characters; lone surrogates (valid in JSON strings, not in UTF-8)
    become "?"."""
    return text[:MAX_CHARS].encode("utf-8", "replace").decode("utf-8").replace("\r\n", "\n")


def _joined(subject: str, body: str) -> str:
    return f"{subject}\n{body}"[:MAX_CHARS].rstrip() if subject else body


def _unquoted(text: str) -> str:
    """Quoted lines removed; but when nothing else is there to read (an attribution line aside),
    the quoted text, without its quote marks."""
    rest = _QUOTED_RE.sub("", text)
    if _WORDS_RE.search(rest) and _WORDS_RE.search(_ATTRIBUTION_RE.sub("", rest)):
        return rest
    return _QUOTE_MARKS_RE.sub("", _ATTRIBUTION_RE.sub("", text))


def _clean(text: str) -> str:
    """A text (a subject, a body, a pasted text) as the model reads it; "" when nothing is left."""
    text = _bounded(text)
    if "<" in text and _LOOKS_HTML_RE.search(text):
        text = html_to_text(text)
    text = normalize_unicode(text)  # cut to MAX_CHARS: normalising can make a text longer
    text = _strip_footer(text)
    if ">" in text:
        text = _unquoted(text)
    text = _BOUNDARY_RE.sub("", text)
    # Each pattern runs only where its cheap sign is present: most texts have few of them.
    if ":" in text or "message" in text.lower():
        text = _INLINE_HEADERS_RE.sub("", text)
    text = _URL_RE.sub(" urladdress ", text)
    if "/" in text:
        text = _BARE_LINK_RE.sub(" urladdress ", text)
    if "@" in text:
        text = _EMAIL_RE.sub(" emailaddress ", text)
    text = _SPACE_RE.sub(" ", text)
    text = _BLANK_LINES_RE.sub("\n", text)
    return text.strip()
