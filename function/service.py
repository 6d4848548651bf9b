"""Texts in -> validated, cleaned, classified -> predictions: the one place every protocol calls.

KServe's data plane, sized down: /predict and /v2 only decode their wire format into a list of
texts and encode what comes back. Validation and the cleaning the model was trained with
(`function.mail.clean`) happen here and nowhere else; so does the call into the lazily loaded
model. What a log line may show comes back with the predictions: counts, scores and labels,
never the text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from function import explain, lazy, mail
from function.model import Model, Prediction
from function.settings import settings

SLOW_SECONDS = 0.002  # a model call longer than this runs off the event loop


class Refused(ValueError):
    """Input the service will not classify; `code` is stable, the message names what is wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Classified:
    predictions: list[Prediction]
    model: Model
    chars: int  # characters the model was given, for the log line
    threshold: float  # the one that decided each prediction
    reasons: list[list[explain.Reason]] | None = None  # per text, when asked for

    def log_fields(self) -> dict:
        """What a log line carries: how much was classified and the answers, never the text."""
        return {"text_chars": self.chars, "texts": len(self.predictions),
                "flagged": sum(p.prediction for p in self.predictions),
                "scores": [round(p.score, 4) for p in self.predictions],
                "labels": [p.label for p in self.predictions]}


def text(value: object, where: str) -> str:
    """One caller-supplied text, refused when it is not a non-blank string."""
    if not isinstance(value, str):
        raise Refused("invalid_text", f"{where} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise Refused("empty_text", f"{where} is empty")
    return value


def batch(items: object, where: str) -> list:
    """A caller's list of items, refused when it is not a list of 1 to MAX_BATCH of them."""
    if not isinstance(items, list) or not items:
        raise Refused("invalid_batch", f"{where} must be a non-empty list")
    limit = settings().max_batch
    if len(items) > limit:
        raise Refused("batch_too_large", f"{where} holds {len(items)} texts; the limit is {limit}")
    return items


def message(raw: bytes) -> str:
    """The model's text of a raw RFC 822 message, refused when nothing readable is left."""
    if not raw.strip():
        raise Refused("empty_text", "the message is empty")
    found = mail.message_text(raw)
    if not found.strip():
        raise Refused("empty_text", "the message holds no text (only headers or attachments)")
    return found


EXPLAIN_MODES = {True: False, "all": True}  # the request's "explain" -> lowering reasons too


def threshold(value: object) -> float | None:
    """A caller's threshold: absent (None) or a number strictly between 0 and 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise Refused("invalid_threshold", f"threshold must be a number between 0 and 1 (exclusive), "
                                           f"not {str(value)[:40]}")
    return float(value)


def explain_mode(value: object) -> bool | None:
    """A caller's "explain": absent or false (None), true (raising reasons) or "all" (both signs)."""
    if value is None or value is False:
        return None
    if isinstance(value, bool | str) and value in EXPLAIN_MODES:
        return EXPLAIN_MODES[value]
    raise Refused("invalid_explain", f'explain must be true, false or "all", not {str(value)[:40]}')


_last_seconds = 1.0  # the last call's CPU time per text: until one is measured, assume it is slow


def quick(count: int) -> bool:
    """Whether classifying `count` texts costs little enough to do on the event loop."""
    return lazy.loaded() is not None and _last_seconds * count < SLOW_SECONDS


def classify(texts: list[str], cleaned: bool = False, cut: float | None = None,
             both: bool | None = None) -> Classified:
    """Predictions for texts already validated with `text`, in order; loads the model if needed.

    `cleaned`: the texts come from `message` (already what the model sees). `cut`: a threshold
    from `threshold`. `both`: from `explain_mode`; not None adds reasons located in `texts`."""
    global _last_seconds
    model = lazy.get()
    started = time.thread_time()  # CPU time, not wall time: a busy machine does not make the model slow
    seen = texts if cleaned else [mail.clean(t) for t in texts]
    predictions = model.predict(seen, cut)
    reasons = None if both is None else [
        explain.locate(model.reasons(clean, p.score, both), clean, sent, both)
        for clean, sent, p in zip(seen, texts, predictions, strict=True)]
    _last_seconds = (time.thread_time() - started) / max(1, len(seen))
    return Classified(predictions, model, sum(len(t) for t in seen),
                      model.threshold if cut is None else cut, reasons)
