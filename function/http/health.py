"""/healthz (the process answers; loads nothing) and /readyz (the model is loaded)."""

from __future__ import annotations

from flask import Request, Response

from function import lazy
from function.http.errors import json_response


def healthz(request: Request) -> Response:
    return json_response({"status": "ok"})


def readyz(request: Request) -> Response:
    try:
        model = lazy.get()
    except lazy.ModelUnavailable as error:
        return json_response({"status": "unavailable", "error": {"code": "model_unavailable",
                                                                 "message": str(error)}}, 503)
    status = lazy.status()
    return json_response({"status": "ready", "model": {"name": model.name, "version": model.version},
                          "loads": status.loads, "load_seconds": status.load_seconds})
