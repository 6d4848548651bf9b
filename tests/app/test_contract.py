"""The contract's exchanges and refusals (tests/contract_cases.py), in process through the deployed app,
and one charset policy for every way text arrives."""

from __future__ import annotations

import pytest

from function import mail
from tests.asgi import call, post
from tests.contract_cases import EXCHANGES, REFUSALS, Case, Exchange, check_exchange, check_refusal


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda exchange: exchange.name)
def test_the_plain_exchange(exchange: Exchange):
    method, path, body, headers = exchange.request()
    check_exchange(call(path, method, body, headers), exchange)


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: case.name)
def test_bad_input_gets_a_clear_error(case: Case):
    method, path, body, headers = case.request()
    check_refusal(call(path, method, body, headers), case)


# Charsets of every kind: text encodings, codecs that are no text encoding, ones refused for their
# cost, unknown names. utf-8 and ascii are left out: their decoding cannot be told from the fallback.
CHARSETS = ["latin-1", "cp1252", "koi8-r", "utf-16", "utf-32", "shift_jis", "gb18030", "utf-7", "charmap",
            "punycode", "idna", "undefined", "unicode-escape", "raw-unicode-escape", "rot13", "uu", "base64",
            "zlib", "hex", "klingon", "x" * 500]
PAYLOAD = b"Prize claim now +AOk- \xa4\xa2 \xff\xfe end"  # decodes differently in each, and as UTF-8


def _message(charset: str) -> bytes:
    return (f"Subject: s\r\nContent-Type: text/plain; charset={charset}\r\n\r\n").encode() + PAYLOAD


@pytest.mark.parametrize("charset", CHARSETS, ids=lambda name: name[:20])
def test_every_charset_gets_the_same_decision_as_text_plain_and_inside_a_message(charset):
    """Issue 21: one charset policy for every way text arrives. A charset text/plain refuses (415) is
    one a message's part is not decoded in (it is read as UTF-8, the message still scored), and one
    text/plain accepts is one a part is decoded in."""
    reply = post("/predict", PAYLOAD, f"text/plain; charset={charset}")
    accepted = reply.status != 415
    if not accepted:
        assert reply.json()["error"]["code"] == "unsupported_charset"
    decoded_in_message = mail.message_text(_message(charset)) != mail.message_text(_message("utf-8"))
    assert accepted == decoded_in_message
    assert post("/predict", _message(charset), "message/rfc822").status == 200
