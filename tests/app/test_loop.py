"""Heavy work never runs on the event loop (issue 20, row 7): the loop-or-thread decision is this
request's own size, and a raw message is always parsed in a thread, so /healthz answers meanwhile.
The texts of one request share one budget of lines (row 11)."""

from __future__ import annotations

import asyncio
import json
import time

from tests import asgi
from tests.support import SCAM

# Row 7: 15 open multiparts, then 50,000 parts (350 KB).
NESTED = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(15))
ROW_7 = ("Subject: s\r\n" + NESTED + "Content-Type: multipart/mixed; boundary=z\r\n\r\n"
         + "--z\r\n\r\nx\r\n" * 50_000 + "--z--\r\n").encode()


def test_the_decision_is_this_requests_size_not_the_last_ones_cost():
    plane = asgi.plane()
    plane.load()
    assert plane.quick([SCAM], None)
    heavy = ["word " * 100_000]
    assert not plane.quick(heavy, None)
    plane.predict(heavy)
    assert plane.quick([SCAM], None)  # a heavy request before changes nothing
    assert not plane.quick([SCAM.encode()], None)  # a raw message: parsed in a thread


def test_healthz_answers_while_a_heavy_message_is_parsed():
    asgi.plane().load()

    async def both() -> tuple[bool, float]:
        raw = {"Content-Type": "message/rfc822"}
        heavy = asyncio.create_task(asgi._exchange("POST", "/predict", [ROW_7], raw))
        await asyncio.sleep(0.02)  # the heavy request is read and handed to its thread
        started = time.perf_counter()
        health = await asgi._exchange("GET", "/healthz", [], {})
        waited = time.perf_counter() - started
        still_parsing = not heavy.done()
        assert health.status == 200 and (await heavy).status in (200, 400)
        return still_parsing, waited

    still_parsing, waited = asyncio.run(both())
    assert still_parsing and waited < 0.5, waited


def test_pasted_emails_of_one_request_share_one_budget_of_lines():
    """Row 11: 64 pasted e-mails of 2,320 empty MIME parts each cost 1.2-1.6 s; one budget, 0.4 s."""
    one = ("From: a@example.com\nTo: b@example.com\nSubject: hi\n"
           "Content-Type: multipart/mixed; boundary=b\n\n" + "--b\n\n" * 2320 + "--b--\n")
    request = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [64], "data": [one] * 64}]}
    started = time.process_time()
    reply = asgi.post("/v2/models/scam/infer", json.dumps(request).encode(), "application/json")
    assert reply.status == 200
    assert time.process_time() - started < 1.0
