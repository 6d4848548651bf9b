"""How a model is judged: metrics, the threshold rule, the TF-IDF baseline, the challenge set,
invariance checks and calibration. Every figure is computed for the model and for the baseline
trained on the same split."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from function.mail import clean

Scorer = Callable[[list[str]], np.ndarray]
CHALLENGE = Path(__file__).resolve().parent / "challenge.jsonl"
# Both families train with balanced class weights, so 0.5 is the equal-prior decision point; the
# shipped threshold is chosen on validation by `choose_threshold`.
THRESHOLD = 0.5
# Short plain notes that must stay legitimate (the design document's sentence first).
PLAIN_NOTES = [
    "Some text that I want to send to your model.",
    "Thanks!",
    "Thanks, see you at lunch tomorrow",
    "Can you send me the slides from this morning?",
    "Running 10 minutes late, start without me.",
]


# The operating points a mail filter uses: the share of legitimate mail it may flag.
MAX_LEGIT_FLAGGED = 0.01
STRICT_LEGIT_FLAGGED = 0.001


def recall_at(labels: list[int], scores: np.ndarray, legit_flagged: float) -> tuple[float, float]:
    """(scam recall, threshold) at the lowest threshold that flags at most `legit_flagged` of the
    legitimate texts: a mail filter's operating point, where ROC AUC says little."""
    y, s = np.asarray(labels), np.asarray(scores, dtype=np.float64)
    legit = np.sort(s[y == 0])[::-1]
    allowed = int(np.floor(legit_flagged * len(legit)))
    threshold = float(np.nextafter(legit[allowed], 2.0)) if allowed < len(legit) else 0.0
    return float(np.mean(s[y == 1] >= threshold)), threshold


def metrics(labels: list[int], scores: np.ndarray, threshold: float) -> dict[str, float]:
    y, decided = np.asarray(labels), np.asarray(scores) >= threshold
    both = len(set(y.tolist())) == 2
    return {
        "accuracy": round(float(accuracy_score(y, decided)), 4),
        "precision": round(float(precision_score(y, decided, zero_division=0)), 4),
        "recall": round(float(recall_score(y, decided, zero_division=0)), 4),
        "legit_pass": round(float(np.mean(~decided[y == 0])), 4) if (y == 0).any() else None,
        "legit_flagged": round(float(np.mean(decided[y == 0])), 4) if (y == 0).any() else None,
        "recall_at_1pct": round(recall_at(y, scores, MAX_LEGIT_FLAGGED)[0], 4) if both else None,
        "recall_at_0_1pct": round(recall_at(y, scores, STRICT_LEGIT_FLAGGED)[0], 4) if both else None,
        "f1": round(float(f1_score(y, decided, zero_division=0)), 4),
        "roc_auc": round(float(roc_auc_score(y, scores)), 5) if both else None,  # JSON has no NaN
        "brier": round(float(brier_score_loss(y, np.clip(scores, 0, 1))), 5) if len(y) else None,
        "n": len(y),
    }


def choose_threshold(labels: list[int], scores: np.ndarray, sources: list[str] | None = None,
                     legit_flagged: float = MAX_LEGIT_FLAGGED, recall_given: float = 0.01,
                     least: int = 50) -> float:
    """The rule: on validation, the lowest threshold that flags at most `legit_flagged` (1 %) of
    the legitimate texts, overall and of every source with at least `least` of them (a customer
    has one kind of mailbox: an average over kinds would hide the worst), catches the most scams
    at the false-alarm rate customers judge a filter by; the highest that still catches as many,
    less `recall_given`, flags the fewest legitimate texts unlike the validation data. Served: the
    midpoint of the two in log-odds (the widest margin on both sides), to 0.001, in 0.001-0.999."""
    y, s = np.asarray(labels), np.clip(np.asarray(scores, dtype=np.float64), 1e-6, 1 - 1e-6)
    low = recall_at(y, s, legit_flagged)[1]
    for source in sorted(set(sources or [])):
        mine = np.array([name == source for name in sources])
        if np.sum(mine & (y == 0)) >= least:
            low = max(low, recall_at(np.where(mine, y, 1), s, legit_flagged)[1])
    scams = np.sort(s[y == 1])[::-1]
    kept = int(np.ceil((np.mean(scams >= low) - recall_given) * len(scams))) if len(scams) else 0
    high = max(float(scams[kept - 1]), low) if kept > 0 else low
    low, high = np.clip([low, high], 1e-6, 1 - 1e-6)
    middle = (np.log(low / (1 - low)) + np.log(high / (1 - high))) / 2
    return float(np.clip(np.round(1 / (1 + np.exp(-middle)), 3), 0.001, 0.999))


def uncertain_band(labels: list[int], scores: np.ndarray, threshold: float,
                   narrowest: float = 0.5, widest: float = 1.5) -> list[float]:
    """model.json's "uncertain" [lo, hi]: from the score that would flag 3 % of the validation
    part's legitimate texts (three times the served rate: below it a verdict of scam would be a
    false alarm more often than not) up to the threshold, and as far above it in log-odds; from
    `narrowest` to `widest` log-odds either side."""
    def logit(p: float) -> float:
        p = min(max(p, 1e-6), 1 - 1e-6)
        return float(np.log(p / (1 - p)))

    cut = logit(threshold)
    width = cut - logit(recall_at(labels, scores, 3 * MAX_LEGIT_FLAGGED)[1])
    below = cut - min(max(width, narrowest), widest)
    return [round(float(1 / (1 + np.exp(-edge))), 3) for edge in (below, 2 * cut - below)]


def baseline(train_texts: list[str], train_labels: list[int]) -> Scorer:
    """TF-IDF word 1-2-grams + logistic regression: the simple bar every figure stands beside."""
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    classifier = LogisticRegression(C=10, max_iter=2000, class_weight="balanced")
    classifier.fit(vectorizer.fit_transform(train_texts), train_labels)
    return lambda texts: classifier.predict_proba(vectorizer.transform(texts))[:, 1]


def read_challenge(path: Path = CHALLENGE) -> tuple[list[str], list[int], list[str]]:
    """(cleaned texts, labels, kinds) of the committed challenge set: never trained on."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return ([clean(r["text"]) for r in rows], [int(r["label"] == "scam") for r in rows],
            [f"{r['label']}/{r['channel']}" for r in rows])


def challenge(score: Scorer, threshold: float, path: Path = CHALLENGE) -> dict:
    texts, labels, kinds = read_challenge(path)
    scores = score(texts)
    report = metrics(labels, scores, threshold)
    report["by_kind"] = {kind: round(float(np.mean(
        (scores[np.array(kinds) == kind] >= threshold) == kind.startswith("scam"))), 4)
        for kind in sorted(set(kinds))}
    return report


def _spread(texts: list[str]) -> list[str]:
    """Zero-width spaces between all the characters."""
    return ["\u200b".join(t) for t in texts]


def invariance(score: Scorer, texts: list[str], labels: list[int], threshold: float,
               limit: int = 400) -> dict:
    """How far a score moves when a text is repeated 5 times, when zero-width characters are
    inserted, when a scam gets a legitimate mail of about its length appended, and when a
    text is re-formatted (lower case, punctuation spaced out). Inputs are cleaned as served."""
    chosen = np.random.default_rng(0).permutation(len(texts))[:limit]  # every source, both labels
    texts, labels = [texts[i] for i in chosen], np.asarray(labels)[chosen]
    base = score(texts)

    def moved(variants: list[str]) -> dict:
        delta = np.abs(score([clean(v) for v in variants]) - base)
        return {"mean": round(float(delta.mean()), 4), "max": round(float(delta.max()), 4)}

    result = {
        "repeat_5": moved([" ".join([t] * 5) for t in texts]),
        "zero_width": moved(_spread(texts)),
        "reformatted": moved([_reformat(t) for t in texts]),
    }
    scams = [t for t, y in zip(texts, labels, strict=True) if y == 1]
    legit = sorted((t for t, y in zip(texts, labels, strict=True) if y == 0), key=len)
    lengths = np.array([len(t) for t in legit])
    padded = [f"{t}\n{legit[min(int(np.searchsorted(lengths, len(t))), len(legit) - 1)]}" for t in scams]
    if not scams or not legit:
        return result
    scam_base = base[labels == 1]
    padded_scores = score([clean(p) for p in padded])
    result["scam_plus_legit_mail"] = {
        "mean_drop": round(float(np.mean(scam_base - padded_scores)), 4),
        "flagged_before": round(float(np.mean(scam_base >= threshold)), 4),
        "flagged_after": round(float(np.mean(padded_scores >= threshold)), 4),
        # The alternative, measured: score the two halves too and keep the highest of the three.
        "flagged_after_by_halves": round(float(np.mean(_by_halves(score, padded) >= threshold)), 4),
        "legit_pass_by_halves": round(float(np.mean(_by_halves(score, legit) < threshold)), 4),
        "legit_pass": round(float(np.mean(base[labels == 0] < threshold)), 4),
    }
    return result


def _by_halves(score: Scorer, texts: list[str]) -> np.ndarray:
    """max(whole, first half, second half) of each text, cut at the line nearest its middle."""
    halves = []
    for text in texts:
        middle = text.find("\n", len(text) // 2)
        middle = middle if middle > 0 else len(text) // 2
        halves += [text[:middle], text[middle:]]
    parts = score([clean(h) for h in halves]).reshape(-1, 2).max(axis=1)
    return np.maximum(score([clean(t) for t in texts]), parts)


def _reformat(text: str) -> str:
    return re.sub(r"\s*([.,!?;:()\"'-])\s*", r" \1 ", text.lower())


def plain_notes(score: Scorer) -> dict[str, float]:
    return {note: round(float(s), 4) for note, s in zip(PLAIN_NOTES, score([clean(n) for n in PLAIN_NOTES]),
                                                          strict=True)}


def reliability_plot(curves: dict[str, tuple[list[int], np.ndarray]], path: Path, title: str) -> None:
    """Observed scam share against mean score, in ten bins, one line per scorer."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 5), dpi=110)
    axes.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    for name, (labels, scores) in curves.items():
        y, s = np.asarray(labels), np.asarray(scores)
        bins = np.minimum((s * 10).astype(int), 9)
        points = [(s[bins == b].mean(), y[bins == b].mean()) for b in range(10) if (bins == b).any()]
        brier = brier_score_loss(y, np.clip(s, 0, 1))
        axes.plot(*zip(*points, strict=True), marker="o", label=f"{name} (Brier {brier:.3f})")
    axes.set(xlabel="mean score in bin", ylabel="share of scams in bin", title=title,
             xlim=(0, 1), ylim=(0, 1))
    axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
