"""Issue 20's evasions, through the served model: none may flip more than one of the five obvious
scams it flags to "not a scam" (tests/unit/test_mail.py checks that each reads as the text itself).

Padding still flips them: the fast model's features are normalised to the text's length, so 400
characters of filler dilute a one-sentence scam of 90. Windows of the text scored alone (600
characters, 150, paragraphs; with and without training on windows) did not hold them either, and
each raised the false alarms on legitimate mail never trained on (measured, see docs/reliability.md).
Those cases are strict expected failures: they pass, and must be promoted, once a model holds."""

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


PADDING = {
    "400 characters appended": lambda s: s + "\n" + INNOCUOUS[:400],
    "800 characters appended": lambda s: s + "\n" + (INNOCUOUS * 3)[:800],
    "1.7 KB prepended": lambda s: (INNOCUOUS * 6)[:1700] + "\n" + s,
}
EVASIONS = {
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


@pytest.fixture(scope="module")
def caught() -> list[str]:
    """The five scams the model flags as they are: at least three (today the 419 and the invoice
    fraud, one sentence each, score under the served threshold)."""
    found = [scam for scam in SCAMS if flagged(scam)]
    assert len(found) >= 3
    return found


@pytest.mark.parametrize("evasion", EVASIONS)
def test_an_evasion_flips_at_most_one_scam(evasion: str, caught: list[str]):
    flipped = [scam for scam in caught if not flagged(EVASIONS[evasion](scam))]
    assert len(flipped) <= 1, flipped


@pytest.mark.xfail(strict=True, reason="filler dilutes a one-sentence scam (see the module's docstring)")
@pytest.mark.parametrize("evasion", PADDING)
def test_padding_flips_at_most_one_scam(evasion: str, caught: list[str]):
    flipped = [scam for scam in caught if not flagged(PADDING[evasion](scam))]
    assert len(flipped) <= 1, flipped
