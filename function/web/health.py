"""/healthz (the process answers; loads nothing) and /readyz (the model is loaded, loading it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from function.contract import ApiError, dumps

if TYPE_CHECKING:
    from function.web.app import Call


def _json(document: object, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(document), status, headers, "application/json")


async def healthz(call: Call) -> Response:
    return _json({"status": "ok"})


async def readyz(call: Call) -> Response:
    plane = call.plane
    try:
        found = await plane.loaded()
    except ApiError as error:
        return _json({"status": "unavailable", "error": {"code": error.code.value, "message": error.message}},
                     error.status, error.headers)
    return _json({"status": "ready", "model": {"name": found.name, "version": found.version},
                  "loads": plane.loads, "load_seconds": plane.load_seconds})
