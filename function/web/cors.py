"""CORS: off unless CORS_ORIGINS lists origins; then exactly those may call from a browser.

Off, a browser page served from elsewhere cannot read any answer (no Access-Control-Allow-Origin
is ever sent) and a preflight OPTIONS gets the usual 405. The page served at GET / needs none
of this: it calls its own origin.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from function.settings import settings

METHODS = "GET, POST"
ALLOW_HEADERS = "Content-Type, X-Cloud-Trace-Context, Inference-Header-Content-Length"
EXPOSE_HEADERS = "Inference-Header-Content-Length, Retry-After"
MAX_AGE_SECONDS = "600"


def _allowed(request: Request) -> str | None:
    origin = request.headers.get("Origin")
    return origin if origin is not None and origin in settings().cors_origins else None


def preflight(request: Request) -> Response | None:
    """The answer to an allowed origin's preflight; None for any other request."""
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    origin = _allowed(request)
    if origin is None:
        return None
    return Response(status_code=204, headers={
        "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": METHODS,
        "Access-Control-Allow-Headers": ALLOW_HEADERS, "Access-Control-Max-Age": MAX_AGE_SECONDS,
    })


def decorate(request: Request, response: Response) -> None:
    """Lets an allowed origin read the response; marks it as varying by Origin when CORS is on."""
    if not settings().cors_origins:
        return
    response.headers.add_vary_header("Origin")
    origin = _allowed(request)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
