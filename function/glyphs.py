"""One spelling for what a reader sees the same way: the characters of a text as they are shown.

Part of function.mail (what the model reads). Each step here maps a spelling that hides words
from a model, but not from a reader, onto the plain one:
- NFKC: full-width and mathematical letters, ligatures, compatibility forms;
- characters that render as nothing (zero-width spaces and joiners, soft hyphens, direction
  marks, the byte-order mark, variation selectors) are removed;
- a right-to-left override shows its run reversed ("\u202elapyap\u202c" displays "paypal"):
  the run is put in display order;
- a run of single letters with one repeated separator ("p a y p a l", "v.e.r.i.f.y") is joined;
- Cyrillic and Greek look-alikes inside Latin words ("Pаypal" with a Cyrillic "а") are folded.
"""

from __future__ import annotations

import re
import unicodedata

from function.limits import MAX_CHARS

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
