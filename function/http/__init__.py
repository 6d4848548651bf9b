"""The one HTTP entry point: route by path and method, answer every failure as JSON."""

from __future__ import annotations

import time
from collections.abc import Callable

import flask
from flask import Request, Response
from werkzeug.exceptions import HTTPException

from function import lazy, logs
from function.http import cors, health, openapi, page, predict, v2
from function.http.errors import ApiError, error_response

Handler = Callable[[Request], Response]

ROUTES: dict[str, dict[str, Handler]] = {
    "/": {"GET": page.page, "POST": predict.predict},  # POST: what `gcloud functions call` sends
    "/predict": {"POST": predict.predict},
    "/healthz": {"GET": health.healthz},
    "/readyz": {"GET": health.readyz},
    "/openapi.json": {"GET": openapi.serve},
}
# Sent with every answer unless the handler chose otherwise (the page sets its own caching).
HARDENING = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
# Sub-APIs with path parameters: each routes its own paths and answers its own errors.
PREFIXES: dict[str, Handler] = {"/v2": v2.handle}


def _route(request: Request) -> Response:
    answer = cors.preflight(request)
    if answer is not None:
        return answer
    path = request.path.rstrip("/") or "/"
    for prefix, sub_api in PREFIXES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return sub_api(request)
    methods = ROUTES.get(path)
    if methods is None:
        raise ApiError(404, "not_found", f"no such path: {request.path}")
    handler = methods.get(request.method)
    if handler is None:
        if request.method == "HEAD" and "GET" in methods:
            return methods["GET"](request)
        allowed = ", ".join(sorted(methods))
        raise ApiError(405, "method_not_allowed", f"{request.path} accepts {allowed}",
                       {"Allow": allowed})
    return handler(request)


def _http_error(error: HTTPException) -> ApiError:
    status = error.code or 400
    code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(status, "bad_request")
    return ApiError(status, code, error.description or code)


def framework_error(error: HTTPException) -> Response:
    """Requests the framework refuses before calling the function (its own /favicon.ico and
    /robots.txt routes, a path with a newline) get the same JSON errors, headers and log line as
    any other: a refused path is routed here. main.py registers this handler."""
    if error.code == 404:
        return handle(flask.request)
    return _finish(flask.request, error_response(_http_error(error)), time.perf_counter())


def handle(request: Request) -> Response:
    started = time.perf_counter()
    try:
        response = _route(request)
    except ApiError as error:
        response = error_response(error)
    except lazy.ModelUnavailable as error:
        response = error_response(ApiError(503, "model_unavailable", str(error), {"Retry-After": "10"}))
    except HTTPException as error:  # werkzeug's own refusals, e.g. a form over the size limit
        response = error_response(_http_error(error))
    except Exception as error:  # a bug: answer 500 as JSON, log the type, never the input
        logs.log("ERROR", "unhandled error", error_type=type(error).__name__)
        response = error_response(ApiError(500, "internal", "internal error"))
    return _finish(request, response, started)


def _finish(request: Request, response: Response, started: float) -> Response:
    """Hardening and CORS headers, then one log line: never the text, only its length."""
    for name, value in HARDENING.items():
        response.headers.setdefault(name, value)
    cors.decorate(request, response)
    logs.log(
        "INFO" if response.status_code < 500 else "ERROR",
        f"{request.method} {request.path} {response.status_code}",
        httpRequest={"requestMethod": request.method, "requestUrl": request.path,
                     "status": response.status_code,
                     "latency": f"{time.perf_counter() - started:.6f}s"},
        text_chars=request.environ.get("predict.chars"),
        **logs.trace_field(request.headers.get("X-Cloud-Trace-Context")),
    )
    return response
