"""POST /predict: the wire formats, translated to and from model calls.

Request                                   Response
text/plain (or no Content-Type)           text/plain `true` | `false`        (true = scam)
application/json {"text": "..."}          {"prediction", "label", "score", "model"}
application/json {"texts": [...]}         {"predictions": [{...}, ...], "model"}, order kept
  or {"instances": ["..." | {"text"}]}
form (urlencoded or multipart) with a     as for {"text": ...}
  `text` field or an uploaded .eml file
message/rfc822 (a raw e-mail)             as for {"text": ...}, parsed as in training
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Request, Response

from function import lazy, mail
from function.http.errors import ApiError, json_response
from function.settings import settings

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Parsed:
    texts: list[str]  # what the model sees, already cleaned
    batch: bool  # answer with "predictions" (a list) rather than one prediction
    plain: bool  # answer text/plain true/false


def read_body(request: Request) -> bytes:
    """The body, refused with 413 past the limit (even without a Content-Length)."""
    limit = settings().max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(request, limit)
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise _too_large(request, limit)
    return body


def _too_large(request: Request, limit: int) -> ApiError:
    # functions-framework reads the whole body after every response; drain it here in
    # small chunks so an oversized body is discarded, never held in memory.
    while request.stream.read(1 << 16):
        pass
    return ApiError(413, "body_too_large", f"the body is larger than {limit} bytes")


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset)
    except LookupError:
        raise ApiError(415, "unsupported_charset", f"unknown charset {charset!r}") from None
    except UnicodeDecodeError as error:
        raise ApiError(400, "invalid_encoding",
                       f"the body is not valid {charset} (byte {error.start})") from None


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "invalid_text", f"{where} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise ApiError(400, "empty_text", f"{where} is empty")
    return mail.clean(value)


def _from_json(body: bytes) -> Parsed:
    try:
        document = json.loads(_decode(body, "utf-8"))
    except RecursionError:
        raise ApiError(400, "invalid_json", "the JSON is nested too deeply") from None
    except ValueError as error:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise ApiError(400, "invalid_json", 'expected an object such as {"text": "..."}')
    if "text" in document:
        return Parsed([_text(document["text"], "text")], batch=False, plain=False)
    key = "texts" if "texts" in document else "instances" if "instances" in document else None
    if key is None:
        raise ApiError(400, "missing_text", 'expected "text", "texts" or "instances"')
    items = document[key]
    if not isinstance(items, list) or not items:
        raise ApiError(400, "invalid_batch", f'"{key}" must be a non-empty list')
    limit = settings().max_batch
    if len(items) > limit:
        raise ApiError(422, "batch_too_large", f'"{key}" holds {len(items)} texts; the limit is {limit}')
    texts = []
    for i, item in enumerate(items):
        if isinstance(item, dict) and key == "instances":
            item = item.get("text")
        texts.append(_text(item, f"{key}[{i}]"))
    return Parsed(texts, batch=True, plain=False)


def _from_form(request: Request) -> Parsed:
    upload = next(iter(request.files.values()), None)
    if upload is not None and upload.filename:
        raw = upload.read(settings().max_body_bytes + 1)
        if raw.strip():
            return Parsed([mail.message_text(raw)], batch=False, plain=False)
    return Parsed([_text(request.form.get("text"), "the form field 'text'")], batch=False, plain=False)


def parse(request: Request) -> Parsed:
    mimetype = request.mimetype or "text/plain"
    if mimetype in FORMS:
        limit = settings().max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            raise _too_large(request, limit)
        request.max_form_memory_size = limit  # one text field may use the whole limit
        return _from_form(request)
    body = read_body(request)
    charset = request.mimetype_params.get("charset", "utf-8")
    if mimetype == "text/plain":
        return Parsed([_text(_decode(body, charset), "the body")], batch=False, plain=True)
    if mimetype == "application/json":
        return _from_json(body)
    if mimetype == "message/rfc822":
        if not body.strip():
            raise ApiError(400, "empty_text", "the message is empty")
        return Parsed([mail.message_text(body)], batch=False, plain=False)
    raise ApiError(415, "unsupported_media_type",
                   f"{mimetype} is not accepted; send text/plain, application/json, "
                   "message/rfc822 or a form")


def predict(request: Request) -> Response:
    parsed = parse(request)
    model = lazy.get()
    predictions = model.predict(parsed.texts)
    request.environ["predict.chars"] = sum(len(t) for t in parsed.texts)
    if parsed.plain:
        return Response("true" if predictions[0].prediction else "false", mimetype="text/plain")
    about = {"name": model.name, "version": model.version}
    rows = [{"prediction": p.prediction, "label": p.label, "score": round(p.score, 6)}
            for p in predictions]
    return json_response({"predictions": rows, "model": about} if parsed.batch
                         else {**rows[0], "model": about})
