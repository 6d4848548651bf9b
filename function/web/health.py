"""/healthz (the process answers; loads nothing) and /readyz (the model is loaded)."""

from __future__ import annotations

from starlette.responses import Response

from function import lazy
from function.web.call import Call, model
from function.web.errors import ApiError, from_exception, json_response


async def healthz(call: Call) -> Response:
    return json_response({"status": "ok"})


async def readyz(call: Call) -> Response:
    try:
        found = await model()
    except lazy.ModelUnavailable as error:
        refusal: ApiError = from_exception(error)
        return json_response({"status": "unavailable", "error": {"code": refusal.code,
                                                                 "message": refusal.message}},
                             503, refusal.headers)
    status = lazy.status()
    return json_response({"status": "ready", "model": {"name": found.name, "version": found.version},
                          "loads": status.loads, "load_seconds": status.load_seconds})
