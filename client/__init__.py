"""A small Python client for the scam function. Standard library only: copy this one file anywhere.

    from client import Client                       # client/__init__.py, or this file copied as client.py
    scam = Client("https://europe-west1-my-project.cloudfunctions.net/scam")  # with or without /predict
    scam.predict("Dear friend, I need a foreign partner ...")
    # Prediction(prediction=True, label='scam', score=0.97, model='scam-classifier-fast', version='...')
    scam.predict_many(["first e-mail", "second e-mail"])  # a list of Prediction, in order
    scam.predict(text, explain=True, threshold=0.8)  # with .reasons: the spans that raised the score
    # text[r.start:r.end] == r.text for r in .reasons; explain="all" adds those that lowered it

A private deploy (no allUsers invoker) wants an identity token, which lives for an hour:
    Client(url, token=subprocess.check_output(["gcloud", "auth", "print-identity-token"], text=True))
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    start: int  # offsets into the text sent, in Unicode code points (Python string indexes)
    end: int
    text: str
    weight: float  # log-odds the span added to the score (negative: it lowered it)


@dataclass(frozen=True)
class Signal:
    kind: str  # "link_elsewhere", "sender_not_brand" or "names_brand_links_elsewhere": shown, not scored
    says: str  # what the reader is shown: a link's text, the sender's name, the brand a text names
    goes_to: str  # where it really leads: the link's host, the sender's address
    text: str  # in words: "the link says paypal.com and goes to paypa1-secure.example"


@dataclass(frozen=True)
class Prediction:
    prediction: bool  # True: the e-mail is a scam (at `threshold`)
    label: str  # "scam" or "ham"
    score: float  # the probability that it is a scam
    model: str
    version: str
    threshold: float | None = None  # the one that decided `prediction`
    reasons: tuple[Reason, ...] | None = None  # when asked for with explain=
    band: str | None = None  # "not_scam", "uncertain" or "scam" (the answer's uncertain band)
    signals: tuple[Signal, ...] | None = None  # with explain=


class ClientError(RuntimeError):
    """The function refused a request or could not be reached; `status` is None if unreached."""

    def __init__(self, status: int | None, code: str, message: str) -> None:
        super().__init__(f"{message} (HTTP {status})" if status else message)
        self.status, self.code, self.message = status, code, message


class Client:
    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0) -> None:
        """`url`: the function's URL, with or without /predict (and a trailing slash)."""
        self.url = _predict_url(url)
        self.timeout = timeout
        self._headers = {"Content-Type": "application/json", "Accept": "application/json",
                         "User-Agent": "scam-function-client/1"}
        if token:
            self._headers["Authorization"] = f"Bearer {token.strip()}"

    def predict(self, text: str, explain: bool | str = False, threshold: float | None = None) -> Prediction:
        """`explain`: True for the reasons that raised the score, "all" for those that lowered it
        too; `threshold` (0 < t < 1) decides `prediction` for this call instead of the model's."""
        answer = self._post(_options({"text": text}, explain, threshold))
        return _prediction(answer, answer)

    def predict_many(self, texts: Iterable[str], batch_size: int = 64, explain: bool | str = False,
                     threshold: float | None = None) -> list[Prediction]:
        """One request per `batch_size` texts (the function's MAX_BATCH, 64 unless changed)."""
        texts = list(texts)
        predictions = []
        for start in range(0, len(texts), batch_size):
            answer = self._post(_options({"texts": texts[start:start + batch_size]}, explain, threshold))
            predictions += [_prediction(row, answer) for row in answer["predictions"]]
        return predictions

    def _post(self, document: dict) -> dict:
        request = urllib.request.Request(self.url, json.dumps(document).encode(), self._headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise _refusal(error) from None
        except (urllib.error.URLError, TimeoutError) as error:
            reason = getattr(error, "reason", error)
            raise ClientError(None, "unreachable", f"cannot reach {self.url}: {reason}") from None


def _predict_url(url: str) -> str:
    """The /predict URL of a function's base URL, or of its /predict URL as the docs show it."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        local = url.strip().startswith(("localhost", "127."))
        hint = f"; did you mean {'http' if local else 'https'}://{url.strip()}?" if "://" not in url else ""
        raise ValueError(f"{url!r} is not an http:// or https:// URL with a host, such as "
                         f"https://REGION-PROJECT.cloudfunctions.net/NAME or http://localhost:8080{hint}")
    path = parts.path.rstrip("/")
    path = path if path.endswith("/predict") else path + "/predict"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _options(document: dict, explain: bool | str, threshold: float | None) -> dict:
    if explain:
        document["explain"] = explain
    if threshold is not None:
        document["threshold"] = threshold
    return document


def _prediction(row: dict, answer: dict) -> Prediction:
    """One prediction of an answer (the answer itself for one text; it names the model)."""
    reasons, signals = row.get("reasons"), row.get("signals")
    return Prediction(row["prediction"], row["label"], row["score"], answer["model"]["name"],
                      answer["model"]["version"], answer.get("threshold"),
                      None if reasons is None else tuple(Reason(**r) for r in reasons), row.get("band"),
                      None if signals is None else tuple(Signal(**s) for s in signals))


def _refusal(error: urllib.error.HTTPError) -> ClientError:
    """The function's own JSON error, or, from a front end such as Google's, the status line."""
    with error:
        body = error.read()
    try:
        details = json.loads(body)["error"]
        return ClientError(error.code, details["code"], details["message"])
    except (ValueError, KeyError, TypeError):
        return ClientError(error.code, "http_error", f"the server answered {error.code} {error.reason}")
