"""How often each signal of function/signals.py fires on real raw mail: SpamAssassin's public
corpus (2002-03), by group. The signals are shown, not scored; this is how much to trust them.

    python -m export.signal_rates [--cache .cache]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from export.corpus import GROUPS, fetch_spamassassin
from export.report import table
from function import signals
from function.contract import SIGNALS

ROOT = Path(__file__).resolve().parents[1]


def rates(data: Path) -> list[list]:
    """One row per group: messages, then the share with each kind of signal."""
    rows = []
    for group in GROUPS:
        paths = sorted((data / group).glob("*.txt"))
        fired = Counter()
        for path in paths:
            fired.update({s.kind for s in signals.of_message(path.read_bytes())})
        rows.append([group, len(paths), *(round(fired[kind] / max(len(paths), 1), 3) for kind in SIGNALS)])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache")
    args = parser.parse_args(argv)
    print(table(["SpamAssassin group", "messages", *SIGNALS], rates(fetch_spamassassin(args.cache / "data"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
