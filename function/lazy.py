"""Once-per-process model holder: the Cloud Functions lazy-global pattern, without its race.

The first request loads the model under a lock; the requests that arrive meanwhile wait for that
one load and share its outcome (they never start a load of their own), then every request reads
the cached global with no lock at all (double-checked). A failed load is remembered for a short,
growing while (MODEL_RETRY_SECONDS, doubled after each failure in a row, at most MAX_BACKOFF):
requests in that window get its 503 at once instead of redoing a fetch that just failed; the
first request after it tries again, so an instance recovers once the cause is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from dataclasses import dataclass

from function import artifact, logs, store
from function.model import Model
from function.settings import SettingsError, settings

MAX_BACKOFF = 30.0  # seconds a failure is remembered at most


class ModelUnavailable(RuntimeError):
    """The model could not be loaded; the message says why, without server paths or bucket names."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Status:
    loads: int  # successful loads in this process: 1 once ready, never more
    load_seconds: float | None


@dataclass(frozen=True)
class _Failure:
    reason: str  # for callers: no internals
    until: float  # time.monotonic() before which it is answered without a new attempt


_model: Model | None = None
_lock = threading.Lock()
_attempts = 0  # loads tried, successful or not
_failures = 0  # failed loads in a row
_failure: _Failure | None = None
_loads = 0
_load_seconds: float | None = None


def _load() -> Model:
    config = settings()
    local = store.fetch(config.model_uri, config.cache_dir, config.fetch_timeout)
    return Model(artifact.read(local), threads=config.threads, threshold=config.threshold)


def public_reason(detail: str) -> str:
    """A load error as a caller may see it: the model's location and server paths replaced."""
    config = settings()
    text = detail.replace(config.model_uri.rstrip("/"), "<model>").replace(str(config.cache_dir), "<cache>")
    text = re.sub(r"gs://[^\s'\"]*", "<model>", text)
    return re.sub(r"(?<![\w<>])/[^\s'\":,]+", "<path>", text)


def loaded() -> Model | None:
    """The model if it is loaded, without waiting: the request path's lock-free fast check."""
    return _model


def get() -> Model:
    """The process's model, loaded on first use; raises ModelUnavailable."""
    global _model, _attempts, _failures, _failure, _loads, _load_seconds
    model = _model
    if model is not None:
        return model
    seen = _attempts
    with _lock:
        if _model is not None:
            return _model
        now = time.monotonic()
        if _failure is not None and (_attempts != seen or now < _failure.until):
            # A load finished (and failed) while this request waited, or one failed moments ago.
            raise ModelUnavailable(_failure.reason, max(0.0, _failure.until - now))
        started = time.perf_counter()
        try:
            loaded_model = _load()
        except (artifact.ArtifactError, store.StoreError, SettingsError, OSError) as error:
            _attempts, _failures = _attempts + 1, _failures + 1
            backoff = min(MAX_BACKOFF, settings().retry_seconds * 2 ** (_failures - 1))
            _failure = _Failure(public_reason(str(error)), time.monotonic() + backoff)
            logs.log("ERROR", "model unavailable", error=str(error), retry_in_seconds=backoff)
            raise ModelUnavailable(_failure.reason, backoff) from None
        _load_seconds = time.perf_counter() - started
        _model, _attempts, _failures, _failure, _loads = loaded_model, _attempts + 1, 0, None, _loads + 1
        logs.log("INFO", "model loaded", model=loaded_model.name, version=loaded_model.version,
                 load_seconds=round(_load_seconds, 4))
        return _model


def preload() -> None:
    """Loads the model at start-up, in the process that will serve it.

    functions-framework imports main.py in gunicorn's master and then forks the worker.
    ONNX Runtime's thread pool does not survive a fork, so the load starts right after it,
    in the worker; /readyz answers 200 only once it is done.
    """
    os.register_at_fork(after_in_child=_load_in_background)


def _load_in_background() -> None:
    def run() -> None:
        # A failure is logged by get(); /readyz reports it and a later request retries.
        with contextlib.suppress(ModelUnavailable):
            get()

    threading.Thread(target=run, name="model-preload", daemon=True).start()


def status() -> Status:
    return Status(_loads, _load_seconds)
