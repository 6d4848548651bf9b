"""Issue 20's evasions, through the served model: none may flip more than one of five obvious scams
to "not a scam" (tests/unit/test_mail.py checks that each reads as the text itself)."""

from __future__ import annotations

import json

import pytest

from tests import asgi
from tests.unit.test_mail import FILLER, SCAMS, TEXT_EVASIONS

INNOCUOUS = ("Minutes of the parents' association: the bake sale raised enough for new library books, "
             "the summer fair moves to the first Saturday of July, and volunteers are needed for the "
             "tombola and the cake stall. Next meeting in the school hall after half term. ")


def _message(html: str, plain: str | None = None) -> bytes:
    parts = [("plain", plain)] if plain is not None else []
    parts.append(("html", html))
    body = "".join(f"--b\nContent-Type: text/{kind}; charset=utf-8\n\n{text}\n" for kind, text in parts)
    return (f"From: Accounts <billing@example.com>\nSubject: Notice\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/alternative; boundary=b\n\n{body}--b--\n").encode()


EVASIONS = {
    "400 characters appended": lambda s: s + "\n" + INNOCUOUS[:400],
    "800 characters appended": lambda s: s + "\n" + (INNOCUOUS * 3)[:800],
    "1.7 KB prepended": lambda s: (INNOCUOUS * 6)[:1700] + "\n" + s,
    "spaces inside words": TEXT_EVASIONS["spaced letters"],
    "dots inside words": TEXT_EVASIONS["dotted letters"],
    "right-to-left override": TEXT_EVASIONS["right-to-left override"],
    "every sentence quoted": TEXT_EVASIONS["quoted"],
    "hidden display:none filler": lambda s: _message(
        f'<html><body><p>{s}</p><div style="display:none">{FILLER * 3}</div></body></html>'),
    "decoy text/plain alternative": lambda s: _message(f"<html><body><p>{s}</p></body></html>", INNOCUOUS),
    "blank text/plain alternative": lambda s: _message(f"<html><body><p>{s}</p></body></html>", " "),
}


def flagged(text: str | bytes) -> bool:
    if isinstance(text, bytes):
        reply = asgi.post("/predict", text, "message/rfc822")
    else:
        reply = asgi.post_json("/predict", {"text": text})
    assert reply.status == 200, reply.body
    return json.loads(reply.body)["prediction"]


def test_the_five_scams_are_flagged_as_they_are():
    assert all(flagged(scam) for scam in SCAMS)


@pytest.mark.parametrize("evasion", EVASIONS)
def test_an_evasion_flips_at_most_one_of_five_scams(evasion: str):
    flipped = [scam for scam in SCAMS if not flagged(EVASIONS[evasion](scam))]
    assert len(flipped) <= 1, flipped
