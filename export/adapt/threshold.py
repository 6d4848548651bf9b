"""The threshold for a stated false-alarm rate, and what it costs, with intervals.

A rate is supported by a sample when it would allow a few false alarms there: with fewer than
SUPPORT / rate legitimate messages (300 at 1 %), the threshold can only be put above every legitimate
score seen, and the true rate on new mail is not pinned down; the report says so and how many more
legitimate messages would be needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SUPPORT = 3  # false alarms the sample must be able to show at the stated rate
_EDGE = 1e-6  # model.json wants 0 < threshold < 1


def parse_rate(value: str) -> float:
    """'1%' or '0.01' -> 0.01; a rate outside (0, 50 %] is refused."""
    text = value.strip()
    try:
        rate = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ValueError(f"--max-false-alarms: {value!r} is not a rate such as 1% or 0.01") from None
    if not 0 < rate <= 0.5:
        raise ValueError(f"--max-false-alarms: {value!r} is not between 0 and 50%")
    return rate


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(p, _EDGE, 1 - _EDGE)
    return np.log(p / (1 - p))


def at_rate(scores: np.ndarray, labels: np.ndarray, rate: float) -> float:
    """The threshold that flags at most `rate` of the legitimate scores (>= flags): halfway, in
    log-odds, between the highest legitimate score it must pass and the next score above it."""
    legit = np.sort(scores[labels == 0])[::-1]
    allowed = math.floor(rate * len(legit) + 1e-9)
    if allowed >= len(legit):
        return _EDGE
    passed = legit[allowed]
    above = scores[scores > passed]
    upper = float(above.min()) if len(above) else 1 - _EDGE
    cut = float(1 / (1 + np.exp(-(_logit(passed) + _logit(upper)) / 2)))
    if cut <= passed:  # no room between two float32 scores: just above the legitimate one
        cut = float(np.nextafter(np.float32(passed), np.float32(1)))
    return float(np.clip(cut, _EDGE, 1 - _EDGE))


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def legit_needed(rate: float) -> int:
    return math.ceil(SUPPORT / rate - 1e-9)


@dataclass(frozen=True)
class Outcome:
    """Legitimate messages flagged and scams caught at one threshold."""

    flagged: int
    legit: int
    caught: int
    scams: int

    @classmethod
    def of(cls, scores: np.ndarray, labels: np.ndarray, threshold: float) -> Outcome:
        decided = np.asarray(scores) >= threshold
        labels = np.asarray(labels)
        return cls(int(decided[labels == 0].sum()), int((labels == 0).sum()),
                   int(decided[labels == 1].sum()), int((labels == 1).sum()))

    def to_json(self) -> dict:
        flagged, caught = wilson(self.flagged, self.legit), wilson(self.caught, self.scams)
        return {"legit_flagged": self.flagged, "legit": self.legit, "scams_caught": self.caught,
                "scams": self.scams,
                "legit_flagged_rate": round(self.flagged / max(self.legit, 1), 4),
                "legit_flagged_95": [round(v, 4) for v in flagged],
                "scams_caught_rate": round(self.caught / max(self.scams, 1), 4),
                "scams_caught_95": [round(v, 4) for v in caught]}
