"""Environment variables -> one frozen Settings object, validated with clear messages."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from function.contract import DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY_BYTES, in_threshold_range

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "model"


class SettingsError(ValueError):
    """A setting has a value the function cannot use; the message names it."""


def _parsed(env: dict, name: str, parse, what: str):
    """The variable parsed, or None when it is unset or blank."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return parse(raw)
    except ValueError:
        raise SettingsError(f"{name} must be {what}, not {raw!r}") from None


def _int(env: dict, name: str, default: int, minimum: int = 1) -> int:
    value = _parsed(env, name, int, "a whole number")
    if value is None:
        return default
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _threshold(env: dict) -> float | None:
    value = _parsed(env, "THRESHOLD", float, "a number")  # None: the artifact's own threshold
    if value is not None and not in_threshold_range(value):
        raise SettingsError(f"THRESHOLD must lie between 0 and 1, not {value}")
    return value


def _seconds(env: dict, name: str, default: float) -> float:
    value = _parsed(env, name, float, "a number of seconds")
    if value is None:
        return default
    if not 0 <= value <= 3600:
        raise SettingsError(f"{name} must lie between 0 and 3600 seconds, not {value}")
    return value


def _threads(env: dict, warnings: list[str]) -> int:
    """ORT_THREADS, at most the CPUs this process may use: more only makes threads fight for them."""
    cpus = available_cpus()
    wanted = _int(env, "ORT_THREADS", cpus)
    if wanted > cpus:
        warnings.append(f"ORT_THREADS={wanted} exceeds the {cpus} CPUs this process may use: using {cpus}")
    return min(wanted, cpus)


def _bool(env: dict, name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _origins(env: dict) -> tuple[str, ...]:
    """CORS_ORIGINS: exact origins, comma- or space-separated; empty leaves CORS off."""
    origins = tuple(dict.fromkeys(env.get("CORS_ORIGINS", "").replace(",", " ").split()))
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise SettingsError(f"CORS_ORIGINS takes origins such as https://example.com (scheme, host, "
                                f"optional port; no path, no '*'), not {origin!r}")
    return origins


def _refuse_debug(env: dict) -> None:
    # functions-framework reads DEBUG too: set, it serves Flask's interactive debugger.
    if env.get("DEBUG", "").strip().lower() not in ("", "0", "false", "no", "off"):
        raise SettingsError("DEBUG must not be set: it would serve Flask's interactive debugger")


def available_cpus() -> int:
    """CPUs this process may really use: the cgroup quota, not the host's core count."""
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            return max(1, int(int(quota) / int(period) + 0.5))
    except (OSError, ValueError):
        pass
    return max(1, len(os.sched_getaffinity(0)))


@dataclass(frozen=True)
class Settings:
    model_uri: str  # a local folder, or gs://bucket/prefix/
    cache_dir: Path  # where a gs:// artifact is downloaded to
    fetch_timeout: float  # seconds for a whole gs:// download, retries included
    retry_seconds: float  # a failed load is remembered this long, doubled after each failure in a row
    max_body_bytes: int
    max_batch: int
    threads: int  # ONNX Runtime intra-op threads, at most the available CPUs
    preload: bool  # load at start-up (the container form) instead of on first request
    threshold: float | None  # overrides the artifact's decision threshold
    cors_origins: tuple[str, ...]  # browser origins allowed to call; empty: CORS off
    revision: str  # K_REVISION: the deployed revision on Cloud Run and Cloud Functions gen2
    project: str  # GOOGLE_CLOUD_PROJECT: names the trace in log lines
    warnings: tuple[str, ...] = ()  # settings adjusted to what the instance can do, logged at start

    @classmethod
    def from_env(cls, env: dict | None = None) -> Settings:
        env = os.environ if env is None else env
        _refuse_debug(env)
        uri = env.get("MODEL_URI", "").strip() or env.get("MODEL_DIR", "").strip()
        warnings: list[str] = []
        return cls(
            model_uri=uri or str(DEFAULT_MODEL_DIR),
            cache_dir=Path(env.get("MODEL_CACHE_DIR", "").strip() or "/tmp/model-cache"),
            fetch_timeout=float(_int(env, "MODEL_FETCH_TIMEOUT", 60)),
            retry_seconds=_seconds(env, "MODEL_RETRY_SECONDS", 1.0),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            max_batch=_int(env, "MAX_BATCH", DEFAULT_MAX_BATCH),
            threads=_threads(env, warnings),
            preload=_bool(env, "MODEL_PRELOAD"),
            threshold=_threshold(env),
            cors_origins=_origins(env),
            revision=env.get("K_REVISION", "").strip() or "local",
            project=env.get("GOOGLE_CLOUD_PROJECT", "").strip(),
            warnings=tuple(warnings),
        )


@cache
def settings() -> Settings:
    """The process's settings, read once."""
    return Settings.from_env()
