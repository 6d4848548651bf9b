"""The Open Inference Protocol's wire format for this model, as pure functions (no web framework).

An inference request is JSON, optionally followed by binary tensor data: with the
`Inference-Header-Content-Length: N` header the first N bytes are the JSON and the rest the raw
tensors, where a BYTES element is a 4-byte little-endian length and its bytes. The model takes
one BYTES input "text" (any shape, one e-mail per element) and gives "label" (BYTES) and "score"
(FP32) of the same shape. Every refusal is a `Malformed` with a message for the caller.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass

INPUT = "text"
OUTPUTS = {"label": "BYTES", "score": "FP32"}
MAX_DIMS = 8  # shape dimensions: a text tensor needs one or two
MAX_LENGTH_DIGITS = 12  # of Inference-Header-Content-Length


class Malformed(ValueError):
    """The request does not follow the protocol or this model's signature."""


@dataclass(frozen=True)
class Tensor:
    texts: list[str]  # row-major, as sent (not cleaned)
    shape: list[int]


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
            raise Malformed(f"input {INPUT!r}: binary_data_size {str(size)[:20]} does not match the "
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
        raise Malformed(f"unexpected input {str(tensor.get('name'))[:40]!r}: this model takes one input, "
                        f"{INPUT!r}")
    if tensor.get("datatype") != "BYTES":
        raise Malformed(f"input {INPUT!r} must have datatype BYTES, not {str(tensor.get('datatype'))[:20]!r}")
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
    found = []
    for output in wanted:
        name = output.get("name")
        if not isinstance(name, str) or name not in OUTPUTS:  # a JSON object or list is unhashable
            raise Malformed(f"unknown output {str(name)[:40]!r}: this model has {', '.join(OUTPUTS)}")
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
    text = json.dumps({**answer, "outputs": outputs}, ensure_ascii=False).encode()
    return (text + b"".join(blobs), len(text)) if blobs else (text, None)
