"""Sizes for the hardening tests, and the figures they measured.

The suite runs the short versions. bench/soak.py runs the same tests with larger sizes (set in
the environment) and collects what each recorded in RELIABILITY_FIGURES, a JSON-lines file.
"""

from __future__ import annotations

import json
import os


def size(name: str, default: int) -> int:
    """A test's size, e.g. SOAK_LOAD_REQUESTS: the soak's value if it set one, else the short one."""
    raw = os.environ.get(f"SOAK_{name}", "").strip()
    return int(raw) if raw else default


def record(test: str, **figures: object) -> None:
    """Appends one test's figures to RELIABILITY_FIGURES, if the soak asked for them."""
    path = os.environ.get("RELIABILITY_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"test": test, **figures}) + "\n")
