"""The Open Inference Protocol (V2, as KServe and Triton speak it) for the same model.

GET  /v2                                     server metadata
GET  /v2/health/live                         200 while the process answers (loads nothing)
GET  /v2/health/ready                        200 once the model is loaded (loads it)
GET  /v2/models/{name}[/versions/{v}]        model metadata
GET  /v2/models/{name}[/versions/{v}]/ready  200 once the model is loaded
POST /v2/models/{name}[/versions/{v}]/infer  one BYTES input "text" (any shape, one e-mail per
                                             element) -> "label" (BYTES) and "score" (FP32, the
                                             scam probability), both of the input's shape

{name} is the artifact's name from model.json or the stable alias "scam"; {v} its version.
Tensors travel as JSON or with the binary tensor data extension: an
`Inference-Header-Content-Length: N` header says the first N bytes are the JSON and the rest
the raw tensors; a BYTES element there is a 4-byte little-endian length and its bytes.
Errors are `{"error": "..."}`, as the protocol defines them.
"""

from __future__ import annotations

import json
import math
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from flask import Request, Response
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from function import lazy, mail
from function.http.errors import ApiError, json_response
from function.http.predict import read_body
from function.model import Model
from function.settings import settings

ALIAS = "scam"  # stays the same when the artifact (and its name) changes
INPUT = "text"
OUTPUTS = {"label": "BYTES", "score": "FP32"}
HEADER_LENGTH = "Inference-Header-Content-Length"


def handle(request: Request) -> Response:
    """Routes one /v2 request and answers its errors in the protocol's own shape."""
    try:
        endpoint, args = _MAP.bind("function").match(request.path, request.method)
        return endpoint(request, **args)
    except NotFound:
        return _error(404, f"no such endpoint: {request.path}")
    except MethodNotAllowed as error:
        allowed = ", ".join(sorted(error.valid_methods or []))
        return _error(405, f"{request.path} accepts {allowed}", {"Allow": allowed})
    except ApiError as error:
        return _error(error.status, error.message, error.headers)
    except lazy.ModelUnavailable as error:
        return _error(503, f"the model is unavailable: {error}", {"Retry-After": "10"})


def _error(status: int, message: str, headers: dict | None = None) -> Response:
    return json_response({"error": message}, status, headers)


def server_metadata(request: Request) -> Response:
    # K_REVISION names the deployed revision on Cloud Run and Cloud Functions gen2.
    return json_response({"name": "scam-function", "version": os.environ.get("K_REVISION", "local"),
                          "extensions": ["binary_tensor_data"]})


def live(request: Request) -> Response:
    return json_response({"live": True})


def ready(request: Request) -> Response:
    lazy.get()
    return json_response({"ready": True})


def _model(name: str, version: str | None) -> Model:
    model = lazy.get()
    if name not in (model.name, ALIAS):
        raise ApiError(404, "unknown_model",
                       f"unknown model {name!r}: this server serves {model.name!r} (alias {ALIAS!r})")
    if version is not None and version != model.version:
        raise ApiError(404, "unknown_version",
                       f"model {name!r} has no version {version!r}, only {model.version!r}")
    return model


def model_metadata(request: Request, name: str, version: str | None = None) -> Response:
    model = _model(name, version)
    return json_response({
        "name": model.name,
        "versions": [model.version],
        "platform": "onnxruntime_onnx",
        "inputs": [{"name": INPUT, "datatype": "BYTES", "shape": [-1]}],
        "outputs": [{"name": out, "datatype": kind, "shape": [-1]} for out, kind in OUTPUTS.items()],
    })


def model_ready(request: Request, name: str, version: str | None = None) -> Response:
    model = _model(name, version)
    return json_response({"name": model.name, "ready": True})


@dataclass(frozen=True)
class Tensor:
    texts: list[str]  # cleaned, row-major
    shape: list[int]


def _bad(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def _split(request: Request) -> tuple[dict, bytes]:
    """The JSON inference header and the binary tensor data that follows it."""
    if request.headers.get("Content-Encoding", "identity") != "identity":
        raise _bad("compressed requests are not accepted: send the body uncompressed")
    body = read_body(request)
    raw_length = request.headers.get(HEADER_LENGTH)
    length = len(body)
    if raw_length is not None:
        if not (raw_length.isascii() and raw_length.isdigit()) or int(raw_length) > len(body):
            raise _bad(f"{HEADER_LENGTH} must be a byte count within the body's {len(body)} bytes")
        length = int(raw_length)
    try:
        header = json.loads(body[:length].decode("utf-8"))
    except RecursionError:
        raise _bad("the JSON is nested too deeply") from None
    except ValueError as error:
        raise _bad(f"the inference request is not valid JSON: {error}") from None
    if not isinstance(header, dict):
        raise _bad('the inference request must be an object such as {"inputs": [...]}')
    return header, body[length:]


def _flatten(data: object) -> list[object]:
    """Row-major elements of nested lists, without recursion (the nesting comes from the client)."""
    flat, pending = [], [data]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(reversed(item))
        else:
            flat.append(item)
    return flat


def _unpack_bytes(raw: bytes) -> list[bytes]:
    """A binary BYTES tensor: each element a 4-byte little-endian length, then its bytes."""
    items, at = [], 0
    while at < len(raw):
        if at + 4 > len(raw):
            raise _bad(f"input {INPUT!r}: the binary data ends inside the length of element {len(items)}")
        (size,) = struct.unpack_from("<I", raw, at)
        at += 4
        if at + size > len(raw):
            raise _bad(f"input {INPUT!r}: the binary data ends inside element {len(items)}")
        items.append(raw[at:at + size])
        at += size
    return items


def _input(header: dict, binary: bytes) -> Tensor:
    inputs = header.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != 1 or not isinstance(inputs[0], dict):
        raise _bad(f'"inputs" must hold exactly one tensor, the BYTES input {INPUT!r}')
    tensor = inputs[0]
    if tensor.get("name") != INPUT:
        raise _bad(f"unexpected input {tensor.get('name')!r}: this model takes one input, {INPUT!r}")
    if tensor.get("datatype") != "BYTES":
        raise _bad(f"input {INPUT!r} must have datatype BYTES, not {tensor.get('datatype')!r}")
    shape = tensor.get("shape")
    if (not isinstance(shape, list) or not shape
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)):
        raise _bad(f"input {INPUT!r} needs a shape: a list of non-negative whole numbers")
    count = math.prod(shape)
    limit = settings().max_batch
    if not 1 <= count <= limit:
        raise _bad(f"input {INPUT!r} holds {count} texts; send between 1 and {limit}")
    parameters = tensor.get("parameters") or {}
    size = parameters.get("binary_data_size") if isinstance(parameters, dict) else None
    if size is not None:
        if not isinstance(size, int) or size != len(binary):
            raise _bad(f"input {INPUT!r}: binary_data_size {size!r} does not match the "
                       f"{len(binary)} bytes after the inference header")
        try:
            items: list[object] = [item.decode("utf-8") for item in _unpack_bytes(binary)]
        except UnicodeDecodeError:
            raise _bad(f"input {INPUT!r} holds text that is not valid UTF-8") from None
    elif binary:
        raise _bad(f"{len(binary)} bytes follow the inference header, but input {INPUT!r} "
                   "declares no binary_data_size")
    elif "data" in tensor:
        items = _flatten(tensor["data"])
    else:
        raise _bad(f'input {INPUT!r} has neither "data" nor binary data')
    if len(items) != count:
        raise _bad(f"input {INPUT!r} has {len(items)} elements but its shape {shape} holds {count}")
    texts = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise _bad(f"input {INPUT!r} element {i} must be a string, not {type(item).__name__}")
        if not item.strip():
            raise _bad(f"input {INPUT!r} element {i} is empty")
        texts.append(mail.clean(item))
    return Tensor(texts, shape)


def _requested(header: dict) -> list[tuple[str, bool]]:
    """(output name, as binary data) for each output the client asked for, in its order."""
    parameters = header.get("parameters") or {}
    binary = isinstance(parameters, dict) and parameters.get("binary_data_output") is True
    wanted = header.get("outputs")
    if wanted is None:
        return [(name, binary) for name in OUTPUTS]
    if not isinstance(wanted, list) or not all(isinstance(o, dict) for o in wanted):
        raise _bad('"outputs" must be a list of objects such as {"name": "label"}')
    requested = []
    for output in wanted:
        name = output.get("name")
        if not isinstance(name, str) or name not in OUTPUTS:  # a JSON object or list is unhashable
            raise _bad(f"unknown output {name!r}: this model has {', '.join(OUTPUTS)}")
        own = output.get("parameters")
        flag = own.get("binary_data") if isinstance(own, dict) else None
        requested.append((name, binary if flag is None else flag is True))
    return requested


def _pack_bytes(items: list[str]) -> bytes:
    return b"".join(struct.pack("<I", len(raw)) + raw for raw in (item.encode() for item in items))


def infer(request: Request, name: str, version: str | None = None) -> Response:
    model = _model(name, version)
    header, binary = _split(request)
    tensor = _input(header, binary)
    requested = _requested(header)
    predictions = model.predict(tensor.texts)
    request.environ["predict.chars"] = sum(len(t) for t in tensor.texts)
    values = {"label": [p.label for p in predictions],
              "score": np.array([p.score for p in predictions], dtype="<f4")}
    outputs, blobs = [], []
    for output, as_binary in requested:
        entry = {"name": output, "datatype": OUTPUTS[output], "shape": tensor.shape}
        value = values[output]
        if as_binary:
            blob = _pack_bytes(value) if output == "label" else value.tobytes()
            entry["parameters"] = {"binary_data_size": len(blob)}
            blobs.append(blob)
        else:
            entry["data"] = value if output == "label" else value.tolist()
        outputs.append(entry)
    answer = {"model_name": model.name, "model_version": model.version, "outputs": outputs}
    if isinstance(header.get("id"), str):
        answer["id"] = header["id"]
    if not blobs:
        return json_response(answer)
    text = json.dumps(answer, ensure_ascii=False).encode()
    return Response(text + b"".join(blobs), mimetype="application/octet-stream",
                    headers={HEADER_LENGTH: str(len(text))})


def _rules(suffix: str, endpoint: Callable[..., Response], methods: list[str]) -> list[Rule]:
    return [Rule(f"/v2/models/<name>{middle}{suffix}", endpoint=endpoint, methods=methods)
            for middle in ("", "/versions/<version>")]


_MAP = Map(
    [
        Rule("/v2", endpoint=server_metadata, methods=["GET"]),
        Rule("/v2/health/live", endpoint=live, methods=["GET"]),
        Rule("/v2/health/ready", endpoint=ready, methods=["GET"]),
        *_rules("", model_metadata, ["GET"]),
        *_rules("/ready", model_ready, ["GET"]),
        *_rules("/infer", infer, ["POST"]),
    ],
    strict_slashes=False,
)
