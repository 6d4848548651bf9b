"""The in-process tier's client: the deployed ASGI app (functions-framework's, with main.py's
function) called directly, without a socket, one request at a time. Seconds for hundreds of
requests; the model is loaded once per test session, as in one server process.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache

from function.settings import settings
from tests.support import ROOT, Reply


@cache
def framework_app():
    """functions-framework's ASGI app for main.py, as it serves it."""
    from functions_framework.aio import create_asgi_app

    return create_asgi_app("predict", str(ROOT / "main.py"))


@cache
def app():
    """The app as the deployed server runs it: function/web/server.py in front of functions-framework's."""
    from function.web import server

    return server._function_first(framework_app())


def plane():
    """The model plane main.py created and serves (loaded on first use)."""
    framework_app()
    return sys.modules["main"].plane


async def _exchange(method: str, path: str, chunks: list[bytes], headers: dict[str, str],
                    through=app) -> Reply:
    raw_path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": raw_path, "raw_path": raw_path.encode(), "root_path": "",
             "query_string": query.encode(), "server": ("127.0.0.1", 8080), "client": ("127.0.0.1", 9),
             "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]}
    pending = list(chunks) or [b""]
    sent: list[dict] = []

    async def receive() -> dict:
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        await asyncio.sleep(3600)  # a real client waits for the answer, it does not disconnect
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await through()(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    found: dict[str, str] = {}
    for name, value in start["headers"]:
        key = name.decode("latin-1").lower()
        found[key] = f"{found[key]}, {value.decode('latin-1')}" if key in found else value.decode("latin-1")
    return Reply(start["status"], found, body)


def call(path: str, method: str = "GET", body: bytes | Iterable[bytes] | None = None,
         headers: dict | None = None, through=app) -> Reply:
    """One request; `body` as bytes (one message) or as chunks (several, as chunked framing sends).
    `through`: the app it goes to (functions-framework's alone: framework_app)."""
    chunks = [] if body is None else [body] if isinstance(body, bytes) else list(body)
    return asyncio.run(_exchange(method, path, chunks, headers or {}, through))


def post(path: str, body: bytes | Iterable[bytes], content_type: str | None = "text/plain",
         through=app, **headers: str) -> Reply:
    extra = {k.replace("_", "-"): v for k, v in headers.items()}
    return call(path, "POST", body, {**({"Content-Type": content_type} if content_type else {}), **extra},
                through)


def post_json(path: str, document: object, through=app) -> Reply:
    return post(path, json.dumps(document).encode(), "application/json", through)


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Settings from these environment variables for the duration (settings are read once)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        settings.cache_clear()
