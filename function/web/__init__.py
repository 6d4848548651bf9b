"""The function's HTTP side: function/web/app.py (the app, the route table, the one error renderer),
predict.py and v2.py (decode -> the model plane -> encode), forms.py, health.py, page.py, openapi.py
(generated from function/contract.py), cors.py, server.py (the hardened uvicorn protocol)."""

from __future__ import annotations

import sys

from starlette.requests import Request
from starlette.responses import Response


async def handle(request: Request) -> Response:
    """The app main.py serves, for function/web/server.py's requests that functions-framework would
    refuse in plain text. (To go: server.py can call `main.app.handle` itself.)"""
    return await sys.modules["main"].app.handle(request)
