"""The V2 binary codec, a pure module: round-tripped against tritonclient's own serializer."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from function.web import v2 as v2codec


# Triton's own serializer, the reference these tests hold the codec to. It is no dependency of the
# fast tier (requirements-fast.txt): without it the reference checks are skipped there, and `make
# test` (requirements-test.txt) runs them.
@pytest.fixture(scope="module")
def triton():
    return pytest.importorskip("tritonclient.utils", reason="pip install 'tritonclient[http]'")

TEXTS = st.lists(st.text(st.characters(codec="utf-8"), max_size=200), max_size=20)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_pack_bytes_equals_tritonclients_serializer(triton, texts):
    ours = v2codec.pack_bytes(texts)
    theirs = triton.serialize_byte_tensor(np.array([t.encode() for t in texts], dtype=object)) \
        if texts else None
    assert ours == (theirs.item() if texts else b"")
    assert [b.decode() for b in v2codec.unpack_bytes(ours)] == texts
    if texts:
        assert [b.decode() for b in triton.deserialize_bytes_tensor(ours)] == texts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(codec="utf-8"), min_size=1, max_size=50), min_size=1, max_size=8))
def test_a_binary_request_decodes_to_the_texts_sent(triton, texts):
    blob = triton.serialize_byte_tensor(np.array([t.encode() for t in texts], dtype=object)).item()
    header = json.dumps({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [len(texts)],
                                     "parameters": {"binary_data_size": len(blob)}}]}).encode()
    parsed, binary = v2codec.split(header + blob, str(len(header)))
    assert v2codec.decode_input(parsed, binary, 64).texts == texts


def test_binary_outputs_read_back_with_tritonclient(triton):
    wanted = [("label", True), ("score", True)]
    content, length = v2codec.encode_output({"model_name": "m"}, ["scam", "ham"], [0.75, 0.25], [2], wanted)
    answer = json.loads(content[:length])
    label_size = answer["outputs"][0]["parameters"]["binary_data_size"]
    labels = triton.deserialize_bytes_tensor(content[length:length + label_size])
    scores = np.frombuffer(content[length + label_size:], dtype="<f4")
    assert list(labels) == [b"scam", b"ham"] and scores.tolist() == [0.75, 0.25]


@pytest.mark.parametrize(("header", "length", "words"), [
    ({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [2**62] * 40_000, "data": []}]}, None,
     "1 to 8"),
    ({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [2**62, 0], "data": []}]}, None, "more than"),
    ({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [10**3999] * 250, "data": []}]}, None,
     "1 to 8"),
    ({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": ["x"]}]}, "9" * 5000,
     "Inference-Header-Content-Length"),
    ({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": ["x"]}]}, "-1",
     "Inference-Header-Content-Length"),
])
def test_hostile_headers_are_refused_quickly(header, length, words):
    raw = json.dumps(header).encode()
    started = time.process_time()
    with pytest.raises(v2codec.Malformed, match=words):
        parsed, binary = v2codec.split(raw, length)
        v2codec.decode_input(parsed, binary, 64)
    assert time.process_time() - started < 1.0
