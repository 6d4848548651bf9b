"""Where the bench writes: docs/, with its generated tables between markers in hand-written pages."""

from __future__ import annotations

import re
from pathlib import Path

from bench.servers import ROOT

DOCS = ROOT / "docs"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def inject(path: Path, text: str) -> None:
    """Replaces what lies between the bench markers in `path` (the whole file if it has none)."""
    block = f"{BEGIN}\n{text}\n{END}"
    current = path.read_text() if path.exists() else ""
    if BEGIN in current and END in current:
        block = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, current, flags=re.S)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block if block.endswith("\n") else block + "\n")
