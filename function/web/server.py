"""The server form: functions-framework's ASGI path, uvicorn workers (h11) under gunicorn, hardened.

functions-framework starts gunicorn with `limit_request_line 0` and offers no hook for the server,
but it imports main.py in gunicorn's master before the workers exist; `configure()`, called
there, gives uvicorn's workers this module's HTTP protocol, which adds what the function's own
code cannot see:
- a request line longer than MAX_LINE_BYTES is answered 414 as it arrives (nothing is echoed,
  nothing more is read); a head or a chunk-size line past MAX_EVENT_BYTES, or any request h11
  cannot parse (a bad chunk size, a 100 KB chunk extension), gets a JSON 400 instead of
  uvicorn's plain text;
- a client that ends its side of the connection before the body is complete (Content-Length
  larger than what was sent, a chunked body cut off) gets a JSON 400 instead of nothing;
- the paths and methods functions-framework's own Starlette app refuses in plain text
  (/robots.txt, /favicon.ico, a path with a newline, methods such as TRACE) reach the
  function's route table instead;
- no `server: uvicorn` header: nothing says which software answers.
Slow and idle clients cost the event loop a socket each, never a thread: /healthz stays quick.
"""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn_worker import UvicornWorker

MAX_LINE_BYTES = 8192
MAX_EVENT_BYTES = 8192  # an incomplete head or chunk-size line h11 may buffer (uvicorn's default: 16 KiB)
PIECE_BYTES = 4096  # h11 is fed this much at a time, so that limit holds however much arrives at once
LINGER_SECONDS = 2.0  # after a refusal, the rest of what the client sends is read and dropped this long
# What functions-framework's Starlette app routes to the function; the rest it answers itself.
FRAMEWORK_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"})
FRAMEWORK_PATHS = frozenset({"/robots.txt", "/favicon.ico"})


def _json_error(status: int, code: str, message: str) -> bytes:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    reason = {400: b"Bad Request", 414: b"URI Too Long"}[status]
    return (b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"x-content-type-options: nosniff\r\ncache-control: no-store\r\nconnection: close\r\n\r\n"
            % (status, reason, len(body))) + body


class Protocol(H11Protocol):
    """uvicorn's h11 protocol with the refusals above."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.app = _function_first(self.app)
        self._line = 0  # bytes of the current request line seen so far
        self._line_done = False
        self._refused = False

    def data_received(self, data: bytes) -> None:
        if self._refused:  # answered already: drop the rest, so closing does not reset the answer
            return
        for start in range(0, len(data), PIECE_BYTES):
            self._receive(data[start:start + PIECE_BYTES])
            if self._refused or self.transport.is_closing():
                return

    def _receive(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and not self._line_done:
            end = data.find(b"\n")
            self._line += len(data) if end < 0 else end
            self._line_done = end >= 0
            if self._line > MAX_LINE_BYTES:
                self._refuse(_json_error(414, "uri_too_long",
                                         f"the request line is longer than {MAX_LINE_BYTES} bytes"))
                return
        super().data_received(data)

    def on_response_complete(self) -> None:
        self._line, self._line_done = 0, False
        super().on_response_complete()

    def eof_received(self) -> bool | None:
        cycle = self.cycle
        if cycle is not None and cycle.more_body and not cycle.response_started:
            self._refuse(_json_error(400, "incomplete_body",
                                     "the connection was half-closed before the body was complete"))
            return True
        return None

    def send_400_response(self, msg: str) -> None:
        self._refuse(_json_error(400, "bad_request",
                                 f"malformed HTTP request: a head or line over {MAX_EVENT_BYTES} bytes, "
                                 "or not HTTP/1.1 "
                                 "(request line, headers, Content-Length or chunked framing)"))

    def _refuse(self, raw: bytes) -> None:
        """Answers, stops reading the request, and closes once the client had time to read the answer
        (closing with unread data at once would reset the connection and lose it)."""
        if self.cycle is not None:  # the function stops waiting for a body that will not come
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        self.transport.write(raw)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def _function_first(app):
    """Sends what functions-framework's app would refuse in plain text to the function instead."""

    async def asgi(scope, receive, send) -> None:
        if scope["type"] == "http" and (scope["method"] not in FRAMEWORK_METHODS or "\n" in scope["path"]
                                        or scope["path"] in FRAMEWORK_PATHS):
            from starlette.requests import Request

            from function import web

            response = await web.handle(Request(scope, receive))
            await response(scope, receive, send)
            return
        await app(scope, receive, send)

    return asgi


def configure() -> None:
    """Gives uvicorn's gunicorn workers this protocol; call in the master, before they start."""
    UvicornWorker.CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "http": Protocol, "loop": "asyncio",
                                   "server_header": False, "h11_max_incomplete_event_size": MAX_EVENT_BYTES}
