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
The wire format (pure functions, below the handlers): an inference request is JSON, optionally
followed by binary tensor data: with the `Inference-Header-Content-Length: N` header the first N
bytes are the JSON and the rest the raw tensors, where a BYTES element is a 4-byte little-endian
length and its bytes. The model takes one BYTES input "text" (any shape, one e-mail per element) and
gives "label" (BYTES) and "score" (FP32) of the same shape, each asked for at most once. Every
refusal of the format is a `Malformed`, answered 400.
"""

from __future__ import annotations

import json
import math
import struct
from typing import TYPE_CHECKING

import numpy as np
from starlette.responses import Response

from function import contract
from function.contract import V2_ALIAS as ALIAS
from function.contract import V2_INPUT as INPUT
from function.contract import V2_OUTPUTS as OUTPUTS
from function.contract import ApiError, ErrorCode, Tensor, dumps, shown
from function.limits import MAX_DIMS, MAX_LENGTH_DIGITS
from function.model import Model
from function.settings import settings

if TYPE_CHECKING:
    from function.web.app import Call

class Malformed(ValueError):
    """The request does not follow the protocol or this model's signature."""


def split(body: bytes, header_length: str | None) -> tuple[dict, bytes]:
    """(the JSON inference header, the binary tensor data after it)."""
    length = len(body)
    if header_length is not None:
        raw = header_length.strip()
        if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_LENGTH_DIGITS) or int(raw) > len(body):
            raise Malformed(f"Inference-Header-Content-Length must be a byte count within the body's "
                            f"{len(body)} bytes")
        length = int(raw)
    try:
        header = json.loads(body[:length].decode("utf-8"))
    except RecursionError:
        raise Malformed("the JSON is nested too deeply") from None
    except ValueError as error:
        raise Malformed(f"the inference request is not valid JSON: {str(error)[:200]}") from None
    if not isinstance(header, dict):
        raise Malformed('the inference request must be an object such as {"inputs": [...]}')
    return header, body[length:]


def flatten(data: object) -> list[object]:
    """Row-major elements of nested lists, without recursion (the nesting comes from the client)."""
    flat, pending = [], [data]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(reversed(item))
        else:
            flat.append(item)
    return flat


def unpack_bytes(raw: bytes) -> list[bytes]:
    """A binary BYTES tensor: each element a 4-byte little-endian length, then its bytes."""
    items, at = [], 0
    while at < len(raw):
        if at + 4 > len(raw):
            raise Malformed(f"input {INPUT!r}: the binary data ends inside the length of element "
                            f"{len(items)}")
        (size,) = struct.unpack_from("<I", raw, at)
        at += 4
        if at + size > len(raw):
            raise Malformed(f"input {INPUT!r}: the binary data ends inside element {len(items)}")
        items.append(raw[at:at + size])
        at += size
    return items


def pack_bytes(items: list[str]) -> bytes:
    return b"".join(struct.pack("<I", len(raw)) + raw for raw in (item.encode() for item in items))


def _shape(tensor: dict, limit: int) -> tuple[list[int], int]:
    """The tensor's shape and element count, checked before any arithmetic on client numbers."""
    shape = tensor.get("shape")
    if (not isinstance(shape, list) or not 1 <= len(shape) <= MAX_DIMS
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)):
        raise Malformed(f"input {INPUT!r} needs a shape: a list of 1 to {MAX_DIMS} non-negative "
                        "whole numbers")
    if max(shape) > limit:  # checked before multiplying: 40,000 dimensions of 2**62 cost seconds
        raise Malformed(f"input {INPUT!r} holds more than {limit} texts; send between 1 and {limit}")
    count = math.prod(shape)
    if not 1 <= count <= limit:
        raise Malformed(f"input {INPUT!r} holds {count} texts; send between 1 and {limit}")
    return shape, count


def _elements(tensor: dict, binary: bytes) -> list[object]:
    parameters = tensor.get("parameters") or {}
    size = parameters.get("binary_data_size") if isinstance(parameters, dict) else None
    if size is not None:
        if not isinstance(size, int) or size != len(binary):
            raise Malformed(f"input {INPUT!r}: binary_data_size {shown(size, 20)} does not match the "
                            f"{len(binary)} bytes after the inference header")
        try:
            return [item.decode("utf-8") for item in unpack_bytes(binary)]
        except UnicodeDecodeError:
            raise Malformed(f"input {INPUT!r} holds text that is not valid UTF-8") from None
    if binary:
        raise Malformed(f"{len(binary)} bytes follow the inference header, but input {INPUT!r} "
                        "declares no binary_data_size")
    if "data" not in tensor:
        raise Malformed(f'input {INPUT!r} has neither "data" nor binary data')
    return flatten(tensor["data"])


def decode_input(header: dict, binary: bytes, limit: int) -> Tensor:
    """The one BYTES input of an inference request: its elements (strings) and shape."""
    inputs = header.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != 1 or not isinstance(inputs[0], dict):
        raise Malformed(f'"inputs" must hold exactly one tensor, the BYTES input {INPUT!r}')
    tensor = inputs[0]
    if tensor.get("name") != INPUT:
        raise Malformed(f"unexpected input {shown(tensor.get('name'))!r}: this model takes one input, "
                        f"{INPUT!r}")
    if tensor.get("datatype") != "BYTES":
        kind = shown(tensor.get("datatype"), 20)
        raise Malformed(f"input {INPUT!r} must have datatype BYTES, not {kind!r}")
    shape, count = _shape(tensor, limit)
    items = _elements(tensor, binary)
    if len(items) != count:
        raise Malformed(f"input {INPUT!r} has {len(items)} elements but its shape {shape} holds {count}")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise Malformed(f"input {INPUT!r} element {i} must be a string, not {type(item).__name__}")
    return Tensor(items, shape)


def requested(header: dict) -> list[tuple[str, bool]]:
    """(output name, as binary data) for each output the client asked for, in its order."""
    parameters = header.get("parameters") or {}
    binary = isinstance(parameters, dict) and parameters.get("binary_data_output") is True
    wanted = header.get("outputs")
    if wanted is None:
        return [(name, binary) for name in OUTPUTS]
    if not isinstance(wanted, list) or not all(isinstance(o, dict) for o in wanted):
        raise Malformed('"outputs" must be a list of objects such as {"name": "label"}')
    if len(wanted) > len(OUTPUTS):  # checked before reading them: 58,000 of them made an 82 MB answer
        raise Malformed(f'"outputs" names at most {len(OUTPUTS)} outputs, each once: {", ".join(OUTPUTS)}')
    found = []
    for output in wanted:
        name = output.get("name")
        if not isinstance(name, str) or name not in OUTPUTS:  # a JSON object or list is unhashable
            raise Malformed(f"unknown output {shown(name)!r}: this model has {', '.join(OUTPUTS)}")
        if any(name == seen for seen, _ in found):
            raise Malformed(f"output {name!r} is asked for twice")
        own = output.get("parameters")
        flag = own.get("binary_data") if isinstance(own, dict) else None
        found.append((name, binary if flag is None else flag is True))
    return found


def encode_output(answer: dict, labels: list[str], scores: list[float], shape: list[int],
                  wanted: list[tuple[str, bool]]) -> tuple[bytes, int | None]:
    """The response body and, when it carries binary tensors, the length of its JSON part."""
    values = {"label": labels, "score": scores}
    outputs, blobs = [], []
    for name, as_binary in wanted:
        entry: dict = {"name": name, "datatype": OUTPUTS[name], "shape": shape}
        if as_binary:
            blob = pack_bytes(labels) if name == "label" else struct.pack(f"<{len(scores)}f", *scores)
            entry["parameters"] = {"binary_data_size": len(blob)}
            blobs.append(blob)
        else:
            entry["data"] = values[name]
        outputs.append(entry)
    text = json.dumps({**answer, "outputs": outputs}).encode()  # ASCII: an echoed id may hold anything
    return (text + b"".join(blobs), len(text)) if blobs else (text, None)


# The handlers.

HEADER_LENGTH = "Inference-Header-Content-Length"


async def server_metadata(call: Call) -> Response:
    return _json({"name": "scam-function", "version": settings().revision,
                          "extensions": ["binary_tensor_data"]})


async def live(call: Call) -> Response:
    return _json({"live": True})


async def ready(call: Call) -> Response:
    await call.plane.loaded()
    return _json({"ready": True})


async def _model(call: Call) -> Model:
    found = await call.plane.loaded()
    name, version = call.params["name"], call.params.get("version")
    if name not in (found.name, ALIAS):
        raise ApiError(ErrorCode.UNKNOWN_MODEL,
                       f"unknown model {name[:80]!r}: this server serves {found.name!r} (alias {ALIAS!r})")
    if version is not None and version != found.version:
        raise ApiError(ErrorCode.UNKNOWN_VERSION,
                       f"model {name[:80]!r} has no version {version[:80]!r}, only {found.version!r}")
    return found


async def model_metadata(call: Call) -> Response:
    found = await _model(call)
    return _json({
        "name": found.name, "versions": [found.version], "platform": "onnxruntime_onnx",
        "inputs": [{"name": INPUT, "datatype": "BYTES", "shape": [-1]}],
        "outputs": [{"name": out, "datatype": kind, "shape": [-1]} for out, kind in OUTPUTS.items()],
    })


async def model_ready(call: Call) -> Response:
    found = await _model(call)
    return _json({"name": found.name, "ready": True})


async def infer(call: Call) -> Response:
    if call.plane.model is None:  # a model that cannot load answers 503 before the body is looked at
        await call.plane.loaded()
    try:
        header, binary = split(call.body, call.request.headers.get(HEADER_LENGTH))
        tensor = decode_input(header, binary, call.limits.max_batch)
        wanted = requested(header)
    except Malformed as error:
        raise ApiError(ErrorCode.BAD_REQUEST, str(error)) from None
    texts = [contract.text(t, f"input {INPUT!r} element {i}") for i, t in enumerate(tensor.texts)]
    parameters = header.get("parameters")
    cut = contract.threshold(parameters.get("threshold") if isinstance(parameters, dict) else None)
    await _model(call)
    answered = call.answer = await call.plane.infer(texts, cut)
    answer = {"model_name": answered.model, "model_version": answered.version,
              "parameters": {"threshold": answered.threshold}}
    if isinstance(header.get("id"), str):
        answer["id"] = header["id"]
    scores = np.array([p.score for p in answered.predictions], dtype="<f4").tolist()
    content, json_length = encode_output(answer, [p.label for p in answered.predictions], scores,
                                         tensor.shape, wanted)
    if json_length is None:
        return Response(content, media_type="application/json")
    return Response(content, media_type="application/octet-stream", headers={HEADER_LENGTH: str(json_length)})


def _json(document: object) -> Response:
    return Response(dumps(document), media_type="application/json")
