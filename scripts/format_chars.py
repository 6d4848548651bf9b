"""Writes function/glyphs.py's FORMAT_RANGES: Unicode's format characters (Cf), as ranges.

`python scripts/format_chars.py` rewrites the literal for this Python's unicodedata;
`--check` exits 1 when the literal differs from it. Reading the table from unicodedata at import
(category() of all 1,114,112 code points) cost 90 ms of every cold start.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

GLYPHS = Path(__file__).resolve().parent.parent / "function" / "glyphs.py"
_BLOCK_RE = re.compile(r'UNIDATA_VERSION = "[^"]*"\nFORMAT_RANGES = \(\n.*?\n\)\n', re.DOTALL)


def ranges() -> tuple[tuple[int, int], ...]:
    """The code points of category Cf, as (first, last) ranges."""
    found: list[list[int]] = []
    for code in range(0x110000):
        if unicodedata.category(chr(code)) == "Cf":
            if found and found[-1][1] == code - 1:
                found[-1][1] = code
            else:
                found.append([code, code])
    return tuple((low, high) for low, high in found)


def block() -> str:
    """The literal as glyphs.py holds it, five ranges a line."""
    pairs = [f"(0x{low:04X}, 0x{high:04X})," for low, high in ranges()]
    lines = [" ".join(pairs[i:i + 5]) for i in range(0, len(pairs), 5)]
    body = "\n".join("    " + line for line in lines)
    return f'UNIDATA_VERSION = "{unicodedata.unidata_version}"\nFORMAT_RANGES = (\n{body}\n)\n'


def main(argv: list[str]) -> int:
    source = GLYPHS.read_text()
    written = _BLOCK_RE.sub(lambda _: block(), source, count=1)
    if "--check" in argv:
        if written != source:
            print(f"{GLYPHS}: FORMAT_RANGES is not unicodedata {unicodedata.unidata_version}'s Cf set")
            return 1
        return 0
    GLYPHS.write_text(written)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
