"""The in-process tier: routing, errors, limits, charsets, CORS and V2 through the deployed ASGI app,
without a socket. Each hostile-input recipe of the HTTP layer (issue 11) is a case here; those that
need a real connection (framing, slow clients, request-line size) are in tests/e2e/test_hostile.py.
"""

from __future__ import annotations

import json
import math
import time

import pytest

from function.web import app as web
from tests.asgi import call, environment, plane, post, post_json
from tests.support import DOCUMENT_TEXT, HAM, SCAM

LIMIT = 1 << 20


def error_code(reply) -> str:
    return reply.json()["error"]["code"]


def test_http_scores_equal_the_model_in_process():
    reply = post_json("/predict", {"texts": [SCAM, HAM]})
    model = plane().load()
    from function import mail

    expected = model.scores([mail.clean(SCAM), mail.clean(HAM)])
    assert [p["score"] for p in reply.json()["predictions"]] == [round(float(s), 6) for s in expected]


@pytest.mark.parametrize("path", ["/predict/", "//predict", "/predict//", "/v2//health/live",
                                  "/v2/health//live/", "/v2/models//scam", "/v2/models/scam/"])
def test_doubled_and_trailing_slashes_are_the_same_path(path):
    method, body = ("POST", SCAM.encode()) if "predict" in path else ("GET", None)
    reply = call(path, method, body, {"Content-Type": "text/plain"})
    assert reply.status == 200, reply.body
    assert "location" not in reply.headers


def test_head_answers_as_get_without_a_body_and_405_names_allow():
    assert call("/healthz", "HEAD").status == 200
    reply = call("/predict", "GET")
    assert reply.status == 405 and reply.headers["allow"] == "POST"
    assert error_code(reply) == "method_not_allowed"
    reply = call("/v2/models/scam/infer", "GET")
    assert reply.status == 405 and reply.headers["allow"] == "POST"
    assert isinstance(reply.json()["error"], str)
    reply = call("/healthz", "TRACE")
    assert reply.status == 405 and reply.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(("path", "v2"), [("/nope", False), ("/v2/nope", True),
                                          ("/v2/models/scam/explain", True), ("/favicon.ico", False),
                                          ("/predict\n", False)])
def test_unknown_paths_are_404_in_their_protocols_shape(path, v2):
    reply = call(path)
    assert reply.status == 404 and reply.headers["content-type"] == "application/json"
    error = reply.json()["error"]
    assert isinstance(error, str) if v2 else error["code"] == "not_found"


def test_every_route_answers_head_or_its_methods():
    for route in web.ROUTES:
        path = route.path.replace("{name}", "scam").replace("{version}", plane().load().version)
        for method in route.methods:
            body = b"{}" if method == "POST" else None
            reply = call(path, method, body, {"Content-Type": "application/json"})
            assert reply.status < 500, (path, method, reply.body)


def test_a_long_path_is_414_and_not_echoed():
    path = "/" + "a" * 9000
    reply = call(path)
    assert reply.status == 414 and error_code(reply) == "uri_too_long"
    assert b"aaaa" not in reply.body
    reply = call("/" + "b" * 5000)
    assert reply.status == 404 and len(reply.body) < 400  # the path is shown cut


@pytest.mark.parametrize(("content_type", "parts"), [
    ("text/plain", [b"a" * 400_000] * 3),
    ("application/x-www-form-urlencoded", [b"a=&" * 150_000] * 3),
    ("multipart/form-data; boundary=xx", [b"--xx\r\nContent-Disposition: form-data; name=\"f\"; "
                                          b"filename=\"a.eml\"\r\n\r\n" + b"a" * 600_000, b"b" * 600_000]),
    ("application/json", [b'{"text": "' + b"a" * 600_000, b"a" * 600_000 + b'"}']),
    ("message/rfc822", [b"Subject: x\r\n\r\n" + b"a" * 700_000, b"a" * 700_000]),
])
def test_413_at_the_limit_however_the_body_is_framed(content_type, parts):
    """Chunked bodies (several messages, no Content-Length) are counted as they arrive."""
    reply = post("/predict", parts, content_type)
    assert reply.status == 413 and error_code(reply) == "body_too_large"
    declared = post("/predict", b"x", content_type, content_length=str(LIMIT + 1))
    assert declared.status == 413


def test_a_multipart_field_with_invalid_utf8_is_400():
    body = b'--xx\r\nContent-Disposition: form-data; name="text"\r\n\r\n\xff\xfe scam\r\n--xx--\r\n'
    reply = post("/predict", body, "multipart/form-data; boundary=xx")
    assert reply.status == 400 and error_code(reply) == "invalid_encoding"


@pytest.mark.parametrize("charset", ["undefined", "idna", "punycode", "unicode-escape", "rot13", "base64",
                                     "klingon", "x" * 500])
def test_codecs_that_are_not_text_encodings_are_415(charset):
    started = time.process_time()
    reply = post("/predict", b"xn--zz abc-99999" * 1000, f"text/plain; charset={charset}")
    assert reply.status == 415 and error_code(reply) == "unsupported_charset"
    assert len(reply.body) < 400 and time.process_time() - started < 1.0


@pytest.mark.parametrize(("charset", "status"), [("utf-8", 200), ("UTF-8", 200), ("latin-1", 415),
                                                 ("utf-16", 415), ("punycode", 415)])
def test_a_declared_json_charset_is_honoured_or_refused(charset, status):
    reply = post("/predict", json.dumps({"text": SCAM}).encode(), f"application/json; charset={charset}")
    assert reply.status == status


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "x-unknown"])
def test_compressed_bodies_are_415(encoding):
    for path in ("/predict", "/v2/models/scam/infer"):
        reply = post(path, b"\x1f\x8b\x08\x00", "application/json", content_encoding=encoding)
        assert reply.status == 415, (path, reply.body)


def test_batches_are_bounded_and_ordered():
    reply = post_json("/predict", {"texts": [SCAM, HAM, SCAM]})
    assert [p["prediction"] for p in reply.json()["predictions"]] == [True, False, True]
    reply = post_json("/predict", {"texts": [HAM] * 65})
    assert reply.status == 422 and error_code(reply) == "batch_too_large"
    reply = post_json("/predict", {"instances": [{"text": SCAM}, HAM]})
    assert [p["prediction"] for p in reply.json()["predictions"]] == [True, False]


def test_v2_infer_as_json_and_errors_in_its_shape():
    tensor = {"name": "text", "datatype": "BYTES", "shape": [2], "data": [SCAM, HAM]}
    reply = post_json("/v2/models/scam/infer", {"id": "7", "inputs": [tensor]})
    assert reply.status == 200 and reply.json()["id"] == "7"
    assert reply.json()["outputs"][0]["data"] == ["scam", "ham"]
    reply = post_json("/v2/models/scam/infer", {"inputs": [{**tensor, "data": [SCAM, " "]}]})
    assert reply.status == 400 and "is empty" in reply.json()["error"]
    reply = post("/v2/models/scam/infer", b"{}", "application/json",
                 inference_header_content_length="9" * 5000)
    assert reply.status == 400 and "Inference-Header-Content-Length" in reply.json()["error"]
    reply = post_json("/v2/models/other/infer", {"inputs": [tensor]})
    assert reply.status == 404 and "unknown model" in reply.json()["error"]


def test_cors_answers_exactly_the_allowed_origins():
    allowed = "https://page.example"
    with environment(CORS_ORIGINS=allowed):
        asking = {"Origin": allowed, "Access-Control-Request-Method": "POST"}
        preflight = call("/predict", "OPTIONS", None, asking)
        assert preflight.status == 204 and preflight.headers["access-control-allow-origin"] == allowed
        reply = post("/predict", SCAM.encode(), origin="https://page.example.evil")
        assert "access-control-allow-origin" not in reply.headers and reply.headers["vary"] == "Origin"
    reply = post("/predict", SCAM.encode(), origin=allowed)
    assert "access-control-allow-origin" not in reply.headers and "vary" not in reply.headers


def test_openapi_lists_the_route_table():
    document = call("/openapi.json").json()
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    assert documented == {(route.path, method) for route in web.ROUTES for method in route.methods}


def test_hardening_headers_on_every_answer():
    for reply in (call("/healthz"), call("/nope"), post("/predict", b"{", "application/json")):
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["cache-control"] == "no-store"
    assert call("/").headers["cache-control"] == "public, max-age=300"


V2_TEXT = {"name": "text", "datatype": "BYTES", "shape": [1], "data": [SCAM]}


@pytest.mark.parametrize("outputs", [[{"name": "score"}] * 2, [{"name": "label"}, {"name": "score"}] * 2,
                                     [{"name": "score"}] * 58_154])
def test_repeated_or_excess_v2_outputs_are_400(outputs):
    """Issue 20, row 3: 58,154 outputs made an 82 MB answer."""
    body = json.dumps({"inputs": [V2_TEXT], "outputs": outputs}, separators=(",", ":")).encode()
    assert len(body) < LIMIT
    reply = post("/v2/models/scam/infer", body, "application/json")
    assert reply.status == 400 and "output" in reply.json()["error"]
    assert len(reply.body) < 300


LONE = "\ud800"


@pytest.mark.parametrize("document", [
    {"text": SCAM, "explain": LONE}, {"text": SCAM, "threshold": LONE}, {"text": LONE},
    {"texts": [SCAM, LONE], "explain": True}, {"text": f"claim your{LONE}prize now, wire{LONE}the fee",
                                              "explain": "all"},
    {LONE: LONE}])
def test_a_lone_surrogate_in_any_json_field_is_400_json_or_200(document):
    """Issue 20, row 6: never a 500."""
    reply = post("/predict", json.dumps(document).encode(), "application/json")
    assert reply.status in (200, 400) and reply.headers["content-type"] == "application/json"
    reply.json()


@pytest.mark.parametrize("change", [
    {"id": LONE}, {"parameters": {"threshold": LONE}},
    {"inputs": [{**V2_TEXT, "parameters": {"binary_data_size": LONE}}]},
    {"inputs": [{**V2_TEXT, "data": [f"claim your{LONE}prize"]}]}, {"inputs": [{**V2_TEXT, "name": LONE}]}])
def test_a_lone_surrogate_in_any_v2_field_is_400_json_or_200(change):
    reply = post_json("/v2/models/scam/infer", {"inputs": [V2_TEXT], **change})
    assert reply.status in (200, 400) and reply.headers["content-type"] == "application/json"
    if reply.status == 200 and "id" in change:
        assert reply.json()["id"] == LONE


def test_every_prediction_has_a_band_and_every_answer_the_uncertain_range():
    model = plane().load()
    low, high = model.band
    one = post_json("/predict", {"text": SCAM}).json()
    assert one["uncertain"] == pytest.approx([low, high]) and one["band"] == "scam"
    every = post_json("/predict", {"texts": [SCAM, HAM, DOCUMENT_TEXT]}).json()
    assert every["uncertain"] == one["uncertain"]
    low, high = one["uncertain"]
    for row in every["predictions"]:
        expected = "uncertain" if low <= row["score"] < high else "scam" if row["prediction"] else "not_scam"
        assert row["band"] == expected
    moved = post_json("/predict", {"texts": [SCAM, HAM], "threshold": 0.9}).json()
    shift = math.log(0.9 / 0.1) - math.log(model.threshold / (1 - model.threshold))  # in log-odds
    assert moved["uncertain"] == pytest.approx(
        [1 / (1 + math.exp(-math.log(edge / (1 - edge)) - shift)) for edge in (low, high)], abs=1e-3)
    assert 0.9 < moved["uncertain"][1] < 1  # a moved band never swallows 1
    assert post("/predict", SCAM.encode()).body == b"true"  # text/plain unchanged
