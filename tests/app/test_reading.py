"""The model reads what the reader sees, and no decoy hides a scam (issue 20): a message's plain and
HTML parts are both read and the higher score stands; a text with nothing visible is empty. Filler
around a scam still dilutes it (a strict expected failure, below)."""

from __future__ import annotations

import json

import pytest

from function.model import highest
from tests import asgi
from tests.support import HAM, SCAM

FILLER = ("The quarterly garden club newsletter covers the spring planting schedule, the volunteer rota "
          "for the community orchard, minutes of the last meeting and a recipe for rhubarb crumble. ")


def answer(text: str) -> dict:
    reply = asgi.post_json("/predict", {"text": text})
    assert reply.status == 200, reply.body
    return json.loads(reply.body)


def test_the_highest_reading_stands_and_says_which_reading():
    def fake(texts: list[str]) -> list[float]:
        return __import__("numpy").array([0.9 if "scam" in t else 0.1 for t in texts])

    scores, chosen = highest(fake, [["plain words"], ["decoy", "a scam part"]])
    assert list(scores) == [0.1, 0.9] and chosen == [0, 1]


# Windows of 600 characters, scored alone with the highest score standing, held this; measured on
# served scores they raised the threshold that flags 1 % of validation legit from 0.54 to 0.65, cost
# 7 points of challenge recall and flagged 18 % instead of 2 % of a newsletter source never trained
# on; they were withdrawn (docs/reliability.md).
@pytest.mark.xfail(strict=True, reason="filler dilutes the fast model's length-normalised features")
@pytest.mark.parametrize("where", ["before", "after"])
def test_filler_around_a_scam_does_not_dilute_it(where: str):
    filler = FILLER * 12  # about 2 KB
    padded = filler + "\n" + SCAM if where == "before" else SCAM + "\n" + filler
    whole = asgi.plane().load().scores([padded])[0]  # the whole text alone: the filler dilutes it
    assert answer(padded)["prediction"] and answer(padded)["score"] > whole + 0.2
    assert not answer(filler)["prediction"]  # the filler alone is harmless


def test_a_decoy_plain_part_does_not_hide_the_scam_in_the_html_part():
    message = ("From: Bank <alerts@example.com>\nSubject: Notice\nMIME-Version: 1.0\n"
               "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
               f"{HAM}\n--b\nContent-Type: text/html\n\n<html><body><p>{SCAM}</p></body></html>\n--b--\n")
    reply = asgi.post("/predict", message.encode(), "message/rfc822")
    plain_only = message.split("--b\nContent-Type: text/html")[0] + "--b--\n"
    decoy = asgi.post("/predict", plain_only.encode(), "message/rfc822")
    assert reply.status == decoy.status == 200
    assert not json.loads(decoy.body)["prediction"] and json.loads(reply.body)["prediction"]


@pytest.mark.parametrize("text", ["\u200b\u200c\u200d\ufeff", "\u2060 \u200b\n\u200b"])
def test_a_text_of_only_invisible_characters_is_empty(text: str):
    reply = asgi.post_json("/predict", {"text": text})
    assert reply.status == 400 and json.loads(reply.body)["error"]["code"] == "empty_text"
