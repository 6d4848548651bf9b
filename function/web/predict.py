"""POST /predict: decode the wire format -> classify -> encode. The contract: docs/api.md.

Request                                   Response
text/plain (or no Content-Type)           text/plain `true` | `false`        (true = scam)
application/json {"text": "..."}          {"prediction", "label", "score", "threshold", "model"}
application/json {"texts": [...]}         {"predictions": [{...}, ...], "threshold", "model"}, order kept
  or {"instances": ["..." | {"text"}]}
  JSON may add "threshold": 0 < t < 1     decides "prediction" at t for this call
  and "explain": true | "all"             adds "reasons" to each prediction (function/explain.py)
form (urlencoded or multipart) with a     as for {"text": ...}
  `text` field or an uploaded .eml file
message/rfc822 (a raw e-mail)             as for {"text": ...}, parsed as in training
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.responses import Response

from function import service
from function.web import body
from function.web.call import Call, classify
from function.web.errors import ApiError, json_response

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Decoded:
    texts: list[str]  # validated, not yet cleaned (unless `cleaned`)
    batch: bool  # answer with "predictions" (a list) rather than one prediction
    plain: bool  # answer text/plain true/false
    cleaned: bool = False  # parsed from a raw message: already what the model sees
    cut: float | None = None  # the caller's threshold
    both: bool | None = None  # reasons asked for (True: lowering ones too)


def _json(raw: bytes, charset: str | None) -> Decoded:
    name = body.charset(charset)
    if name not in ("utf-8", "ascii"):  # RFC 8259: JSON exchanged between systems is UTF-8
        raise ApiError(415, "unsupported_charset", f"JSON is read as UTF-8 only, not {charset[:40]!r}")
    try:
        document = json.loads(body.decode(raw, "utf-8"))
    except RecursionError:
        raise ApiError(400, "invalid_json", "the JSON is nested too deeply") from None
    except ValueError as error:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {str(error)[:200]}") from None
    if not isinstance(document, dict):
        raise ApiError(400, "invalid_json", 'expected an object such as {"text": "..."}')
    options = {"cut": service.threshold(document.get("threshold")),
               "both": service.explain_mode(document.get("explain"))}
    if "text" in document:
        return Decoded([service.text(document["text"], "text")], batch=False, plain=False, **options)
    key = "texts" if "texts" in document else "instances" if "instances" in document else None
    if key is None:
        raise ApiError(400, "missing_text", 'expected "text", "texts" or "instances"')
    items = service.batch(document[key], f'"{key}"')
    if key == "instances":
        items = [item.get("text") if isinstance(item, dict) else item for item in items]
    texts = [service.text(item, f"{key}[{i}]") for i, item in enumerate(items)]
    return Decoded(texts, batch=True, plain=False, **options)


def _form(raw: bytes, mimetype: str, params: dict[str, str]) -> Decoded:
    if mimetype == "multipart/form-data":
        fields, upload = body.multipart(raw, params.get("boundary"))
        if upload is not None and upload.strip():
            return Decoded([service.message(upload)], batch=False, plain=False, cleaned=True)
    else:
        fields = body.urlencoded(raw)
    if "text" not in fields:  # e.g. `curl -d hello`, which sends a form
        raise ApiError(400, "missing_text", "the form field 'text' is missing")
    return Decoded([service.text(fields["text"], "the form field 'text'")], batch=False, plain=False)


async def decode(call: Call) -> Decoded:
    mimetype, params = call.content_type()
    mimetype = mimetype or "text/plain"
    if mimetype not in (*FORMS, "text/plain", "application/json", "message/rfc822"):
        raise ApiError(415, "unsupported_media_type",
                       f"{mimetype[:80]} is not accepted; send text/plain, application/json, "
                       "message/rfc822 or a form")
    raw = await body.read(call.request)
    if mimetype in FORMS:
        return _form(raw, mimetype, params)
    if mimetype == "application/json":
        return _json(raw, params.get("charset"))
    if mimetype == "message/rfc822":
        return Decoded([service.message(raw)], batch=False, plain=False, cleaned=True)
    text = body.decode(raw, body.charset(params.get("charset")))
    return Decoded([service.text(text, "the body")], batch=False, plain=True)


async def predict(call: Call) -> Response:
    decoded = await decode(call)
    classified = await classify(call, decoded.texts, decoded.cleaned, decoded.cut, decoded.both)
    if decoded.plain:
        return Response("true" if classified.predictions[0].prediction else "false", media_type="text/plain")
    about = {"name": classified.model.name, "version": classified.model.version}
    rows = [{"prediction": p.prediction, "label": p.label, "score": round(p.score, 6)}
            for p in classified.predictions]
    for row, reasons in zip(rows, classified.reasons or [], strict=False):
        row["reasons"] = [r.to_json() for r in reasons]
    threshold = classified.threshold
    return json_response({"predictions": rows, "threshold": threshold, "model": about} if decoded.batch
                         else {**rows[0], "threshold": threshold, "model": about})
