"""Structured logs: one JSON object per line on stdout, in Cloud Logging's format.

Never pass an e-mail's text here: log its length, not its content.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import NoReturn

from function.settings import settings

_write_lock = threading.Lock()


def trace_field(header: str | None) -> dict:
    """`X-Cloud-Trace-Context: TRACE/SPAN;o=1` -> Cloud Logging's trace field."""
    trace = (header or "").split("/", 1)[0].strip()
    if not trace or not trace.isalnum() or len(trace) > 64:
        return {}
    project = settings().project
    value = f"projects/{project}/traces/{trace}" if project else trace
    return {"logging.googleapis.com/trace": value}


def log(severity: str, message: str, **fields: object) -> None:
    line = json.dumps({"severity": severity, "message": message, **fields}, default=str)
    with _write_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def refuse_start(reason: str) -> NoReturn:
    """Stops the process before it serves: the reason once for a person, once as a log line."""
    sys.stderr.write(f"configuration error: {reason}\n")
    sys.stderr.flush()
    log("ERROR", f"configuration error: {reason}")
    raise SystemExit(2)
