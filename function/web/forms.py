"""Form bodies (urlencoded and multipart/form-data), read within MAX_FIELDS fields: their text
fields in strict UTF-8, and the first uploaded file (a raw e-mail)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from function.contract import ApiError, ErrorCode, decode
from function.limits import MAX_FIELDS


def urlencoded(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body: first value of each field, strict UTF-8."""
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict",
                          max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise ApiError(ErrorCode.INVALID_ENCODING, "the form is not valid UTF-8") from None
    except ValueError:
        raise ApiError(ErrorCode.INVALID_FORM, f"the form has more than {MAX_FIELDS} fields") from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


def multipart(body: bytes, boundary: str | None) -> tuple[dict[str, str], bytes | None]:
    """A multipart/form-data body: its text fields (strict UTF-8) and the first uploaded file."""
    if not boundary or len(boundary) > 70:
        raise ApiError(ErrorCode.INVALID_FORM, "multipart/form-data needs a boundary of 1 to 70 characters")
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
                        fields.setdefault(name, decode(bytes(data), "utf-8", "a form field"))
    except RequestEntityTooLarge:
        raise ApiError(ErrorCode.INVALID_FORM, f"the form has more than {MAX_FIELDS} parts") from None
    except ValueError as error:
        raise ApiError(ErrorCode.INVALID_FORM,
                       f"the multipart body is malformed: {str(error)[:80]}") from None
    if not isinstance(event, Epilogue):
        raise ApiError(ErrorCode.INVALID_FORM, "the multipart body ends before its closing boundary")
    return fields, upload
