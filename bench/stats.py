"""Medians and percentiles over repeated runs, kept with their run count."""

from __future__ import annotations

import statistics


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank q-th percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    """{"median", "p90", "runs"} of `values` (seconds stay seconds)."""
    return {"median": statistics.median(values), "p90": percentile(values, 90), "runs": len(values)}
