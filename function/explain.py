"""Reasons: the spans of a text that moved its scam score, as offsets into the text the caller sent.

Fast model (an artifact with `explain.npz`, written by export/fast.py): exact. The graph's logit
is  sum over the distinct hashed n-grams b of  w[b] * x[b] / |x|  + bias,  with
x[b] = (1 + log count[b]) * idf[b];  each term is that n-gram's share, split evenly over its
occurrences. The strongest n-gram occurrences are merged where they overlap into phrases; a
phrase's weight is the sum of the shares of every n-gram occurrence inside it.

Any other model (MiniLM): occlusion. The cleaned text is cut into at most OCCLUSION_UNITS
sentences (or runs of sentences); each is deleted in turn, one extra graph run per unit, and its
weight is the logit of the whole text minus the logit without it.

Weights are in log-odds (logit) units: positive raised the score, negative lowered it.
Tokens' offsets point into the cleaned text (function.mail.clean); `locate` finds each phrase's
words in the submitted text (case-insensitive, anything but letters and digits, or an HTML tag,
between words) and a phrase it cannot find there is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from function.contract import MAX_REASONS, Prediction, Reason
from function.limits import MAX_CHARS, MAX_PHRASE_WORDS, OCCLUSION_UNITS

if TYPE_CHECKING:
    from function.model import Model

CANDIDATES = 12  # strongest n-gram occurrences of each sign merged into phrases
_WORD_RE = re.compile(r"\w+")
_WORD_OR_TAG_RE = re.compile(r"<[^<>]{0,200}>|(\w+)")  # a tag's words are not the text's
_SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]*")
# Words that say nothing alone: a reason made only of them is not shown.
FUNCTION_WORDS = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "is", "are", "was", "be", "been",
    "to", "of", "in", "on", "at", "by", "for", "from", "with", "as", "and", "or", "but", "not", "no", "if",
    "so", "do", "does", "you", "your", "yours", "we", "our", "us", "i", "me", "my", "he", "she", "they",
    "them", "their", "his", "her", "him", "email", "e", "mail", "message", "here", "there", "please",
    "dear", "hi", "hello", "will", "would", "shall", "should", "can", "could", "may", "might", "must",
    "have", "has", "had", "were", "am", "being", "what", "which", "who", "whom", "when", "where", "how",
    "all", "any", "some", "up", "out", "into", "about", "than", "then", "also", "just", "now",
))


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    weight: float


class Linear:
    """The fast model's tables: its weights and idf per bucket, its bias and hashing constants."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as tables:
            total = int(tables["total_buckets"])
            self.weights = np.zeros(total, dtype=np.float64)
            self.weights[tables["buckets"]] = tables["weights"]
            self.idf = tables["idf"].astype(np.float64)
            self.bias = float(tables["bias"])
            self.multipliers = tables["multipliers"].astype(np.int64)
            self.offsets = tables["offsets"].astype(np.int64)
        self.total = total
        if len(self.idf) != total or len(self.multipliers) != len(self.offsets):
            raise ValueError(f"{path.name}: idf or hashing constants do not match {total} buckets")

    def shares(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """(first token, n, share) of every n-gram occurrence of one text's kept token ids, and
        the logit; the shares sum to logit - bias."""
        starts, orders, buckets = [], [], []
        for n in range(1, len(self.multipliers) + 1):
            count = len(ids) - n + 1
            if count <= 0:
                break
            h = np.full(count, self.offsets[n - 1], dtype=np.int64)
            for k in range(n):
                h = h + ids[k: k + count] * self.multipliers[k]
            buckets.append(h % self.total)
            starts.append(np.arange(count))
            orders.append(np.full(count, n))
        if not buckets:
            return np.zeros(0, int), np.zeros(0, int), np.zeros(0), self.bias
        every = np.concatenate(buckets)
        distinct, which, counts = np.unique(every, return_inverse=True, return_counts=True)
        x = (1.0 + np.log(counts)) * self.idf[distinct]
        norm = max(float(np.sqrt(x @ x)), 1e-12)
        term = self.weights[distinct] * x / norm
        share = (term / counts)[which]
        return np.concatenate(starts), np.concatenate(orders), share, float(term.sum()) + self.bias


def explained(model: Model, predictions: list[Prediction], cleaned: list[str], sent: list[str],
              both: bool) -> list[Prediction]:
    """The predictions with their reasons: spans of each cleaned text, found in the text sent."""
    found = spans(model, cleaned, [p.score for p in predictions], both)
    return [Prediction(p.score, p.prediction, p.label, p.band, locate(s, clean, text, both))
            for p, s, clean, text in zip(predictions, found, cleaned, sent, strict=True)]


def spans(model: Model, cleaned: list[str], scores: list[float], both: bool) -> list[list[Span]]:
    """Spans of each cleaned text with how much each raised its logit (`both`: lowered too): exact
    shares for the fast model, else occlusion with at most OCCLUSION_UNITS extra runs a text."""
    tables = model.tables
    if tables is None:
        return [occlusion(model.scores, text, score, both)
                for text, score in zip(cleaned, scores, strict=True)]
    return [linear(tables, ids, offsets, both)[0]
            for ids, offsets in model.encoding.kept_all(model.tokenizer, cleaned)]


def linear(tables: Linear, kept: list[int], at: list[tuple[int, int]],
           both: bool) -> tuple[list[Span], float]:
    """Phrases of a cleaned text, from the tokens the model keeps of it and their offsets
    (Encoding.kept), with their exact share of the logit; and the logit."""
    ids, offsets = np.asarray(kept, dtype=np.int64), np.asarray(at, dtype=np.int64).reshape(-1, 2)
    starts, orders, share, logit = tables.shares(ids)
    phrases: list[Span] = []
    for sign in (1, -1) if both else (1,):
        chosen = [i for i in np.argsort(-sign * share, kind="stable")[:CANDIDATES] if sign * share[i] > 0]
        for first, last in _merged([(int(starts[i]), int(starts[i] + orders[i] - 1)) for i in chosen]):
            inside = (starts >= first) & (starts + orders - 1 <= last)
            weight = float(share[inside].sum())
            if sign * weight > 0:
                phrases.append(Span(int(offsets[first][0]), int(offsets[last][1]), weight))
    return phrases, logit


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token ranges (first, last), overlapping ones merged."""
    merged: list[list[int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(a, b) for a, b in merged]


def units(cleaned: str) -> list[tuple[int, int]]:
    """At most OCCLUSION_UNITS character ranges of `cleaned`: its sentences, consecutive ones
    joined into groups of about equal length when there are more."""
    found = [(m.start(), m.end()) for m in _SENTENCE_RE.finditer(cleaned) if m.group().strip()]
    if len(found) <= OCCLUSION_UNITS:
        return found
    size = sum(e - s for s, e in found) / OCCLUSION_UNITS
    groups: list[list[int]] = []
    for start, end in found:
        if groups and (len(groups) >= OCCLUSION_UNITS or groups[-1][1] - groups[-1][0] < size):
            groups[-1][1] = end
        else:
            groups.append([start, end])
    return [(a, b) for a, b in groups]


def occlusion(score_of, cleaned: str, score: float, both: bool) -> list[Span]:
    """Units of `cleaned` weighed by the logit they add: `score_of(texts)` scores the texts with
    one unit deleted each (one batch of at most OCCLUSION_UNITS texts)."""
    ranges = units(cleaned)
    if len(ranges) < 2:  # deleting the only sentence leaves nothing to score
        return []
    without = score_of([cleaned[:s] + " " + cleaned[e:] for s, e in ranges])
    full = logit(score)
    spans = [Span(s, e, full - logit(float(p))) for (s, e), p in zip(ranges, without, strict=True)]
    return [span for span in spans if span.weight > 0 or (both and span.weight < 0)]


def logit(p: float) -> float:
    p = min(max(p, 1e-7), 1 - 1e-7)
    return float(np.log(p / (1 - p)))


def locate(spans: list[Span], cleaned: str, submitted: str, both: bool) -> tuple[Reason, ...]:
    """The spans found in the submitted text, strongest first: up to MAX_REASONS raising the
    score (and with `both`, up to MAX_REASONS lowering it, after them). A span of function words
    alone ("your", "this email") says nothing to a reader, and a span already given is not repeated."""
    sent = submitted[:MAX_CHARS]  # as the model read it: the rest was never scored
    words = _Words(sent)
    found: list[Reason] = []
    taken: list[tuple[int, int]] = []
    seen: set[str] = set()
    scale = len(sent) / max(1, len(cleaned))
    for span in sorted(spans, key=lambda s: -abs(s.weight)):
        start, end = whole_words(cleaned, span.start, span.end)
        phrase = [w.lower() for w in _WORD_RE.findall(cleaned[start:end])]
        key = " ".join(phrase)
        if key in seen or all(w in FUNCTION_WORDS for w in phrase):
            continue
        place = words.find(phrase, int(start * scale), taken)
        if place is not None:
            taken.append(place)
            seen.add(key)
            found.append(Reason(place[0], place[1], sent[place[0]:place[1]], span.weight))
    raising = [r for r in found if r.weight > 0][:MAX_REASONS]
    lowering = [r for r in found if r.weight < 0][:MAX_REASONS] if both else []
    return (*raising, *lowering)


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


class _Words:
    """The words of a submitted text outside HTML tags, read in one pass, indexed by their lower
    case: a phrase is found by its first word's occurrences, so locating costs no more than
    reading the text, whatever its shape."""

    def __init__(self, text: str) -> None:
        self.words: list[str] = []
        self.places: list[tuple[int, int]] = []
        self.at: dict[str, list[int]] = {}
        for match in _WORD_OR_TAG_RE.finditer(text):
            if match.group(1) is not None:
                self.at.setdefault(match.group(1).lower(), []).append(len(self.words))
                self.words.append(match.group(1).lower())
                self.places.append(match.span())

    def find(self, phrase: list[str], near: int, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
        """Where the words occur in order, with only punctuation, spaces or tags between them: the
        occurrence nearest to `near` that no earlier reason holds."""
        if not phrase or len(phrase) > MAX_PHRASE_WORDS:
            return None
        best: tuple[int, int] | None = None
        for first in self.at.get(phrase[0], []):
            if self.words[first:first + len(phrase)] != phrase:
                continue
            place = (self.places[first][0], self.places[first + len(phrase) - 1][1])
            if any(place[0] < e and s < place[1] for s, e in taken):
                continue
            if best is None or abs(place[0] - near) < abs(best[0] - near):
                best = place
        return best
