"""GET /openapi.json: the whole HTTP surface as one OpenAPI 3 document, built here and nowhere else.

The schemas say exactly what the handlers accept, so a fuzzer that follows them (tests/e2e/
test_fuzz.py) can tell a wrong answer from a wrong request. Every bound, code and status comes from
function/contract.py (and the settings through its Limits); none is written here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from starlette.responses import Response

from function.contract import (
    BANDS,
    DEFAULT_MAX_BATCH,
    MAX_REASONS,
    MAX_SIGNALS,
    SIGNALS,
    THRESHOLD_RANGE,
    UNCERTAIN_HALF_WIDTH,
    V2_INPUT,
    V2_OUTPUTS,
    ErrorCode,
    Limits,
    dumps,
)
from function.limits import MAX_DIMS
from function.settings import settings

if TYPE_CHECKING:
    from function.web.app import Call

VERSION = "1.0.0"
EXAMPLE = "Some text that I want to send to your model."
STRING = {"type": "string"}
OBJECT = {"type": "object"}


@cache
def _not_only_whitespace() -> str:
    """A pattern for "holds a character that Python's str.strip() keeps", as the handlers check."""
    spaces = [code for code in range(sys.maxunicode + 1) if chr(code).isspace()]
    ranges: list[list[int]] = []
    for code in spaces:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    parts = (f"\\u{low:04x}" + (f"-\\u{high:04x}" if high > low else "") for low, high in ranges)
    return "[^" + "".join(parts) + "]"


def _enum(*values: str) -> dict:
    return {**STRING, "enum": list(values)}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "required": True,
                               "schema": {**STRING, "pattern": "^[0-9]+$"}}}


def _meaning(status: str) -> str:
    return "; ".join(code.meaning for code in ErrorCode if str(code.status) == status)


def _errors(statuses: str, schema: str = "Error") -> dict:
    responses = {}
    for status in statuses.split():
        responses[status] = _json(_ref(schema), _meaning(status))
        if status == "503":
            responses[status]["headers"] = RETRY_AFTER
    return responses


def _predict(operation_id: str, summary: str) -> dict:
    text = _ref("Text")
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": "`true` means scam. Bodies over MAX_BODY_BYTES get 413; texts past the model's "
                       "token limit keep their head and tail.",
        "requestBody": {"required": True, "content": {
            "text/plain": {"schema": text, "example": EXAMPLE},
            "application/json": {"schema": _ref("PredictRequest"), "examples": {
                "one": {"value": {"text": EXAMPLE}},
                "batch": {"value": {"texts": [EXAMPLE, "You won a prize! Send your bank details."]}},
                "instances": {"value": {"instances": [{"text": EXAMPLE}, "Lunch at noon?"]}}}},
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["text"], "properties": {"text": text}}},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["text"], "properties": {"text": text},
                "description": "a `text` field; or upload a raw e-mail (.eml) as a file field, which "
                               "takes precedence when it is not blank"}},
            "message/rfc822": {"schema": text},  # a raw e-mail: headers, MIME parts
        }},
        "responses": {
            "200": {"description": "the prediction: `true`/`false` for text/plain, else JSON",
                    "content": {"text/plain": {"schema": _enum("true", "false")},
                                "application/json": {"schema": {"anyOf": [_ref("Prediction"),
                                                                          _ref("Predictions")]}}}},
            **_errors("400 413 415 422 503"),
        },
    }


def _get(operation_id: str, summary: str, responses: dict) -> dict:
    return {"get": {"operationId": operation_id, "summary": summary, "responses": responses}}


MODEL_PARAMETERS = {
    "name": {"name": "name", "in": "path", "required": True, "schema": STRING, "example": "scam",
             "description": "the model's name from model.json, or the alias `scam`"},
    "version": {"name": "version", "in": "path", "required": True, "schema": STRING},
}


def _v2_model_paths(suffix: str, make: Callable[[str], dict]) -> dict:
    """The same operation at /v2/models/{name}{suffix} and /v2/models/{name}/versions/{version}{suffix}."""
    paths = {}
    for middle, names in (("", ["name"]), ("/versions/{version}", ["name", "version"])):
        operations = make("_version" if names == ["name", "version"] else "")
        for operation in operations.values():
            operation["parameters"] = [MODEL_PARAMETERS[n] for n in names]
        paths[f"/v2/models/{{name}}{middle}{suffix}"] = operations
    return paths


def _infer(variant: str) -> dict:
    return {"post": {
        "operationId": f"v2_infer{variant}",
        "summary": "Open Inference Protocol: classify a BYTES tensor of e-mails",
        "description": "The element count (the product of `shape`) must equal the number of elements "
                       "in `data` and lie between 1 and MAX_BATCH. With the binary tensor data extension "
                       "an `Inference-Header-Content-Length` header gives the JSON's length.",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": _ref("InferRequest"),
            "example": {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1],
                                    "data": [EXAMPLE]}]}}}},
        "responses": {
            "200": {"description": "label and score tensors of the input's shape",
                    "content": {"application/json": {"schema": _ref("InferResponse")},
                                "application/octet-stream": {"schema": {**STRING, "format": "binary"}}}},
            **_errors("400 404 413 503", "V2Error"),
        },
    }}


def _schemas() -> dict:
    text = _ref("Text")
    limits = Limits.of(settings())
    batch = {"type": "array", "minItems": 1, "maxItems": limits.max_batch,
             "description": f"MAX_BATCH texts at most ({DEFAULT_MAX_BATCH} unless set)"}
    low, high = THRESHOLD_RANGE
    unit = {"type": "number", "minimum": low, "maximum": high}
    model = {"type": "object", "required": ["name", "version"],
             "properties": {"name": STRING, "version": STRING}}
    row = {"prediction": {"type": "boolean"}, "label": STRING,
           "score": unit, "band": {**_enum(*BANDS), "description": "uncertain: the score lies in "
                                   "the answer's uncertain band; else the side of the threshold it is on"},
           "reasons": {"type": "array", "maxItems": 2 * MAX_REASONS,
                       "description": "with explain: the spans of the text sent that moved the score, "
                                      "strongest first (docs/api.md)",
                       "items": _ref("Reason")},
           "signals": {"type": "array", "maxItems": MAX_SIGNALS,
                       "description": "with explain: what a careful reader checks beside the words "
                                      "(links, the sender); shown, not scored (docs/api.md)",
                       "items": _ref("Signal")}}
    required = ["prediction", "label", "score", "band"]
    uncertain = {"type": "array", "items": unit, "minItems": 2, "maxItems": 2,
                 "description": "[lo, hi]: a score s with lo <= s < hi is uncertain; model.json's, else "
                                f"threshold -+ {UNCERTAIN_HALF_WIDTH}, moved with a request's own threshold"}
    cut = {**unit, "exclusiveMinimum": True, "exclusiveMaximum": True,
           "nullable": True, "description": "decides prediction at this threshold for this call "
           "(null or absent: the model's own)"}
    options = {"threshold": cut, "explain": {
        "oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["all"]}], "nullable": True,
        "description": 'true: the reasons that raised the score; "all": those that lowered it too; '
                       "null, absent or false: none"}}
    v2_tensor = {"type": "object", "required": ["name", "datatype", "shape"], "properties": {
        "name": STRING, "datatype": STRING,
        "shape": {"type": "array", "items": {"type": "integer", "minimum": 0}}}}
    return {
        "Text": {**STRING, "pattern": _not_only_whitespace(),
                 "description": "an e-mail (its text, or a raw message): not only whitespace"},
        "PredictRequest": {"anyOf": [
            {"type": "object", "required": ["text"], "properties": {"text": text, **options}},
            {"type": "object", "required": ["texts"], "not": {"required": ["text"]},
             "properties": {"texts": {**batch, "items": text}, **options}},
            {"type": "object", "required": ["instances"],
             "not": {"anyOf": [{"required": ["text"]}, {"required": ["texts"]}]},
             "properties": {"instances": {**batch, "items": {"anyOf": [
                 text, {"type": "object", "required": ["text"], "properties": {"text": text}}]}}, **options}},
        ]},
        "Reason": {"type": "object", "required": ["start", "end", "text", "weight"], "properties": {
            "start": {"type": "integer", "minimum": 0, "description": "in Unicode code points"},
            "end": {"type": "integer", "minimum": 0}, "text": STRING,
            "weight": {"type": "number", "description": "log-odds it added (negative: removed)"}}},
        "Signal": {"type": "object", "required": ["kind", "says", "goes_to", "text"], "properties": {
            "kind": _enum(*SIGNALS),
            "says": {**STRING, "description": "a link's text, the sender's name, a brand named"},
            "goes_to": {**STRING, "description": "the link's host, the sender's address"},
            "text": {**STRING, "description": "the signal in words"}}},
        "Prediction": {"type": "object", "required": [*required, "threshold", "uncertain", "model"],
                       "properties": {**row, "threshold": cut, "uncertain": uncertain, "model": model}},
        "Predictions": {"type": "object", "required": ["predictions", "threshold", "uncertain", "model"],
                        "properties": {"predictions": {"type": "array", "items": {
                            "type": "object", "required": required, "properties": row}},
                            "threshold": cut, "uncertain": uncertain, "model": model}},
        "Error": {"type": "object", "required": ["error"], "properties": {"error": _ref("ErrorDetail")}},
        "ErrorDetail": {"type": "object", "required": ["code", "message"],
                        "properties": {"code": STRING, "message": {**STRING, "minLength": 1}}},
        "V2Error": {"type": "object", "required": ["error"],
                    "properties": {"error": {**STRING, "minLength": 1}}},
        "InferRequest": {"type": "object", "required": ["inputs"], "properties": {
            "id": {"description": "echoed when it is a string"},
            "parameters": {"description": '{"binary_data_output": true} asks for binary outputs; '
                           '{"threshold": t}, 0 < t < 1, decides label at t for this call'},
            "inputs": {"type": "array", "minItems": 1, "maxItems": 1, "items": {
                "type": "object", "required": ["name", "datatype", "shape"], "properties": {
                    "name": _enum(V2_INPUT),
                    "datatype": _enum("BYTES"),
                    "shape": {"type": "array", "minItems": 1, "maxItems": MAX_DIMS,
                              "items": {"type": "integer", "minimum": 0}},
                    "data": {"description": "the e-mails, nested as the shape says (row-major)"},
                    "parameters": {"description": '{"binary_data_size": N}: the tensor follows the JSON'},
                }}},
            "outputs": {"type": "array", "nullable": True, "description": "null or absent: every output",
                        "maxItems": len(V2_OUTPUTS), "uniqueItems": True,
                        "items": {"type": "object", "required": ["name"],
                                  "properties": {"name": _enum(*V2_OUTPUTS)}}},
        }},
        "InferResponse": {"type": "object", "required": ["model_name", "model_version", "outputs"],
                          "properties": {"model_name": STRING, "model_version": STRING, "id": STRING,
                                         "outputs": {"type": "array", "items": v2_tensor}}},
    }


@cache
def document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Scam check", "version": VERSION,
                 "description": "A scam e-mail classifier. Every error is JSON; `true` means scam."},
        "paths": {
            "/": {"get": {"operationId": "page", "summary": "the browser page", "responses": {
                      "200": {"description": "the page", "content": {"text/html": {"schema": STRING}}}}},
                  "post": _predict("predict_root", "as POST /predict (where `gcloud functions call` sends)")},
            "/predict": {"post": _predict("predict", "classify one e-mail or a batch")},
            "/healthz": _get("healthz", "the process answers (loads nothing)", {
                "200": _json({"type": "object", "required": ["status"], "properties": {
                    "status": _enum("ok")}}, "alive")}),
            "/readyz": _get("readyz", "the model is loaded (loading it if needed)", {
                "200": _json({"type": "object", "required": ["status", "model", "loads"], "properties": {
                    "status": _enum("ready"), "model": OBJECT,
                    "loads": {"type": "integer", "minimum": 1},
                    "load_seconds": {"type": "number"}}}, "ready"),
                "503": _json({"type": "object", "required": ["status", "error"], "properties": {
                    "status": _enum("unavailable"), "error": _ref("ErrorDetail")}},
                    "the model cannot be loaded (the error says why)")}),
            "/openapi.json": _get("openapi", "this document", {"200": _json(OBJECT, "OpenAPI 3")}),
            "/v2": _get("v2_server_metadata", "Open Inference Protocol: server metadata", {
                "200": _json({"type": "object", "required": ["name", "version", "extensions"]}, "metadata")}),
            "/v2/health/live": _get("v2_live", "the process answers", {
                "200": _json({"type": "object", "required": ["live"]}, "live")}),
            "/v2/health/ready": _get("v2_ready", "the model is loaded (loading it if needed)", {
                "200": _json({"type": "object", "required": ["ready"]}, "ready"),
                **_errors("503", "V2Error")}),
            **_v2_model_paths("", lambda v: _get(f"v2_model_metadata{v}", "model metadata", {
                "200": _json({"type": "object", "required": ["name", "versions", "platform", "inputs",
                                                             "outputs"]}, "metadata"),
                **_errors("404 503", "V2Error")})),
            **_v2_model_paths("/ready", lambda v: _get(f"v2_model_ready{v}", "the model is loaded", {
                "200": _json({"type": "object", "required": ["name", "ready"]}, "ready"),
                **_errors("404 503", "V2Error")})),
            **_v2_model_paths("/infer", _infer),
        },
        "components": {"schemas": _schemas()},
    }


async def serve(call: Call) -> Response:
    return Response(dumps(document()), media_type="application/json")
