"""The one route table: every path the function serves, its methods, and its error shape.

Paths are matched once normalised (doubled slashes collapsed, a trailing slash dropped), so
`/v2//health/live/` is `/v2/health/live`. HEAD is answered wherever GET is; any other method
not listed is a 405 with `Allow`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.responses import Response
from starlette.routing import compile_path

from function.web import health, openapi, page, predict, v2
from function.web.call import Call

Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    path: str  # a template such as /v2/models/{name}
    methods: dict[str, Handler]
    v2: bool = False  # errors in the Open Inference Protocol's shape
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", compile_path(self.path)[0])


def _v2_model(suffix: str, methods: dict[str, Handler]) -> list[Route]:
    return [Route(f"/v2/models/{{name}}{middle}{suffix}", methods, v2=True)
            for middle in ("", "/versions/{version}")]


ROUTES: tuple[Route, ...] = (
    Route("/", {"GET": page.page, "POST": predict.predict}),  # POST: what `gcloud functions call` sends
    Route("/predict", {"POST": predict.predict}),
    Route("/healthz", {"GET": health.healthz}),
    Route("/readyz", {"GET": health.readyz}),
    Route("/openapi.json", {"GET": openapi.serve}),
    Route("/v2", {"GET": v2.server_metadata}, v2=True),
    Route("/v2/health/live", {"GET": v2.live}, v2=True),
    Route("/v2/health/ready", {"GET": v2.ready}, v2=True),
    *_v2_model("", {"GET": v2.model_metadata}),
    *_v2_model("/ready", {"GET": v2.model_ready}),
    *_v2_model("/infer", {"POST": v2.infer}),
)
_SLASHES = re.compile(r"/{2,}")


def normalise(path: str) -> str:
    return _SLASHES.sub("/", path).rstrip("/") or "/"


@dataclass(frozen=True)
class Match:
    route: Route | None  # None: no such path
    handler: Handler | None  # None: the path exists, the method does not (405)
    params: dict[str, str]


def match(method: str, path: str) -> Match:
    path = normalise(path)
    for route in ROUTES:
        found = route.pattern.fullmatch(path)
        if found:
            handler = route.methods.get(method) or (route.methods.get("GET") if method == "HEAD" else None)
            return Match(route, handler, found.groupdict())
    return Match(None, None, {})


def allowed(route: Route) -> str:
    methods = set(route.methods) | ({"HEAD"} if "GET" in route.methods else set())
    return ", ".join(sorted(methods))


def is_v2(path: str) -> bool:
    """Whether an unmatched path belongs to the V2 API (its 404 takes that protocol's shape)."""
    path = normalise(path)
    return path == "/v2" or path.startswith("/v2/")
