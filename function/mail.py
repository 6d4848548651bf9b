"""Raw e-mail or plain text -> the text the model sees.

This is the one place that decides what the model reads. Training (`export/`) imports it
too, so training and serving can never disagree.

What the model sees, and why: the subject and the sender's own words, as a reader sees them.
Headers (Received, list headers, anonymised addresses), quoted replies, mailing-list footers,
e-mail addresses and URLs are artifacts of the 2002 SpamAssassin mailing lists rather than
signs of a scam, so they are removed or replaced by a placeholder word; but quoted text that is
all there is to read is read. What a reader does not see does not count (hidden HTML: see
function.markup); what a reader sees the same way is spelt one way (`normalize_unicode`, below).
A raw message is taken apart by function.mime, once; each of its texts is cleaned here.

A message may read two ways: its text/plain part and its HTML part can say different things.
`views` and `message_views` give each distinct reading (the model plane scores each, and the
higher score stands); `clean` and `message_text` give the main one, which training reads.
Every parser reads input already cut to its budget (function.limits), and the text is cut to
MAX_CHARS after normalisation, which can make it longer.
"""

from __future__ import annotations

import re
import unicodedata

from function import mime
from function.limits import MAX_CHARS
from function.markup import html_to_text

__all__ = ["MAX_CHARS", "clean", "html_to_text", "message_text", "message_views", "normalize_unicode",
           "read", "views"]

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


def _readings(parsed: mime.Parsed, every: bool) -> list[str]:
    """The distinct texts of a message: the subject with its plain parts' text, then with its HTML
    parts' text, leaving out a blank one (a blank text/plain alternative hides no HTML). Only
    the first unless `every`; only the subject when both are blank; [] when nothing is left."""
    subject, plain, markup = _clean(parsed.subject), parsed.plain, parsed.markup
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
    return next(iter(_readings(mime.parse(raw), every=False)), "")


def message_views(raw: bytes) -> list[str]:
    """Each distinct text of a raw message, the main one (`message_text`) first: that of its
    text/plain parts and that of its HTML parts. [] when nothing is readable."""
    return read(raw)[0]


def read(text: str | bytes) -> tuple[list[str], mime.Parsed | None]:
    """`views` of a caller's text, or `message_views` of a raw message (bytes), and the message as
    parsed (a raw or pasted one: its sender and links are checked too; None for other text). The
    message is parsed once for both."""
    if isinstance(text, bytes):
        parsed = mime.parse(text)
        return _readings(parsed, every=True), parsed
    return _views(text, every=True)


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
    return read(text)[0]


def clean(text: str) -> str:
    """Normalises any text (a pasted e-mail, a body, a corpus text) for the model; "" when nothing
    in it is readable.

    A pasted raw e-mail (a header block first) is parsed as a message, so it reaches the model as
    the same text as when it is sent as `message/rfc822`.
    """
    return next(iter(_views(text, every=False)[0]), "")


def _pasted(bounded: str) -> bytes | None:
    """A pasted raw e-mail (a header block with a common header first) as the message it is; None
    for any other text."""
    block = _HEADER_BLOCK_RE.match(bounded)
    return bounded.encode("utf-8") if block and _COMMON_HEADER_RE.search(block.group()) else None


def _views(text: str, every: bool) -> tuple[list[str], mime.Parsed | None]:
    """A caller's text's readings (only the first unless `every`) and, for a pasted raw e-mail, the
    message as parsed."""
    text = _bounded(text)
    if (raw := _pasted(text)) is not None:
        parsed = mime.parse(raw)
        return _readings(parsed, every=every), parsed
    label = _SUBJECT_LABEL_RE.match(text)
    if label:  # the corpora's "Subject: ...", then the body
        subject, _, body = text[label.end():].partition("\n")
        found = _joined(_clean(subject), _clean(body))
    else:
        found = _clean(text)
    return ([found] if found else []), None


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


# One spelling for what a reader sees the same way: the characters of a text as they are shown.
# Each step maps a spelling that hides words from a model, but not from a reader, onto the plain one:
# - NFKC: full-width and mathematical letters, ligatures, compatibility forms;
# - characters that render as nothing (zero-width spaces and joiners, soft hyphens, direction
#   marks, the byte-order mark, variation selectors) are removed;
# - a right-to-left override shows its run reversed ("\u202elapyap\u202c" displays "paypal"):
#   the run is put in display order;
# - a run of single letters with one repeated separator ("p a y p a l", "v.e.r.i.f.y") is joined;
# - Cyrillic and Greek look-alikes inside Latin words ("Pаypal" with a Cyrillic "а") are folded.

# Unicode's format characters (category Cf) as ranges, for unicodedata 14.0.0 (Python 3.11).
# Written by `python scripts/format_chars.py`; tests/unit/test_mail.py checks them against
# unicodedata. (Built at import from unicodedata.category over every code point, they cost
# 90 ms of every cold start.)
UNIDATA_VERSION = "14.0.0"
FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
# Other characters that render as nothing (Unicode's Default_Ignorable_Code_Point, beyond Cf):
# the combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian variation
# selectors, and the variation selectors.
BLANK_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180D), (0x180F, 0x180F),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF),
)
_INVISIBLE_RE = re.compile(
    "[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in FORMAT_RANGES + BLANK_RANGES) + "]+")

# Cyrillic and Greek letters that look like Latin ones, folded only inside words that also hold
# Latin letters ("Pаypal" with a Cyrillic "а"): a Russian or Greek word is left alone.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁӏԛԝАВЕКМНОРСТХІЈЅԌΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοτυνικ",
    "aeopcyxijsdlqwABEKMHOPCTXIJSGABEZHIKMNOPTYXaotuvik",
)
_WORD_RE = re.compile(r"\w+")
_LATIN_RE = re.compile(r"[a-zA-Z]")
_FOREIGN_RE = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")

# Explicit directional embeddings and overrides (LRE, RLE, PDF, LRO, RLO), and the line ends
# that close them all.
_LRE, _RLE, _PDF, _LRO, _RLO = "\u202a\u202b\u202c\u202d\u202e"
_DIRECTIONAL_RE = re.compile("[\u202a-\u202e\n]")
_MAX_EMBEDDING = 125  # Unicode's limit (UAX #9); deeper ones are ignored, as a renderer does
_MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")

# One letter, then the same separator and a letter at least twice more: "p a y", "v.e.r.i.f.y",
# "P-A-Y", "w. i. n". Letters only: "1 2 3" and "4.5.6" are numbers.
_SPACED_RE = re.compile(
    r"(?<![^\W_])[^\W\d_](?P<sep> |\t|[.\-_*·•|/+~] ?)(?:[^\W\d_](?P=sep))+[^\W\d_](?![^\W_])"
)
_NFKC_STEP = 8192  # characters normalised at a time, once a text is longer
_SEGMENT_SEARCH = 64  # characters looked at past a step's end for a place to cut
_MIN_SPACED = 4  # letters, when the separator is a space: "I a m" and "a b c" can be prose


def _fold_word(match: re.Match) -> str:
    word = match.group()
    if _FOREIGN_RE.search(word) and _LATIN_RE.search(word):
        return word.translate(_LOOKALIKES)
    return word


def _shown(items: list, rtl: bool) -> str:
    """One embedding's text in display order: `items` are its own text (str) and its nested
    embeddings already in display order (1-tuples). Under an override to right-to-left every
    character is shown right to left, so its text is reversed (brackets mirrored) and its
    parts are shown in reverse order."""
    if not rtl:
        return "".join(item if isinstance(item, str) else item[0] for item in items)
    return "".join(item[::-1].translate(_MIRRORED) if isinstance(item, str) else item[0]
                   for item in reversed(items))


def _close(stack: list[tuple[bool, list]], depth: int) -> None:
    """Ends the embeddings above `depth` (at least one stays: the line's own)."""
    while len(stack) > max(1, depth):
        rtl, items = stack.pop()
        stack[-1][1].append((_shown(items, rtl),))


def display_order(text: str) -> str:
    """`text` with each right-to-left override's run put in the order it is displayed.

    Only overrides reorder Latin letters (an embedding, RLE, does not: Latin text in it still
    reads left to right); a run ends at its PDF or at the end of the line. The controls stay
    (they are removed with the other invisible characters)."""
    if _RLO not in text:
        return text
    stack: list[tuple[bool, list]] = [(False, [])]  # (overridden to right-to-left, items)
    start = 0
    for match in _DIRECTIONAL_RE.finditer(text):
        stack[-1][1].append(text[start:match.end()] if match.group() != "\n" else text[start:match.start()])
        start = match.end()
        control = match.group()
        if control in (_LRE, _RLE, _LRO, _RLO):
            if len(stack) <= _MAX_EMBEDDING:
                stack.append((control == _RLO, []))
        elif control == _PDF:
            _close(stack, len(stack) - 1)
        elif control == "\n":
            _close(stack, 1)
            stack[0][1].append("\n")
    stack[-1][1].append(text[start:])
    _close(stack, 1)
    return _shown(stack[0][1], False)


def _join_letters(match: re.Match) -> str:
    letters = match.group()[:: 1 + len(match.group("sep"))]
    if match.group("sep") in (" ", "\t") and len(letters) < _MIN_SPACED:
        return match.group()
    return letters


def join_spaced_letters(text: str) -> str:
    """Runs of single letters with one repeated separator, joined into the word they spell."""
    return _SPACED_RE.sub(_join_letters, text)


def _starts_segment(char: str) -> bool:
    """Whether NFKC may be applied separately to the text before `char` and from it on: `char`
    (or the first character it decomposes to) is a starter that composes with nothing before
    it. Kept to scripts where that is known: those below U+0900, kana, CJK ideographs and
    Hangul syllables (not Indic vowel signs or Hangul jamo, which do compose backwards)."""
    if char.isascii():
        return True
    if unicodedata.combining(char):
        return False
    decomposition = unicodedata.decomposition(char).split()
    first = next((int(code, 16) for code in decomposition if not code.startswith("<")), ord(char))
    return (first < 0x900 or 0x3040 <= first <= 0x30FF or 0x3400 <= first <= 0x9FFF
            or 0xAC00 <= first <= 0xD7A3) and not unicodedata.combining(chr(first))


def nfkc(text: str) -> str:
    """NFKC of `text`, cut to MAX_CHARS; only as much of `text` is normalised as that takes
    (U+FDFA alone becomes 18 characters: a text of them would grow to 3.6 million)."""
    if len(text) <= _NFKC_STEP:
        return unicodedata.normalize("NFKC", text)[:MAX_CHARS]
    pieces: list[str] = []
    done = at = 0
    while at < len(text) and done < MAX_CHARS:
        end = min(len(text), at + _NFKC_STEP)
        stop = min(len(text), end + _SEGMENT_SEARCH)
        while end < stop and not _starts_segment(text[end]):
            end += 1
        if end == stop:  # no place to cut near: the rest in one piece
            end = len(text)
        pieces.append(unicodedata.normalize("NFKC", text[at:end]))
        done += len(pieces[-1])
        at = end
    return "".join(pieces)[:MAX_CHARS]


def normalize_unicode(text: str) -> str:
    """One spelling for what looks the same: display order, invisible characters removed, NFKC
    (cut to MAX_CHARS after it), spaced-out letters joined, look-alike letters inside Latin words
    folded."""
    if not text.isascii():  # most mail is ASCII: already in its one spelling, checked in C at once
        text = nfkc(_INVISIBLE_RE.sub("", display_order(text)))
    text = join_spaced_letters(text)
    if not text.isascii() and _FOREIGN_RE.search(text):
        text = _WORD_RE.sub(_fold_word, text)
    return text
