"""One request as the handlers see it, and the one way they reach the classify service."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from starlette.requests import Request
from werkzeug.http import parse_options_header

from function import lazy, service
from function.web.errors import ApiError

MAX_CONTENT_TYPE = 1024  # characters of a Content-Type header: far past any real one


@dataclass
class Call:
    request: Request
    params: dict[str, str] = field(default_factory=dict)  # path parameters
    classified: service.Classified | None = None  # set by classify(): the log line reads it

    @property
    def path(self) -> str:
        """The decoded path as sent (request.url would drop a %0A in it)."""
        return self.request.scope["path"]

    def content_type(self) -> tuple[str, dict[str, str]]:
        """(mimetype in lower case or "", its parameters); 400 for an oversized header."""
        header = self.request.headers.get("content-type", "")
        if len(header) > MAX_CONTENT_TYPE:
            raise ApiError(400, "bad_request", f"the Content-Type header is longer than {MAX_CONTENT_TYPE}")
        mimetype, params = parse_options_header(header)
        return mimetype.lower(), params


async def classify(call: Call, texts: list[str], cleaned: bool = False, cut: float | None = None,
                   both: bool | None = None) -> service.Classified:
    """The service's predictions (see service.classify). A quick model runs on the event loop; a
    slow one (a transformer, a long batch) or the first load runs in a thread, so other requests
    and /healthz go on."""
    if service.quick(len(texts)):
        result = service.classify(texts, cleaned, cut, both)
    else:
        result = await asyncio.to_thread(service.classify, texts, cleaned, cut, both)
    call.classified = result
    return result


async def model() -> object:
    """The loaded model, loading it in a thread if needed (requests arriving meanwhile share it)."""
    return lazy.loaded() or await asyncio.to_thread(lazy.get)
