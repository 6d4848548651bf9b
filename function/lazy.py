"""Once-per-process model holder: the Cloud Functions lazy-global pattern, without its race.

The first request loads the model under a lock; the others that arrive meanwhile wait for
it, then every request reads the cached global with no lock at all (double-checked).
A failed load is remembered for /readyz and retried by a later request, so an instance
recovers once the cause (a missing bucket, a full disk) is gone.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass

from function import artifact, logs, store
from function.model import Model
from function.settings import SettingsError, settings


class ModelUnavailable(RuntimeError):
    """The model could not be loaded; the message says why."""


@dataclass(frozen=True)
class Status:
    state: str  # idle | loading | ready | failed
    loads: int  # successful loads in this process: 1 once ready, never more
    load_seconds: float | None
    error: str | None


_model: Model | None = None
_lock = threading.Lock()
_state = "idle"
_loads = 0
_load_seconds: float | None = None
_error: str | None = None


def _load() -> Model:
    config = settings()
    local = store.fetch(config.model_uri, config.cache_dir, config.fetch_timeout)
    return Model(artifact.read(local), threads=config.threads, threshold=config.threshold)


def get() -> Model:
    """The process's model, loaded on first use."""
    global _model, _state, _loads, _load_seconds, _error
    model = _model
    if model is not None:
        return model
    with _lock:
        if _model is None:
            _state, started = "loading", time.perf_counter()
            try:
                loaded = _load()
            except (artifact.ArtifactError, store.StoreError, SettingsError, OSError) as error:
                _state, _error = "failed", str(error)
                logs.log("ERROR", "model unavailable", error=_error)
                raise ModelUnavailable(_error) from None
            _load_seconds = time.perf_counter() - started
            _model, _state, _loads, _error = loaded, "ready", _loads + 1, None
            logs.log("INFO", "model loaded", model=loaded.name, version=loaded.version,
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
    return Status(_state, _loads, _load_seconds, _error)
