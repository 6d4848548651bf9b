"""The server form: functions-framework's ASGI path, uvicorn workers (h11) under gunicorn, hardened.

functions-framework starts gunicorn with `limit_request_line 0` and offers no hook for the server,
but it imports main.py in gunicorn's master before the workers exist; `configure()`, called
there, gives uvicorn's workers this module's HTTP protocol, which adds what the function's own
code cannot see:
- a request line longer than MAX_LINE_BYTES is answered 414 as it arrives (nothing is echoed,
  nothing more is read); a head or a chunk-size line past MAX_EVENT_BYTES, any request h11
  cannot parse (a bad chunk size, a 100 KB chunk extension), or one that sends both
  Transfer-Encoding and Content-Length (the shape of request smuggling) gets a JSON 400;
- a chunked body of more than MAX_CHUNKS chunks gets a JSON 413: h11 parses chunk framing in
  Python, a few microseconds a chunk, so a million one-byte chunks would cost seconds;
- a head must arrive within HEAD_SECONDS of the connection (or of the previous answer), a body
  within BODY_SECONDS of its head: an idle connection is closed, a slow one gets a JSON 408;
- at most max_connections() connections at once: past it the one waiting longest for a request
  head is closed, so a flood of idle sockets cannot take the worker's file descriptors and a
  new /healthz still gets in;
- a client that ends its side before the body is complete gets a JSON 400; one that ends it
  after a complete request (`nc -N`) still gets its answer;
- an answer sent before the body was read (413, 404 of a POST) says `Connection: close`, and the
  connection closes without reading the rest (at most DRAIN_BYTES more are read and dropped);
- a request target in absolute form (`GET http://host/healthz`) is served as its path; `*` and
  the paths and methods functions-framework's own Starlette app refuses in plain text
  (/robots.txt, /favicon.ico, a path with a newline, methods such as TRACE) reach the
  function's route table instead, and any error an outer layer would still answer in plain text
  (Starlette's 404/405/500, an exception that escapes) leaves as the JSON error;
- no `server: uvicorn` header: nothing says which software answers.
Slow and idle clients cost the event loop a socket each, never a thread: /healthz stays quick.
Every error this module sends is rendered by function.web.app's renderer with its HARDENING headers.
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import itertools
import re
import resource
import sys
import termios
from http import HTTPStatus
from urllib.parse import unquote

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn_worker import UvicornWorker

from function.contract import ApiError, ErrorCode
from function.limits import MAX_TARGET_BYTES

MAX_LINE_BYTES = MAX_TARGET_BYTES
MAX_EVENT_BYTES = 8192  # an incomplete head or chunk-size line h11 may buffer (uvicorn's default: 16 KiB)
PIECE_BYTES = 4096  # h11 is fed this much at a time, so that limit holds however much arrives at once
MAX_CHUNKS = 16384  # of one chunked body: a 1 MiB body sent a line at a time still fits
HEAD_SECONDS = 5.0
BODY_SECONDS = 10.0  # the largest body (1 MiB) at 100 KiB/s
MAX_CONNECTIONS = 1000  # Cloud Run's highest concurrency; fewer if the descriptor limit is lower
SPARE_DESCRIPTORS = 64  # kept for the model's files, logs and the store's downloads
EVICTION_SCAN = 64  # connections looked at for one with nothing unread, before the oldest is closed
LINGER_SECONDS = 2.0  # after a refusal, the client has this long to read the answer before the close
DRAIN_BYTES = 1 << 20  # read and dropped after a refusal; then reading stops until the close
# What functions-framework's Starlette app routes to the function; the rest it answers itself.
FRAMEWORK_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"})
FRAMEWORK_PATHS = frozenset({"/robots.txt", "/favicon.ico"})
_ABSOLUTE_FORM = re.compile(rb"https?://[^/]*", re.IGNORECASE)
# Connections waiting for a request head, the longest waiting first (one worker, one event loop).
_waiting: dict[Protocol, None] = {}


def _error_response(code: ErrorCode, message: str):
    """The JSON error with the hardening headers, as a Starlette response (the app's renderer)."""
    from function.web.app import HARDENING, render

    response = render(ApiError(code, message))
    for name, value in HARDENING.items():
        response.headers.setdefault(name, value)
    return response


def _raw_error(code: ErrorCode, message: str) -> bytes:
    """The same, as bytes on the wire, with `Connection: close`."""
    response = _error_response(code, message)
    status = code.status
    response.headers["connection"] = "close"
    head = b"".join(b"%s: %s\r\n" % pair for pair in response.raw_headers)
    return b"HTTP/1.1 %d %s\r\n%s\r\n%s" % (status, HTTPStatus(status).phrase.encode(), head, response.body)


@functools.cache
def max_connections() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(1, min(MAX_CONNECTIONS, soft - SPARE_DESCRIPTORS))


class _CloseLater:
    """The transport a cycle sees once its answer must end the connection: closing lingers."""

    def __init__(self, protocol: Protocol) -> None:
        self._protocol = protocol

    def __getattr__(self, name: str):
        return getattr(self._protocol.transport, name)

    def close(self) -> None:
        self._protocol.linger()


class Protocol(H11Protocol):
    """uvicorn's h11 protocol with the refusals and limits above."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.app = _function_first(self.app, self)
        self._next_event = self.conn.next_event
        self.conn.next_event = self._checked_event
        self._line = 0  # bytes of the current request line seen so far
        self._line_done = False
        self._chunks = 0
        self._refused = False
        self._dropped = 0
        self._timer: asyncio.TimerHandle | None = None

    # The connection's life: a cap, and a deadline for each head and body.

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait_for_head()
        if len(self.connections) > max_connections():
            idle = self._idlest()
            if idle is None:  # every other connection is busy with a request: this one is refused at once
                self.transport.write(_raw_error(ErrorCode.TOO_MANY_CONNECTIONS, "too many connections"))
                self._close_idle()
            else:
                idle._close_idle()

    def _idlest(self) -> Protocol | None:
        """The connection waiting longest for a head that has nothing unread (bytes not read yet
        may be a request that only needs its turn, such as a /healthz in a flood of accepts)."""
        candidates = [p for p in itertools.islice(_waiting, EVICTION_SCAN + 1) if p is not self]
        return next((p for p in candidates if not p._unread()), candidates[0] if candidates else None)

    def _unread(self) -> bool:
        try:
            descriptor = self.transport.get_extra_info("socket").fileno()
            pending = fcntl.ioctl(descriptor, termios.FIONREAD, bytes(4))
        except (OSError, AttributeError):
            return False
        return pending != bytes(4)

    def connection_lost(self, exc: Exception | None) -> None:
        _waiting.pop(self, None)
        self._set_timer(None)
        super().connection_lost(exc)

    def _wait_for_head(self) -> None:
        _waiting[self] = None
        self._set_timer(HEAD_SECONDS)

    def _set_timer(self, seconds: float | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None if seconds is None else self.loop.call_later(seconds, self._timed_out)

    def _timed_out(self) -> None:
        self._timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            self._refuse(_raw_error(ErrorCode.REQUEST_TIMEOUT,
                                    f"the body did not arrive within {BODY_SECONDS:g} s of its head"))
        elif self._line:
            self._refuse(_raw_error(ErrorCode.REQUEST_TIMEOUT,
                                    f"the request head did not arrive within {HEAD_SECONDS:g} s"))
        else:
            self._close_idle()

    def _close_idle(self) -> None:
        _waiting.pop(self, None)
        if not self.transport.is_closing():
            self.transport.close()

    # What arrives: pieces, the request line's length, h11's events.

    def data_received(self, data: bytes) -> None:
        if self._refused:  # answered already: drop the rest, so closing does not reset the answer
            self._dropped += len(data)
            if self._dropped > DRAIN_BYTES:
                self.transport.pause_reading()
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
                self._refuse(_raw_error(ErrorCode.URI_TOO_LONG,
                                        f"the request line is longer than {MAX_LINE_BYTES} bytes"))
                return
        super().data_received(data)

    def _checked_event(self):
        """h11's next event, after the checks on framing that uvicorn does not make."""
        event = self._next_event()
        if isinstance(event, h11.Request):
            _waiting.pop(self, None)
            self._set_timer(BODY_SECONDS)
            self._chunks = 0
            names = {name.lower() for name, _ in event.headers}
            if b"transfer-encoding" in names and b"content-length" in names:
                self._refuse(_raw_error(ErrorCode.BAD_REQUEST,
                                        "both Transfer-Encoding and Content-Length: send one"))
                return h11.NEED_DATA
        elif isinstance(event, h11.Data) and event.chunk_start:
            self._chunks += 1
            if self._chunks > MAX_CHUNKS:
                self._refuse(_raw_error(ErrorCode.TOO_MANY_CHUNKS,
                                        f"the chunked body has more than {MAX_CHUNKS} chunks"))
                return h11.NEED_DATA
        elif isinstance(event, h11.EndOfMessage):
            self._set_timer(None)  # the function's own time: no deadline here
        return event

    def eof_received(self) -> bool | None:
        """The client ended its side: answer what it asked, unless its body was cut short."""
        cycle = self.cycle
        if self._refused or cycle is None or cycle.response_complete:
            return None  # nothing to answer: close
        if cycle.more_body and not cycle.response_started:
            self._refuse(_raw_error(ErrorCode.INCOMPLETE_BODY,
                                    "the connection was half-closed before the body was complete"))
        else:
            cycle.keep_alive = False  # answer, then close
        return True

    def on_response_complete(self) -> None:
        self._line, self._line_done = 0, False
        if self._refused:  # closing: no keep-alive, no reading on, no next request
            self.server_state.total_requests += 1
            return
        if not self.transport.is_closing():
            self._wait_for_head()
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        self._refuse(_raw_error(ErrorCode.BAD_REQUEST,
                                f"malformed HTTP request: a head or line over {MAX_EVENT_BYTES} bytes, "
                                "or not HTTP/1.1 (request line, headers, Content-Length or chunked framing)"))

    # Refusing and closing.

    def _refuse(self, raw: bytes) -> None:
        """Answers and stops reading the request."""
        if self.cycle is not None:  # the function stops waiting for a body that will not come
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        if self._refused or self.transport.is_closing():
            return
        self.transport.write(raw)
        self.linger()

    def linger(self) -> None:
        """Ends our side, drops at most DRAIN_BYTES more, and closes once the client had time to
        read the answer (closing with unread data at once would reset the connection and lose it)."""
        _waiting.pop(self, None)
        self._set_timer(None)
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def _function_first(app, protocol: Protocol | None = None):
    """The ASGI app, with the routing and answers above (`protocol`: the connection, whose unread
    body an early answer closes; the in-process test tier has none)."""

    async def asgi(scope, receive, send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        target = _ABSOLUTE_FORM.match(scope["raw_path"])
        if target:  # absolute form: the path is what follows the authority
            raw = scope["raw_path"][target.end():] or b"/"
            scope = {**scope, "raw_path": raw, "path": unquote(raw.decode("ascii"))}
        path = scope["path"]
        inner = app
        if (scope["method"] not in FRAMEWORK_METHODS or "\n" in path or path in FRAMEWORK_PATHS
                or not path.startswith("/")):
            inner = _function
        answer = _Answer(protocol, send)
        try:
            await inner(scope, receive, answer.send)
        except Exception as error:  # logged by type only: a traceback could quote the input
            from function import logs

            logs.log("ERROR", "unhandled error", error_type=type(error).__name__)
            if not answer.started:
                await _error_response(ErrorCode.INTERNAL, "internal error")(scope, _nothing, answer.send)

    return asgi


async def _function(scope, receive, send) -> None:
    """The app main.py serves, for requests that functions-framework would refuse in plain text."""
    from starlette.requests import Request

    response = await sys.modules["main"].app.handle(Request(scope, receive))
    await response(scope, receive, send)


class _Answer:
    """The response side of one request: an outer layer's plain-text error becomes the JSON error,
    and an answer that comes before the whole body closes the connection."""

    def __init__(self, protocol: Protocol | None, send) -> None:
        self._protocol, self._send = protocol, send
        self.started = False
        self._replaced = False

    async def send(self, message: dict) -> None:
        if self._replaced:  # the rest of a replaced answer
            return
        if message["type"] == "http.response.start":
            self.started = True
            status = message["status"]
            if status >= 400 and not _hardened(message["headers"]):  # an outer layer's, not the function's
                response = _error_response(ErrorCode.of_status(status), HTTPStatus(status).phrase)
                await self._send(self._closing({"type": "http.response.start", "status": status,
                                                "headers": list(response.raw_headers)}))
                await self._send({"type": "http.response.body", "body": response.body})
                self._replaced = True
                return
            message = self._closing(message)
        await self._send(message)

    def _closing(self, start: dict) -> dict:
        """`Connection: close` if the request's body is still arriving; the close then lingers."""
        protocol = self._protocol
        if protocol is None or protocol.conn.their_state is not h11.SEND_BODY or protocol.cycle is None:
            return start
        protocol.cycle.transport = _CloseLater(protocol)  # type: ignore[assignment]
        return {**start, "headers": [*start.get("headers", []), (b"connection", b"close")]}


def _hardened(headers: list[tuple[bytes, bytes]]) -> bool:
    """The function's own answers carry X-Content-Type-Options (function.web.app.HARDENING)."""
    return any(name.lower() == b"x-content-type-options" for name, _ in headers)


async def _nothing() -> dict:
    return {"type": "http.disconnect"}


def configure() -> None:
    """Gives uvicorn's gunicorn workers this protocol; call in the master, before they start. The
    loop is uvloop's: under a flood of 20,500 idle connections asyncio's accepts and transports
    kept /healthz waiting up to 1.3 s behind them, uvloop's up to 0.3 s (python -m bench.soak --budget)."""
    UvicornWorker.CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "http": Protocol, "loop": "uvloop",
                                   "server_header": False, "h11_max_incomplete_event_size": MAX_EVENT_BYTES}
