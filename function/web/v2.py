"""The Open Inference Protocol (V2, as KServe and Triton speak it): decode -> classify -> encode.

GET  /v2                                     server metadata
GET  /v2/health/live                         200 while the process answers (loads nothing)
GET  /v2/health/ready                        200 once the model is loaded (loads it)
GET  /v2/models/{name}[/versions/{v}]        model metadata
GET  /v2/models/{name}[/versions/{v}]/ready  200 once the model is loaded
POST /v2/models/{name}[/versions/{v}]/infer  one BYTES input "text" -> "label" and "score";
     request "parameters": {"threshold": t} (0 < t < 1) decides "label" at t for this call, and the
     answer's "parameters" say which threshold was used. Reasons are /predict's only (docs/api.md).

{name} is the artifact's name from model.json or the stable alias "scam"; {v} its version.
The wire format is function/web/v2codec.py; the routes are in function/web/routes.py.
"""

from __future__ import annotations

import numpy as np
from starlette.responses import Response

from function import service
from function.model import Model
from function.settings import settings
from function.web import body, v2codec
from function.web.call import Call, classify, model
from function.web.errors import ApiError, json_response

ALIAS = "scam"  # stays the same when the artifact (and its name) changes
HEADER_LENGTH = "Inference-Header-Content-Length"


def _bad(error: Exception) -> ApiError:
    return ApiError(400, "bad_request", str(error))


async def server_metadata(call: Call) -> Response:
    return json_response({"name": "scam-function", "version": settings().revision,
                          "extensions": ["binary_tensor_data"]})


async def live(call: Call) -> Response:
    return json_response({"live": True})


async def ready(call: Call) -> Response:
    await model()
    return json_response({"ready": True})


async def _model(call: Call) -> Model:
    found = await model()
    name, version = call.params["name"], call.params.get("version")
    if name not in (found.name, ALIAS):
        raise ApiError(404, "unknown_model",
                       f"unknown model {name[:80]!r}: this server serves {found.name!r} (alias {ALIAS!r})")
    if version is not None and version != found.version:
        raise ApiError(404, "unknown_version",
                       f"model {name[:80]!r} has no version {version[:80]!r}, only {found.version!r}")
    return found


async def model_metadata(call: Call) -> Response:
    found = await _model(call)
    return json_response({
        "name": found.name, "versions": [found.version], "platform": "onnxruntime_onnx",
        "inputs": [{"name": v2codec.INPUT, "datatype": "BYTES", "shape": [-1]}],
        "outputs": [{"name": out, "datatype": kind, "shape": [-1]} for out, kind in v2codec.OUTPUTS.items()],
    })


async def model_ready(call: Call) -> Response:
    found = await _model(call)
    return json_response({"name": found.name, "ready": True})


async def infer(call: Call) -> Response:
    await _model(call)
    raw = await body.read(call.request)
    try:
        header, binary = v2codec.split(raw, call.request.headers.get(HEADER_LENGTH))
        tensor = v2codec.decode_input(header, binary, settings().max_batch)
        wanted = v2codec.requested(header)
    except v2codec.Malformed as error:
        raise _bad(error) from None
    texts = [service.text(t, f"input {v2codec.INPUT!r} element {i}") for i, t in enumerate(tensor.texts)]
    parameters = header.get("parameters")
    cut = service.threshold(parameters.get("threshold") if isinstance(parameters, dict) else None)
    classified = await classify(call, texts, cut=cut)
    answer = {"model_name": classified.model.name, "model_version": classified.model.version,
              "parameters": {"threshold": classified.threshold}}
    if isinstance(header.get("id"), str):
        answer["id"] = header["id"]
    scores = np.array([p.score for p in classified.predictions], dtype="<f4").tolist()
    content, json_length = v2codec.encode_output(answer, [p.label for p in classified.predictions], scores,
                                                 tensor.shape, wanted)
    if json_length is None:
        return Response(content, media_type="application/json")
    return Response(content, media_type="application/octet-stream", headers={HEADER_LENGTH: str(json_length)})
