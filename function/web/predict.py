"""POST /predict: decode the wire format -> one call to the model plane -> encode. The contract:
docs/api.md; its types and checks: function/contract.py.

Request                                   Response
text/plain (or no Content-Type)           text/plain `true` | `false`        (true = scam)
application/json {"text": "..."}          {"prediction", "label", "score", "band", "threshold",
                                           "uncertain", "model"}
application/json {"texts": [...]}         {"predictions": [{...}, ...], "threshold", "uncertain", "model"},
  or {"instances": ["..." | {"text"}]}    order kept
  JSON may add "threshold": 0 < t < 1     decides "prediction" at t for this call
  and "explain": true | "all"             adds "reasons" to each prediction (function/explain.py)
form (urlencoded or multipart) with a     as for {"text": ...}
  `text` field or an uploaded .eml file
message/rfc822 (a raw e-mail)             as for {"text": ...}, parsed as in training
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from function import contract
from function.contract import ApiError, ErrorCode, PredictRequest
from function.web import forms

if TYPE_CHECKING:
    from function.web.app import Call

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
ACCEPTED = (*FORMS, "text/plain", "application/json", "message/rfc822")


def _form(call: Call) -> PredictRequest:
    if call.mimetype == "multipart/form-data":
        fields, upload = forms.multipart(call.body, call.options.get("boundary"))
        if upload is not None and upload.strip():
            return PredictRequest([upload])
    else:
        fields = forms.urlencoded(call.body)
    if "text" not in fields:  # e.g. `curl -d hello`, which sends a form
        raise ApiError(ErrorCode.MISSING_TEXT, "the form field 'text' is missing")
    return PredictRequest([contract.text(fields["text"], "the form field 'text'")])


def decode(call: Call) -> PredictRequest:
    mimetype = call.mimetype or "text/plain"
    if mimetype not in ACCEPTED:
        raise ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, f"{contract.shown(mimetype, 80)} is not accepted; "
                       "send text/plain, application/json, message/rfc822 or a form")
    if mimetype in FORMS:
        return _form(call)
    codec = contract.charset(call.options.get("charset"))
    if mimetype == "application/json":
        return contract.predict_request(contract.json_object(call.body, codec), call.limits)
    if mimetype == "message/rfc822":
        return PredictRequest([contract.message(call.body)])
    return PredictRequest([contract.text(contract.decode(call.body, codec), "the body")], plain=True)


async def predict(call: Call) -> Response:
    request = decode(call)
    answer = call.answer = await call.plane.infer(request.texts, request.threshold, request.explain)
    if request.plain:
        return Response("true" if answer.predictions[0].prediction else "false", media_type="text/plain")
    return Response(contract.dumps(answer.to_json(request.batch)), media_type="application/json")
