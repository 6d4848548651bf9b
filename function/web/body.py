"""The request body, read within MAX_BODY_BYTES however it is framed, and decoded into text.

Content-Length or chunked, text or form: the bytes are counted as they arrive and the read stops
at the limit (413), so no framing can make the server hold, spool or parse more. Charsets are
checked here before any decoding: only text encodings are accepted; codecs that are not a way
of writing text (punycode, idna, unicode-escape: slow or odd on hostile input) get 415.
"""

from __future__ import annotations

import codecs
from urllib.parse import parse_qsl

from starlette.requests import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from function.settings import settings
from function.web.errors import ApiError

# Registered as text codecs, but they transform text rather than encode it.
NOT_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape",
                          "charmap", "utf-7"})
MAX_FIELDS = 64  # form fields: the contract reads one
MAX_CHARSET_CHARS = 40


def too_large() -> ApiError:
    return ApiError(413, "body_too_large", f"the body is larger than {settings().max_body_bytes} bytes")


async def read(request: Request) -> bytes:
    """The whole body, or 413 as soon as it passes the limit (nothing more is read)."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise ApiError(415, "unsupported_encoding",
                       f"Content-Encoding {encoding[:40]!r} is not accepted: send the body uncompressed")
    limit = settings().max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and len(declared) <= 18 and int(declared) > limit:
        raise too_large()
    chunks, size = [], 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ApiError(400, "incomplete_body", "the connection closed before the body was complete")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def charset(name: str | None, default: str = "utf-8") -> str:
    """A declared charset, checked: 415 for an unknown one or a codec that is not a text encoding."""
    if name is None:
        return default
    shown = name[:MAX_CHARSET_CHARS]
    try:
        codec = codecs.lookup(name) if len(name) <= MAX_CHARSET_CHARS else None
    except LookupError:
        codec = None
    if codec is None:
        raise ApiError(415, "unsupported_charset", f"unknown charset {shown!r}")
    if not getattr(codec, "_is_text_encoding", True) or codec.name in NOT_CHARSETS:
        raise ApiError(415, "unsupported_charset", f"charset {shown!r} is not a text encoding")
    return codec.name


def decode(body: bytes, name: str) -> str:
    """Bytes in a checked charset -> text; 400 for bytes that are not valid in it."""
    try:
        return body.decode(name)
    except UnicodeDecodeError as error:
        raise ApiError(400, "invalid_encoding",
                       f"the body is not valid {name} (byte {error.start})") from None


def urlencoded(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body: first value of each field, strict UTF-8."""
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict",
                          max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "the form is not valid UTF-8") from None
    except ValueError:
        raise ApiError(400, "invalid_form", f"the form has more than {MAX_FIELDS} fields") from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def multipart(body: bytes, boundary: str | None) -> tuple[dict[str, str], bytes | None]:
    """A multipart/form-data body: its text fields (strict UTF-8) and the first uploaded file."""
    if not boundary or len(boundary) > 70:
        raise ApiError(400, "invalid_form", "multipart/form-data needs a boundary of 1 to 70 characters")
    decoder = MultipartDecoder(boundary.encode("latin-1", "replace"), len(body) + 1,
                               max_parts=MAX_FIELDS)
    fields: dict[str, str] = {}
    upload: bytes | None = None
    name, data, is_file = "", bytearray(), False
    try:
        decoder.receive_data(body)
        decoder.receive_data(None)
        while not isinstance(event := decoder.next_event(), Epilogue | NeedData):
            if isinstance(event, File | Field):
                name, data = event.name, bytearray()
                is_file = isinstance(event, File) and bool(event.filename)
            elif isinstance(event, Data):
                data += event.data
                if not event.more_data:
                    if is_file:
                        upload = bytes(data) if upload is None else upload
                    else:
                        fields.setdefault(name, decode(bytes(data), "utf-8"))
    except RequestEntityTooLarge:
        raise ApiError(400, "invalid_form", f"the form has more than {MAX_FIELDS} parts") from None
    except ValueError as error:
        raise ApiError(400, "invalid_form", f"the multipart body is malformed: {str(error)[:80]}") from None
    if not isinstance(event, Epilogue):
        raise ApiError(400, "invalid_form", "the multipart body ends before its closing boundary")
    return fields, upload
