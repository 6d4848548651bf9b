"""Signals (function/signals.py) in the function's answer: with the reasons, for a pasted message."""

from __future__ import annotations

import json

from tests import asgi
from tests.unit.test_signals import PHISH


def test_signals_come_with_the_reasons_of_a_pasted_message_only():
    reply = json.loads(asgi.post_json("/predict", {"texts": [PHISH, "Lunch at noon?"], "explain": True}).body)
    first, second = reply["predictions"]
    assert [s["kind"] for s in first["signals"]] == ["sender_not_brand", "link_elsewhere", "link_elsewhere"]
    assert first["signals"][1]["text"] == "the link says www.paypal.com and goes to paypa1-secure.example"
    assert second["signals"] == []
    plain = json.loads(asgi.post_json("/predict", {"text": PHISH}).body)
    assert "signals" not in plain and "reasons" not in plain


def test_a_text_message_gets_its_signals_too():
    from tests.unit.test_signals import SMISH

    reply = json.loads(asgi.post_json("/predict", {"text": SMISH, "explain": True}).body)
    assert [s["text"] for s in reply["signals"]] == ["the text names USPS and links to usps-redelivery.com"]
