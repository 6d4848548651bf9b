"""The HTTP contract's exchanges and refusals, written once: tests/app/test_contract.py runs each in
process (functions-framework's app, no socket) and tests/e2e/test_contract.py against a real server."""

from __future__ import annotations

import json
from dataclasses import dataclass

from function.contract import DEFAULT_MAX_BODY_BYTES, ErrorCode
from tests.support import DOCUMENT_TEXT, HAM, SCAM, Reply

LIMIT = DEFAULT_MAX_BODY_BYTES  # the servers under test run with the default


@dataclass(frozen=True)
class Case:
    name: str
    body: bytes | None
    content_type: str | None
    code: ErrorCode  # the error expected: it carries its status
    path: str = "/predict"
    method: str = "POST"
    headers: tuple[tuple[str, str], ...] = ()

    def request(self) -> tuple[str, str, bytes | None, dict[str, str]]:
        """(method, path, body, headers) of the request."""
        headers = dict(self.headers) | ({"Content-Type": self.content_type} if self.content_type else {})
        return self.method, self.path, self.body, headers


def _json(name: str, document: object, code: ErrorCode) -> Case:
    return Case(name, json.dumps(document).encode(), "application/json", code)


REFUSALS = [
    Case("not JSON", b"{not json", "application/json", ErrorCode.INVALID_JSON),
    Case("a JSON array", b"[1, 2]", "application/json", ErrorCode.INVALID_JSON),
    Case("JSON nested too deeply", b"[" * 100_000 + b"]" * 100_000, "application/json",
         ErrorCode.INVALID_JSON),
    _json("no text field", {"txt": "hello"}, ErrorCode.MISSING_TEXT),
    _json("an empty object", {}, ErrorCode.MISSING_TEXT),
    _json("an empty text", {"text": ""}, ErrorCode.EMPTY_TEXT),
    _json("a blank text", {"text": "   "}, ErrorCode.EMPTY_TEXT),
    _json("a number as text", {"text": 42}, ErrorCode.INVALID_TEXT),
    _json("null as text", {"text": None}, ErrorCode.INVALID_TEXT),
    _json("an empty batch", {"texts": []}, ErrorCode.INVALID_BATCH),
    _json("a string as batch", {"texts": "hello"}, ErrorCode.INVALID_BATCH),
    _json("a number in a batch", {"texts": ["ok", 3]}, ErrorCode.INVALID_TEXT),
    _json("an instance without text", {"instances": [{"body": "x"}]}, ErrorCode.INVALID_TEXT),
    _json("65 texts", {"texts": ["x"] * 65}, ErrorCode.BATCH_TOO_LARGE),
    _json("threshold 0", {"text": "x", "threshold": 0}, ErrorCode.INVALID_THRESHOLD),
    _json("threshold 1", {"text": "x", "threshold": 1}, ErrorCode.INVALID_THRESHOLD),
    _json("threshold as a string", {"text": "x", "threshold": "0.5"}, ErrorCode.INVALID_THRESHOLD),
    _json("explain yes", {"text": "x", "explain": "yes"}, ErrorCode.INVALID_EXPLAIN),
    Case("bytes that are not UTF-8", b"\xff\xfe\xfa broken", "text/plain", ErrorCode.INVALID_ENCODING),
    Case("JSON that is not UTF-8", b'{"text": "\xff"}', "application/json", ErrorCode.INVALID_ENCODING),
    Case("an empty body", b"", "text/plain", ErrorCode.EMPTY_TEXT),
    Case("an empty message", b"", "message/rfc822", ErrorCode.EMPTY_TEXT),
    Case("a message with only an attachment",
         b"Subject: \r\nContent-Type: application/pdf\r\n\r\nJVBERi0xLjQK\r\n", "message/rfc822",
         ErrorCode.EMPTY_TEXT),
    Case("an empty form field", b"text=", "application/x-www-form-urlencoded", ErrorCode.EMPTY_TEXT),
    Case("a form without text", b"hello", "application/x-www-form-urlencoded", ErrorCode.MISSING_TEXT),
    Case("a form that is not UTF-8", b"text=%ff%fe", "application/x-www-form-urlencoded",
         ErrorCode.INVALID_ENCODING),
    Case("a form of 5,000 fields", b"a=&" * 5_000 + b"text=hello", "application/x-www-form-urlencoded",
         ErrorCode.INVALID_FORM),
    Case("an image", b"hello", "image/png", ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    Case("an unknown charset", b"hello", "text/plain; charset=klingon", ErrorCode.UNSUPPORTED_CHARSET),
    Case("JSON in latin-1", b'{"text": "hello"}', "application/json; charset=latin-1",
         ErrorCode.UNSUPPORTED_CHARSET),
    Case("a gzip body", b"\x1f\x8b\x08\x00", "application/json", ErrorCode.UNSUPPORTED_ENCODING,
         headers=(("Content-Encoding", "gzip"),)),
    Case("a body over the limit", b"a" * (LIMIT + 1), "text/plain", ErrorCode.BODY_TOO_LARGE),
    Case("GET /predict", None, None, ErrorCode.METHOD_NOT_ALLOWED, method="GET"),
    Case("POST /healthz", b"x", "text/plain", ErrorCode.METHOD_NOT_ALLOWED, path="/healthz"),
    Case("an unknown path", None, None, ErrorCode.NOT_FOUND, path="/nope", method="GET"),
    Case("a path below /predict", b"x", "text/plain", ErrorCode.NOT_FOUND, path="/predict/extra"),
]


@dataclass(frozen=True)
class Exchange:
    """A request the contract answers 200, and the exact body it answers with."""

    name: str
    body: bytes
    content_type: str | None
    answer: bytes
    media_type: str = "text/plain"

    def request(self) -> tuple[str, str, bytes, dict[str, str]]:
        return "POST", "/predict", self.body, {"Content-Type": self.content_type} if self.content_type else {}


EXCHANGES = [
    Exchange("the design document's", DOCUMENT_TEXT.encode(), "text/plain", b"false"),
    Exchange("a scam", SCAM.encode(), "text/plain; charset=utf-8", b"true"),
    Exchange("a legitimate e-mail", HAM.encode(), "text/plain", b"false"),
    Exchange("no Content-Type", SCAM.encode(), None, b"true"),
    Exchange("latin-1", HAM.encode("latin-1"), "text/plain; charset=iso-8859-1", b"false"),
    Exchange("utf-16", SCAM.encode("utf-16"), "text/plain; charset=utf-16", b"true"),
]


def check_exchange(reply: Reply, exchange: Exchange) -> None:
    assert (reply.status, reply.body) == (200, exchange.answer), exchange.name
    assert reply.headers["content-type"].startswith(exchange.media_type)
    assert reply.headers["content-length"] == str(len(exchange.answer))


def check_refusal(reply: Reply, case: Case) -> None:
    """The refusal the case expects: its status, the JSON error with its code and a message."""
    assert reply.status == case.code.status, (case.name, reply.status, reply.body[:300])
    assert reply.headers["content-type"].startswith("application/json")
    error = reply.json()["error"]
    assert error["code"] == case.code.value and error["message"], case.name
    assert "Traceback" not in reply.body.decode()
    assert reply.headers["x-content-type-options"] == "nosniff"
