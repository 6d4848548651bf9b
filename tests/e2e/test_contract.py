"""The HTTP contract, line by line, against a real server (CONTRACT_BASE_URL or a fresh one)."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.contract_cases import EXCHANGES, REFUSALS, Case, Exchange, check_exchange, check_refusal
from tests.support import HAM, SCAM, call

RAW_SCAM = (
    "From: \"Mr. Okoro\" <okoro@example.net>\r\nTo: you@example.com\r\n"
    "Subject: =?utf-8?q?URGENT_BUSINESS_PROPOSAL?=\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\n"
    "Content-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    f"<html><body><p>{SCAM}</p></body></html>\r\n--b1--\r\n"
).encode("latin-1")


def post(base_url: str, body: bytes, content_type: str | None, path: str = "/predict"):
    headers = {"Content-Type": content_type} if content_type else {}
    return call(base_url + path, "POST", body, headers)


def post_json(base_url: str, document: object):
    return post(base_url, json.dumps(document).encode(), "application/json")


def assert_error(reply, status: int, code: str) -> None:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"].startswith("application/json")
    error = reply.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert "Traceback" not in reply.body.decode()


def test_json_single(base_url):
    reply = post_json(base_url, {"text": SCAM})
    assert reply.status == 200
    body = reply.json()
    assert body["prediction"] is True and body["label"] == "scam"
    assert 0.5 < body["score"] <= 1.0
    assert set(body["model"]) == {"name", "version"}


def test_json_batch_keeps_order(base_url):
    reply = post_json(base_url, {"texts": [HAM, SCAM, HAM]})
    body = reply.json()
    assert [p["prediction"] for p in body["predictions"]] == [False, True, False]
    assert [p["label"] for p in body["predictions"]] == ["ham", "scam", "ham"]
    assert body["model"]["name"]


def test_batch_scores_equal_single_scores(base_url):
    batch = post_json(base_url, {"texts": [SCAM, HAM]}).json()["predictions"]
    singles = [post_json(base_url, {"text": t}).json()["score"] for t in (SCAM, HAM)]
    assert [p["score"] for p in batch] == pytest.approx(singles, abs=1e-5)


def test_vertex_instances_strings_and_objects(base_url):
    reply = post_json(base_url, {"instances": [{"text": SCAM}, HAM]})
    assert [p["prediction"] for p in reply.json()["predictions"]] == [True, False]


def test_html_form_urlencoded(base_url):
    from urllib.parse import urlencode

    reply = post(base_url, urlencode({"text": SCAM}).encode(), "application/x-www-form-urlencoded")
    assert reply.status == 200 and reply.json()["prediction"] is True


def multipart(fields: dict[str, tuple[str | None, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks = []
    for name, (filename, content) in fields.items():
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n"
        chunks.append(head.encode() + content + b"\r\n")
    return b"".join(chunks) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_multipart_text_field(base_url):
    body, content_type = multipart({"text": (None, HAM.encode())})
    reply = post(base_url, body, content_type)
    assert reply.status == 200 and reply.json()["prediction"] is False


def test_multipart_eml_upload(base_url):
    body, content_type = multipart({"file": ("offer.eml", RAW_SCAM)})
    reply = post(base_url, body, content_type)
    assert reply.status == 200 and reply.json()["prediction"] is True


def test_rfc822_is_parsed_like_training_data(base_url):
    reply = post(base_url, RAW_SCAM, "message/rfc822")
    assert reply.status == 200 and reply.json()["prediction"] is True


def test_rfc822_score_equals_the_text_it_carries(base_url):
    from function.mail import message_text

    via_mime = post(base_url, RAW_SCAM, "message/rfc822").json()["score"]
    via_json = post_json(base_url, {"text": message_text(RAW_SCAM)}).json()["score"]
    assert via_mime == pytest.approx(via_json, abs=1e-6)


def test_very_long_text_is_truncated_not_refused(base_url):
    long_text = (HAM + " ") * 400  # ~100,000 characters, far past the token limit
    reply = post(base_url, long_text.encode(), "text/plain")
    assert (reply.status, reply.body) == (200, b"false")


def test_healthz_and_readyz(base_url):
    assert call(base_url + "/healthz").json() == {"status": "ok"}
    ready = call(base_url + "/readyz")
    assert ready.status == 200 and ready.json()["status"] == "ready"


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda exchange: exchange.name)
def test_the_plain_exchange(base_url, exchange: Exchange):
    """The table tests/app/test_contract.py runs in process, here against a real server."""
    method, path, body, headers = exchange.request()
    check_exchange(call(base_url + path, method, body, headers), exchange)


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: case.name)
def test_bad_input_gets_a_clear_error(base_url, case: Case):
    """The table tests/app/test_contract.py runs in process, here against a real server."""
    method, path, body, headers = case.request()
    check_refusal(call(base_url + path, method, body, headers), case)


def test_a_multipart_body_over_the_limit_is_413(base_url):
    body, content_type = multipart({"text": (None, b"a" * ((1 << 20) + 1))})
    assert_error(post(base_url, body, content_type), 413, "body_too_large")
