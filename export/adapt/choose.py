"""Candidates measured on the sample, one chosen.

Each candidate is cross-validated (stratified k folds): its out-of-fold scores give the threshold at
the stated false-alarm rate and the scams caught there. The shippable candidates (threshold only;
the head pulled toward the base, from the strongest pull to the weakest; the head refitted on the
base's features without the pull) are compared by scams caught, and those within TOLERANCE of the
best are as good. Of these, a refit is taken only when nothing that keeps the base is as good: it
keeps no weight for what the sample lacks (on the test's household mailbox of 2,000 messages it
would have halved the challenge set's accuracy). Then the one whose threshold moves least from the
base's, in log-odds, wins: the threshold applies to all mail, also the kinds the sample lacks, so
the head should absorb what is particular to this mailbox and leave the base's calibration
elsewhere as it was. A plain bag-of-words refit on the sample (export/evaluate.py's baseline) is
measured beside them: the bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from export import evaluate
from export.adapt import head, threshold
from export.adapt.base import Base, Head

PULLS = (1.0, 0.1, 0.03, 0.01, 0.003, 0.001, 0.0003)  # toward the base: strongest first
REFITS = (0.01, 0.001, 0.0001)  # without the base's weights
FOLDS = 5
TOLERANCE = 0.01  # of the scams (and at least one scam): "as good" as the best


@dataclass(frozen=True)
class Candidate:
    kind: str  # threshold | toward_base | refit | words
    strength: float | None = None

    @property
    def shippable(self) -> bool:
        return self.kind != "words"

    @property
    def label(self) -> str:
        if self.kind == "toward_base":
            return f"head toward the base (pull {self.strength:g})"
        if self.kind == "refit":
            return f"head refitted on the base's features (L2 {self.strength:g})"
        if self.kind == "words":
            return "bag of words refitted on the sample (baseline)"
        return "threshold only"


def candidates(linear: bool) -> list[Candidate]:
    if not linear:
        return [Candidate("threshold")]
    return [Candidate("threshold"), *(Candidate("toward_base", s) for s in PULLS),
            *(Candidate("refit", s) for s in REFITS), Candidate("words")]


@dataclass(frozen=True)
class Features:
    """The base's tf-idf rows of the sample and their Gram matrix (shared by every fold)."""

    rows: sparse.csr_matrix
    gram: np.ndarray

    @classmethod
    def of(cls, rows: sparse.csr_matrix) -> Features:
        return cls(rows, (rows @ rows.T).toarray())


@dataclass(frozen=True)
class Data:
    """The sample (or part of it) as every candidate sees it."""

    texts: list[str]
    labels: np.ndarray
    base_scores: np.ndarray  # of the served base model
    features: Features | None  # None: no linear head
    index: np.ndarray  # of these messages in features.rows

    @property
    def x(self) -> sparse.csr_matrix:
        assert self.features is not None
        return self.features.rows[self.index]

    def part(self, rows: np.ndarray) -> Data:
        return Data([self.texts[i] for i in rows], self.labels[rows], self.base_scores[rows],
                    self.features, self.index[rows])


@dataclass(frozen=True)
class Fitted:
    candidate: Candidate
    score: Callable[[Data], np.ndarray]  # scam probabilities of other rows
    head: Head | None  # the new head (None: the base's graph unchanged)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def train(candidate: Candidate, data: Data, base: Base) -> Fitted:
    if candidate.kind == "threshold":
        return Fitted(candidate, lambda d: d.base_scores, None)
    if candidate.kind == "words":
        scorer = evaluate.baseline(data.texts, data.labels.tolist())
        return Fitted(candidate, lambda d: scorer(d.texts), None)
    assert base.head is not None and data.features is not None
    toward = candidate.kind == "toward_base"
    prior = base.head.weights if toward else np.zeros_like(base.head.weights)
    gram = data.features.gram[np.ix_(data.index, data.index)]
    weights, bias = head.fit(data.x, gram, data.labels, head.balanced(data.labels), prior,
                             base.head.bias if toward else 0.0, candidate.strength)
    return Fitted(candidate, lambda d: _sigmoid(head.logits(d.x, weights, bias)),
                  Head(weights, base.head.idf, bias))


@dataclass(frozen=True)
class Measured:
    candidate: Candidate
    scores: np.ndarray  # out of fold
    threshold: float
    outcome: threshold.Outcome
    auc: float

    def to_json(self) -> dict:
        return {"candidate": self.candidate.label, "threshold": round(self.threshold, 6),
                "roc_auc": round(self.auc, 4), **self.outcome.to_json()}


def measure(candidate: Candidate, data: Data, base: Base, rate: float, seed: int) -> Measured:
    scores = np.zeros(len(data.labels))
    if candidate.kind == "threshold":
        scores = data.base_scores
    else:
        folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
        for fit_rows, held_rows in folds.split(scores, data.labels):
            fitted = train(candidate, data.part(fit_rows), base)
            scores[held_rows] = fitted.score(data.part(held_rows))
    cut = threshold.at_rate(scores, data.labels, rate)
    return Measured(candidate, scores, cut, threshold.Outcome.of(scores, data.labels, cut),
                    float(roc_auc_score(data.labels, scores)))


@dataclass(frozen=True)
class Choice:
    measured: list[Measured]
    chosen: Measured
    fitted: Fitted  # the chosen candidate trained on all of `data`
    threshold: float  # the cross-validated one, raised if the final fit needs it to hold the rate


def choose(data: Data, base: Base, rate: float, seed: int, only_threshold: bool) -> Choice:
    pool = [Candidate("threshold")] if only_threshold else candidates(base.head is not None)
    measured = [measure(c, data, base, rate, seed) for c in pool]
    shippable = [m for m in measured if m.candidate.shippable]
    best = max(m.outcome.caught for m in shippable)
    slack = max(1, math.ceil(TOLERANCE * shippable[0].outcome.scams))

    def shift(m: Measured) -> float:
        return abs(_logit(m.threshold) - _logit(base.model.threshold))

    good = [m for m in shippable if m.outcome.caught >= best - slack]
    keeping = [m for m in good if m.candidate.kind != "refit"]  # a refit keeps nothing of the base
    chosen = min(keeping or good, key=shift)
    fitted = train(chosen.candidate, data, base)
    # Out-of-fold scores chose the threshold; the head fitted on every message must hold the rate
    # on the sample as well, or the artifact would flag more of it than it says.
    held = threshold.at_rate(fitted.score(data), data.labels, rate)
    return Choice(measured, chosen, fitted, max(chosen.threshold, held))


def split_held_out(labels: np.ndarray, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows to adapt on, rows held out): `share` of each label held out."""
    rng = np.random.default_rng(seed)
    fit_rows, held_rows = [], []
    for label in (0, 1):
        rows = rng.permutation(np.flatnonzero(labels == label))
        cut = max(1, round(share * len(rows)))
        held_rows += rows[:cut].tolist()
        fit_rows += rows[cut:].tolist()
    return np.sort(fit_rows), np.sort(held_rows)
