"""Open Inference Protocol (V2), driven by a client nobody here wrote: Triton's tritonclient[http].

tritonclient sends tensors with the binary tensor data extension unless told otherwise, and
asks for binary outputs when it names none: both forms, and JSON, are checked here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.support import HAM, SCAM, call

httpclient = pytest.importorskip("tritonclient.http", reason="pip install 'tritonclient[http]'")
from tritonclient.utils import InferenceServerException  # noqa: E402

UNICODE_HAM = "Grüße aus Köln! Das Treffen ist am Dienstag um 10 Uhr, bis dann. 🙂 日本語もOK"


@pytest.fixture(scope="module")
def triton(base_url: str):
    client = httpclient.InferenceServerClient(url=base_url.removeprefix("http://"), network_timeout=30)
    yield client
    client.close()


@pytest.fixture(scope="module")
def model(triton) -> dict:
    return triton.get_model_metadata("scam")


def texts_input(texts: list[str], binary: bool = True, shape: list[int] | None = None):
    tensor = httpclient.InferInput("text", shape or [len(texts)], "BYTES")
    tensor.set_data_from_numpy(np.array([t.encode() for t in texts], dtype=object).reshape(
        shape or [len(texts)]), binary_data=binary)
    return tensor


def test_health_and_server_metadata(triton, model):
    assert triton.is_server_live()
    assert triton.is_server_ready()
    assert triton.is_model_ready(model["name"])
    assert triton.is_model_ready("scam")
    assert triton.is_model_ready(model["name"], model["versions"][0])
    assert not triton.is_model_ready("no-such-model")
    server = triton.get_server_metadata()
    assert "binary_tensor_data" in server["extensions"]
    assert server["name"] and server["version"]


def test_model_metadata(triton, model):
    assert model["name"] != "scam"  # the alias answers with the artifact's real name
    assert model["inputs"] == [{"name": "text", "datatype": "BYTES", "shape": [-1]}]
    assert {(o["name"], o["datatype"]) for o in model["outputs"]} == {("label", "BYTES"), ("score", "FP32")}
    assert triton.get_model_metadata(model["name"], model["versions"][0]) == model
    with pytest.raises(InferenceServerException) as refused:
        triton.get_model_metadata(model["name"], "no-such-version")
    assert refused.value.status() == "404"
    assert model["versions"][0] in refused.value.message()


def test_infer_with_binary_tensors_by_default(triton, model):
    result = triton.infer(model["name"], [texts_input([SCAM, HAM])])
    assert result.as_numpy("label").tolist() == [b"scam", b"ham"]
    scores = result.as_numpy("score")
    assert scores.dtype == np.float32 and scores.shape == (2,)
    assert scores[0] > 0.5 > scores[1]
    # The answer came back in binary form too, as tritonclient asked.
    assert result.get_output("score")["parameters"]["binary_data_size"] == 8
    response = result.get_response()
    assert (response["model_name"], response["model_version"]) == (model["name"], model["versions"][0])


def test_infer_with_json_tensors(triton, model):
    outputs = [httpclient.InferRequestedOutput("score", binary_data=False),
               httpclient.InferRequestedOutput("label", binary_data=False)]
    result = triton.infer("scam", [texts_input([HAM, SCAM, HAM], binary=False)], outputs=outputs,
                          request_id="req-7")
    response = result.get_response()
    assert [o["name"] for o in response["outputs"]] == ["score", "label"]  # the order asked for
    assert response["outputs"][1]["data"] == ["ham", "scam", "ham"]
    assert response["id"] == "req-7"
    assert result.as_numpy("label").tolist() == ["ham", "scam", "ham"]  # JSON BYTES decode to str


def test_mixed_outputs_and_versioned_path(triton, model):
    outputs = [httpclient.InferRequestedOutput("label", binary_data=True),
               httpclient.InferRequestedOutput("score", binary_data=False)]
    result = triton.infer(model["name"], [texts_input([SCAM])], outputs=outputs,
                          model_version=model["versions"][0])
    assert "binary_data_size" in result.get_output("label")["parameters"]
    assert "data" in result.get_output("score")
    assert result.as_numpy("label").tolist() == [b"scam"]


def test_scores_equal_the_predict_endpoint(triton, base_url):
    scores = triton.infer("scam", [texts_input([SCAM, HAM, UNICODE_HAM])]).as_numpy("score")
    reply = call(base_url + "/predict", "POST", json.dumps({"texts": [SCAM, HAM, UNICODE_HAM]}).encode(),
                 {"Content-Type": "application/json"})
    expected = [p["score"] for p in reply.json()["predictions"]]
    assert np.allclose(scores, expected, atol=2e-6)


def test_output_shape_follows_input_shape(triton):
    result = triton.infer("scam", [texts_input([SCAM, HAM, HAM, SCAM], shape=[2, 2])])
    assert result.as_numpy("label").tolist() == [[b"scam", b"ham"], [b"ham", b"scam"]]
    assert result.as_numpy("score").shape == (2, 2)


@pytest.mark.parametrize(("name", "tensor", "status", "words"), [
    ("no-such-model", None, "404", "unknown model"),
    ("scam", "wrong name", "400", "unexpected input"),
    ("scam", "INT32", "400", "BYTES"),
    ("scam", "65 texts", "400", "between 1 and"),
    ("scam", "empty text", "400", "is empty"),
])
def test_refusals_reach_tritonclient_as_errors(triton, name, tensor, status, words):
    if tensor == "wrong name":
        inputs = [httpclient.InferInput("input-0", [1], "BYTES")]
        inputs[0].set_data_from_numpy(np.array([b"x"], dtype=object))
    elif tensor == "INT32":
        inputs = [httpclient.InferInput("text", [1], "INT32")]
        inputs[0].set_data_from_numpy(np.array([1], dtype=np.int32))
    elif tensor == "65 texts":
        inputs = [texts_input([HAM] * 65)]
    elif tensor == "empty text":
        inputs = [texts_input([HAM, "  \n "])]
    else:
        inputs = [texts_input([HAM])]
    with pytest.raises(InferenceServerException) as refused:
        triton.infer(name, inputs)
    assert refused.value.status() == status
    assert words in refused.value.message()


def infer_raw(base_url: str, body: bytes, headers: dict | None = None, model: str = "scam"):
    return call(f"{base_url}/v2/models/{model}/infer", "POST", body, headers or {})


def assert_v2_error(reply, status: int, words: str) -> None:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"] == "application/json"
    error = reply.json()["error"]
    assert isinstance(error, str) and words in error, error
    assert "Traceback" not in reply.body.decode()


def binary_request(items: list[bytes], size: int | None = None) -> tuple[bytes, dict]:
    data = b"".join(len(item).to_bytes(4, "little") + item for item in items)
    header = json.dumps({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [len(items)],
                                     "parameters": {"binary_data_size": len(data) if size is None
                                                    else size}}]}).encode()
    return header + data, {"Inference-Header-Content-Length": str(len(header))}


def test_malformed_requests_are_400_with_words(base_url):
    assert_v2_error(infer_raw(base_url, b"{not json"), 400, "not valid JSON")
    assert_v2_error(infer_raw(base_url, b"[1, 2]"), 400, "must be an object")
    assert_v2_error(infer_raw(base_url, b'{"inputs": []}'), 400, "exactly one tensor")
    shapeless = {"inputs": [{"name": "text", "datatype": "BYTES", "data": ["x"]}]}
    assert_v2_error(infer_raw(base_url, json.dumps(shapeless).encode()), 400, "shape")
    mismatch = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [3], "data": [HAM, SCAM]}]}
    assert_v2_error(infer_raw(base_url, json.dumps(mismatch).encode()), 400, "has 2 elements")
    not_text = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": [42]}]}
    assert_v2_error(infer_raw(base_url, json.dumps(not_text).encode()), 400, "must be a string")
    unknown = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": [HAM]}],
               "outputs": [{"name": "probabilities"}]}
    assert_v2_error(infer_raw(base_url, json.dumps(unknown).encode()), 400, "unknown output")
    deep = b'{"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": ' + b"[" * 100_000
    assert_v2_error(infer_raw(base_url, deep), 400, "JSON")


def test_malformed_binary_data_is_400_with_words(base_url):
    body, headers = binary_request([SCAM.encode()])
    assert_v2_error(infer_raw(base_url, body[:-5], headers), 400, "binary_data_size")
    body, headers = binary_request([b"x" * 10, b"y"])
    start = int(headers["Inference-Header-Content-Length"])
    overlong = body[:start] + (100).to_bytes(4, "little") + body[start + 4:]  # element 0 "holds" 100
    assert_v2_error(infer_raw(base_url, overlong, headers), 400, "ends inside element 0")
    body, headers = binary_request([b"x" * 10], size=16)
    assert_v2_error(infer_raw(base_url, body + b"\x01\x00", headers), 400, "inside the length of element 1")
    body, headers = binary_request([b"\xff\xfe not utf-8"])
    assert_v2_error(infer_raw(base_url, body, headers), 400, "not valid UTF-8")
    body, _ = binary_request([HAM.encode()])
    plain = json.dumps({"inputs": [{"name": "text", "datatype": "BYTES", "shape": [1], "data": [HAM]}]})
    length = {"Inference-Header-Content-Length": str(len(plain))}
    trailing = infer_raw(base_url, plain.encode() + b"extra", length)
    assert_v2_error(trailing, 400, "declares no binary")
    for length in ("99999999", "-3", "ten", "\u00b2"):
        assert_v2_error(infer_raw(base_url, body, {"Inference-Header-Content-Length": length}), 400,
                        "Inference-Header-Content-Length")


def test_binary_request_by_hand_matches_tritonclient(base_url):
    body, headers = binary_request([SCAM.encode(), UNICODE_HAM.encode()])
    reply = infer_raw(base_url, body, headers)
    assert reply.status == 200 and reply.headers["content-type"] == "application/json"
    outputs = {o["name"]: o for o in reply.json()["outputs"]}
    assert outputs["label"] == {"name": "label", "datatype": "BYTES", "shape": [2], "data": ["scam", "ham"]}


def test_routing_errors_keep_the_protocol_shape(base_url):
    assert_v2_error(call(base_url + "/v2/nope"), 404, "no such path")
    assert_v2_error(call(base_url + "/v2/models/scam/explain", "POST", b"{}"), 404, "no such path")
    reply = call(base_url + "/v2/models/scam/infer")
    assert_v2_error(reply, 405, "accepts POST")
    assert reply.headers["allow"] == "POST"
    assert_v2_error(call(base_url + "/v2/health/live", "POST", b""), 405, "accepts GET")
    assert call(base_url + "/v2/health/live/").status == 200  # a trailing slash is the same path
    assert call(base_url + "/v2/health/ready", "HEAD").status == 200


def test_live_needs_no_model_and_ready_tells_why_not(serve, tmp_path):
    server = serve({"MODEL_URI": str(tmp_path / "no-model-here")})
    triton = httpclient.InferenceServerClient(url=server.url.removeprefix("http://"))
    try:
        assert triton.is_server_live()
        assert not any(r.get("message") == "model unavailable" for r in server.log_records())
        assert not triton.is_server_ready()
        assert "model unavailable" in [r.get("message") for r in server.log_records()]
    finally:
        triton.close()
    ready = call(server.url + "/v2/health/ready")
    assert_v2_error(ready, 503, "model.json")
    assert int(ready.headers["retry-after"]) >= 1
    assert_v2_error(infer_raw(server.url, b"{}"), 503, "unavailable")
