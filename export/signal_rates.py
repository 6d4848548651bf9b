"""How often each signal of function/signals.py fires on real mail: SpamAssassin's public corpus
(2002-03) by group, and the texts of any corpus folder given (SMS, pasted bodies) by source and
label. The signals are shown, not scored; this is how much to trust them.

    python -m export.signal_rates [--cache .cache] [--corpus DIR ...]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from export.corpus import GROUPS, fetch_spamassassin
from export.report import table
from function import mime, signals
from function.contract import SIGNALS

ROOT = Path(__file__).resolve().parents[1]


def rates(data: Path) -> list[list]:
    """One row per group: messages, then the share with each kind of signal."""
    rows = []
    for group in GROUPS:
        paths = sorted((data / group).glob("*.txt"))
        fired = Counter()
        for path in paths:
            fired.update({s.kind for s in signals.of_message(mime.parse(path.read_bytes()))})
        rows.append([group, len(paths), *(round(fired[kind] / max(len(paths), 1), 3) for kind in SIGNALS)])
    return rows


def text_rates(folder: Path) -> list[list]:
    """One row per (source, label) of the corpus folder's texts, as sent (links not replaced)."""
    fired: Counter = Counter()
    counts: Counter = Counter()
    for path in sorted(folder.glob("*/*.jsonl")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip():
                row = json.loads(line)
                cell = (path.stem, str(row["label"]))
                counts[cell] += 1
                fired[cell] += bool(signals.of_text(str(row["text"])))
    return [[*cell, n, round(fired[cell] / n, 3)] for cell, n in sorted(counts.items())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache")
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="a folder of <source>/<source>.jsonl")
    args = parser.parse_args(argv)
    print(table(["SpamAssassin group", "messages", *SIGNALS], rates(fetch_spamassassin(args.cache / "data"))))
    for folder in args.corpus:
        print()
        print(table(["source", "label", "texts", "names_brand_links_elsewhere"], text_rates(folder)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
