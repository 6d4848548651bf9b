"""The one HTTP entry point: size checks, CORS, the route table, one error renderer, one log line.

main.py hands every request here (functions-framework's ASGI form: uvicorn workers under
gunicorn). A request's path from here to the model: routes -> predict or v2 (decode, encode)
-> function.service (validate, clean, classify) -> function.model.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from function import logs
from function.web import cors, routes
from function.web.call import Call
from function.web.errors import ApiError, from_exception, render

MAX_TARGET_BYTES = 8192  # of a request's path and query: longer gets 414 (the server's own limit is 16 KiB)
SHOWN_PATH_CHARS = 200  # of a path, in an error message or a log line
# Sent with every answer unless the handler chose otherwise (the page sets its own caching).
HARDENING = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


def _shown(path: str) -> str:
    return path if len(path) <= SHOWN_PATH_CHARS else path[:SHOWN_PATH_CHARS] + "..."


async def _route(call: Call) -> Response:
    request = call.request
    scope = request.scope
    if len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") > MAX_TARGET_BYTES:
        raise ApiError(414, "uri_too_long", f"the request target is longer than {MAX_TARGET_BYTES} bytes")
    answer = cors.preflight(request)
    if answer is not None:
        return answer
    found = routes.match(request.method, call.path)
    if found.route is None:
        raise ApiError(404, "not_found", f"no such path: {_shown(call.path)}")
    if found.handler is None:
        allowed = routes.allowed(found.route)
        raise ApiError(405, "method_not_allowed", f"{_shown(call.path)} accepts {allowed}",
                       {"Allow": allowed})
    call.params = found.params
    return await found.handler(call)


async def handle(request: Request) -> Response:
    started = time.perf_counter()
    call = Call(request)
    try:
        response = await _route(call)
    except Exception as error:
        refusal = from_exception(error)
        if refusal.status == 500:  # a bug: log its type, never the input
            logs.log("ERROR", "unhandled error", error_type=type(error).__name__)
        response = render(refusal, v2=routes.is_v2(call.path))
    return _finish(call, response, started)


def _finish(call: Call, response: Response, started: float) -> Response:
    """Hardening and CORS headers, then one log line: never the text, only counts and answers."""
    request = call.request
    for name, value in HARDENING.items():
        response.headers.setdefault(name, value)
    cors.decorate(request, response)
    path = _shown(call.path)
    logs.log(
        "INFO" if response.status_code < 500 else "ERROR",
        f"{request.method} {path} {response.status_code}",
        httpRequest={"requestMethod": request.method, "requestUrl": path, "status": response.status_code,
                     "latency": f"{time.perf_counter() - started:.6f}s"},
        **(call.classified.log_fields() if call.classified else {}),
        **logs.trace_field(request.headers.get("x-cloud-trace-context")),
    )
    return response
