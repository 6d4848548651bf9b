"""Raw e-mail or plain text -> the text the model sees.

This is the one place that decides what the model reads. Training (`export/`) imports it
too, so training and serving can never disagree.

What the model sees, and why: the subject and the sender's own words. Headers (Received,
list headers, anonymised addresses), quoted replies, mailing-list footers, e-mail
addresses and URLs are artifacts of the 2002 SpamAssassin mailing lists rather than
signs of a scam, so they are removed or replaced by a placeholder word.
"""

from __future__ import annotations

import codecs
import email
import email.header
import email.message
import email.parser
import email.policy
import html
import itertools
import re
import unicodedata
from html.parser import HTMLParser

from function.limits import (
    MAX_CHARS,
    MAX_DEPTH,
    MAX_HEADER_CHARS,
    MAX_HEADER_PARAMS,
    MAX_LINES,
    MAX_PARTS,
)

# Starts only where a run of address characters starts, and reads at most 64 of them (RFC 5321's
# limit for the local part): unbounded, a long run without an "@" takes quadratic time.
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# A bare link as SMS scams write them ("smsg.io/fCVbD", "usps.parcel-fee.co/track"): a dotted host
# whose last label is letters, then a path. A bare "amazon.com" without a path stays: it is words.
_BARE_LINK_RE = re.compile(r"(?<![\w@.-])(?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24}/\S*", re.IGNORECASE)
_QUOTED_RE = re.compile(r"^[ \t]*(?:>|\|>).*$", re.MULTILINE)
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
# Characters that render as nothing (zero-width spaces and joiners, soft hyphens, direction
# marks, the byte-order mark): inserted between letters they hide words from a model.
_INVISIBLE = dict.fromkeys(
    c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"
)
# Cyrillic and Greek letters that look like Latin ones, folded only inside words that also hold
# Latin letters ("Pаypal" with a Cyrillic "а"): a Russian or Greek word is left alone.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁӏԛԝАВЕКМНОРСТХІЈЅԌΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοτυνικ",
    "aeopcyxijsdlqwABEKMHOPCTXIJSGABEZHIKMNOPTYXaotuvik",
)
_WORD_RE = re.compile(r"\w+")
_LATIN_RE = re.compile(r"[a-zA-Z]")
_FOREIGN_RE = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")
_SPACE_RE = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")  # a lone space is left as it is
_BLANK_LINES_RE = re.compile(r"\n\s*\n+")


class _HTMLText(HTMLParser):
    """Collects the visible text of an HTML document (no scripts, styles or tags)."""

    _SKIP = frozenset({"script", "style", "head", "title"})
    _BREAK = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


# A "<" that meets another "<" (or the end) before any ">" opens no tag. Escaped, it is read as
# text: left in, such runs ("<p<p<p...") cost html.parser quadratic time.
_UNCLOSED_RE = re.compile(r"<(?=[^<>]*(?:<|$))")
# A decimal character reference of more than 4,300 digits makes html.unescape raise (int()'s digit
# limit). Past 7 digits (leading zeros aside) any is beyond U+10FFFF, which unescape reads as U+FFFD.
_LONG_CHARREF_RE = re.compile(r"&#([0-9]{8,})")


def _charref(match: re.Match) -> str:
    digits = match.group(1).lstrip("0") or "0"
    return "&#" + (digits if len(digits) < 8 else "xFFFD")


def html_to_text(markup: str) -> str:
    """The visible text of HTML; only its first MAX_CHARS characters are parsed."""
    markup = _LONG_CHARREF_RE.sub(_charref, markup[:MAX_CHARS])
    parser = _HTMLText()
    try:
        parser.feed(_UNCLOSED_RE.sub("&lt;", markup))
        parser.close()
    except Exception:  # malformed markup: keep what was read, drop the tags crudely
        return html.unescape(re.sub(r"<[^<>]*>", " ", markup))
    return "".join(parser.parts)


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


def message_text(raw: bytes) -> str:
    """The model's text for a raw RFC 822 message: subject and body, cleaned. It is "" for a message
    with neither (only an attachment, an image, or headers without a subject)."""
    raw = _first_lines(raw)
    try:
        message = email.message_from_bytes(raw, _class=_Part, policy=_POLICY)
        plain, markup = _body_parts(message)
    except RecursionError:  # message/rfc822 parts nested deeper than the parser can follow: the body as text
        message = email.parser.BytesHeaderParser(_Part, policy=_POLICY).parsebytes(raw)
        plain, markup = [str(message.get_payload())], []
    subject = _LIST_TAG_RE.sub(lambda m: m.group(1) or "", _header(message.get("Subject", "")))
    body = "\n".join(plain) if plain else "\n".join(html_to_text(m) for m in markup)
    return _clean(_bounded(f"{subject}\n{body}"))


def _strip_footer(text: str) -> str:
    """Cuts a mailing-list footer: a long rule followed by list boilerplate."""
    for rule in _RULE_RE.finditer(text):
        if _FOOTER_WORDS.search(text, rule.end(), rule.end() + 400):
            return text[: rule.start()]
    return text


def _fold_word(match: re.Match) -> str:
    word = match.group()
    if _FOREIGN_RE.search(word) and _LATIN_RE.search(word):
        return word.translate(_LOOKALIKES)
    return word


def normalize_unicode(text: str) -> str:
    """One spelling for what looks the same: NFKC (fullwidth and mathematical letters, ligatures),
    invisible format characters removed, look-alike letters inside Latin words folded."""
    if text.isascii():  # most mail: already in its one spelling, and checked in C at once
        return text
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    if _FOREIGN_RE.search(text):
        text = _WORD_RE.sub(_fold_word, text)
    return text


def clean(text: str) -> str:
    """Normalises any text (a pasted e-mail, a body, a corpus text) for the model.

    A pasted raw e-mail (a header block first) is parsed as a message, so it reaches the model as
    the same text as when it is sent as `message/rfc822`.
    """
    text = _bounded(text)
    block = _HEADER_BLOCK_RE.match(text)
    if block and _COMMON_HEADER_RE.search(block.group()):
        return message_text(text.encode("utf-8"))
    return _clean(text)


def _bounded(text: str) -> str:
    """The first MAX_CHARS characters; lone surrogates (valid in JSON strings, not in UTF-8)
    become "?"."""
    return text[:MAX_CHARS].encode("utf-8", "replace").decode("utf-8").replace("\r\n", "\n")


def _clean(text: str) -> str:
    text = normalize_unicode(_SUBJECT_LABEL_RE.sub("", text, count=1))
    if "<" in text and re.search(r"</?(?:html|body|p|div|br|a|font|table)\b", text, re.I):
        text = html_to_text(text)
    text = _strip_footer(text)
    text = _QUOTED_RE.sub("", text)
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
