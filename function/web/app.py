"""The HTTP app: one request in, one answer out, in a straight line.

    main.predict -> App.handle: target size, CORS preflight, route, body (within MAX_BODY_BYTES)
                 -> the route's handler (predict.py, v2.py: decode with function.contract,
                    one call to the model plane, encode)
                 -> App.handle: hardening and CORS headers, one log line (never the text)

Every error, whichever layer raised it, leaves through `render`, as JSON in its protocol's shape.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from werkzeug.http import parse_options_header

from function import logs
from function.contract import Answer, ApiError, ErrorCode, Limits, error_body, limits
from function.limits import MAX_CONTENT_TYPE, MAX_TARGET_BYTES, SHOWN_PATH_CHARS
from function.model import Plane
from function.settings import settings
from function.web import cors, health, openapi, page, predict, v2

# Sent with every answer unless the handler chose otherwise (the page sets its own caching).
HARDENING = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
_SLASHES = re.compile(r"/{2,}")


@dataclass
class Call:
    """One request as a handler sees it: the body already read, the plane that answers it."""

    request: Request
    plane: Plane
    limits: Limits
    params: dict[str, str] = field(default_factory=dict)  # path parameters
    body: bytes = b""  # read before the handler runs, for the routes that take one
    mimetype: str = ""  # of the Content-Type, in lower case ("" when none)
    options: dict[str, str] = field(default_factory=dict)  # the Content-Type's parameters
    answer: Answer | None = None  # the plane's answer: the log line reads it


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    path: str  # a template such as /v2/models/{name}
    methods: dict[str, Handler]
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", compile_path(self.path)[0])

    @property
    def allowed(self) -> str:
        return ", ".join(sorted(set(self.methods) | ({"HEAD"} if "GET" in self.methods else set())))


def _v2_model(suffix: str, methods: dict[str, Handler]) -> list[Route]:
    return [Route(f"/v2/models/{{name}}{middle}{suffix}", methods)
            for middle in ("", "/versions/{version}")]


# The one route table: every path the function serves. Paths are matched once normalised (doubled
# slashes collapsed, a trailing slash dropped); HEAD is answered wherever GET is.
ROUTES: tuple[Route, ...] = (
    Route("/", {"GET": page.page, "POST": predict.predict}),  # POST: what `gcloud functions call` sends
    Route("/predict", {"POST": predict.predict}),
    Route("/healthz", {"GET": health.healthz}),
    Route("/readyz", {"GET": health.readyz}),
    Route("/openapi.json", {"GET": openapi.serve}),
    Route("/v2", {"GET": v2.server_metadata}),
    Route("/v2/health/live", {"GET": v2.live}),
    Route("/v2/health/ready", {"GET": v2.ready}),
    *_v2_model("", {"GET": v2.model_metadata}),
    *_v2_model("/ready", {"GET": v2.model_ready}),
    *_v2_model("/infer", {"POST": v2.infer}),
)


def normalise(path: str) -> str:
    return _SLASHES.sub("/", path).rstrip("/") or "/"


def shown(path: str) -> str:
    return path if len(path) <= SHOWN_PATH_CHARS else path[:SHOWN_PATH_CHARS] + "..."


def render(error: ApiError, v2: bool = False) -> Response:
    """The one error renderer: every refusal, in its protocol's shape."""
    return Response(error_body(error.code, error.message, v2), error.status, error.headers,
                    "application/json")


class App:
    """The function's HTTP side, holding the one model plane it hands every request."""

    def __init__(self, plane: Plane) -> None:
        self.plane = plane

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        call = Call(request, self.plane, limits(settings()))
        path = request.scope["path"]  # as sent: request.url would drop a %0A in it
        try:
            response = await self._dispatch(call, path)
        except Exception as error:
            if not isinstance(error, ApiError):  # a bug: log its type, never the input
                logs.log("ERROR", "unhandled error", error_type=type(error).__name__)
                error = ApiError(ErrorCode.INTERNAL, "internal error")
            normal = normalise(path)
            response = render(error, v2=normal == "/v2" or normal.startswith("/v2/"))
        for name, value in HARDENING.items():
            response.headers.setdefault(name, value)
        if settings().cors_origins:
            cors.decorate(request, response)
        answer = call.answer
        logs.log(
            "INFO" if response.status_code < 500 else "ERROR",
            f"{request.method} {shown(path)} {response.status_code}",
            httpRequest={"requestMethod": request.method, "requestUrl": shown(path),
                         "status": response.status_code, "latency": f"{time.perf_counter() - started:.6f}s"},
            **({} if answer is None else {
                "text_chars": answer.chars, "texts": len(answer.predictions),
                "flagged": sum(p.prediction for p in answer.predictions),
                "scores": [round(p.score, 4) for p in answer.predictions],
                "labels": [p.label for p in answer.predictions]}),
            **logs.trace_field(request.headers.get("x-cloud-trace-context")),
        )
        return response

    async def _dispatch(self, call: Call, path: str) -> Response:
        request = call.request
        scope = request.scope
        if len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") > MAX_TARGET_BYTES:
            raise ApiError(ErrorCode.URI_TOO_LONG,
                           f"the request target is longer than {MAX_TARGET_BYTES} bytes")
        method = request.method
        if method == "OPTIONS" and settings().cors_origins:
            answer = cors.preflight(request)
            if answer is not None:
                return answer
        normal = normalise(path)
        for route in ROUTES:
            found = route.pattern.fullmatch(normal)
            if found:
                break
        else:
            raise ApiError(ErrorCode.NOT_FOUND, f"no such path: {shown(path)}")
        handler = route.methods.get(method) or (route.methods.get("GET") if method == "HEAD" else None)
        if handler is None:
            raise ApiError(ErrorCode.METHOD_NOT_ALLOWED, f"{shown(path)} accepts {route.allowed}",
                           {"Allow": route.allowed})
        call.params = found.groupdict()
        if method == "POST":
            header = request.headers.get("content-type", "")
            if len(header) > MAX_CONTENT_TYPE:
                raise ApiError(ErrorCode.BAD_REQUEST,
                               f"the Content-Type header is longer than {MAX_CONTENT_TYPE}")
            mimetype, call.options = parse_options_header(header)
            call.mimetype = mimetype.lower()
            call.body = await _body(call)
        return await handler(call)


def too_large(limit: int) -> ApiError:
    return ApiError(ErrorCode.BODY_TOO_LARGE, f"the body is larger than {limit} bytes")


async def _body(call: Call) -> bytes:
    """The whole body, or 413 as soon as it passes the limit (nothing more is read), however it is
    framed (Content-Length or chunked): no framing makes the server hold more."""
    request, limit = call.request, call.limits.max_body_bytes
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise ApiError(ErrorCode.UNSUPPORTED_ENCODING,
                       f"Content-Encoding {encoding[:40]!r} is not accepted: send the body uncompressed")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and len(declared) <= 18 and int(declared) > limit:
        raise too_large(limit)
    chunks, size = [], 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ApiError(ErrorCode.INCOMPLETE_BODY, "the connection closed before the body was complete")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
