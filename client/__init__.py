"""A small Python client for the scam function. Standard library only: copy this one file anywhere.

    from client import Client                       # client/__init__.py, or this file copied as client.py
    scam = Client("https://europe-west1-my-project.cloudfunctions.net/scam")
    scam.predict("Dear friend, I need a foreign partner ...")
    # Prediction(prediction=True, label='scam', score=0.97, model='scam-classifier-fast', version='...')
    scam.predict_many(["first e-mail", "second e-mail"])  # a list of Prediction, in order

A private deploy (no allUsers invoker) wants an identity token, which lives for an hour:
    Client(url, token=subprocess.check_output(["gcloud", "auth", "print-identity-token"], text=True))
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Prediction:
    prediction: bool  # True: the e-mail is a scam
    label: str  # "scam" or "ham"
    score: float  # the probability that it is a scam
    model: str
    version: str


class ClientError(RuntimeError):
    """The function refused a request or could not be reached; `status` is None if unreached."""

    def __init__(self, status: int | None, code: str, message: str) -> None:
        super().__init__(f"{message} (HTTP {status})" if status else message)
        self.status, self.code, self.message = status, code, message


class Client:
    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/") + "/predict"
        self.timeout = timeout
        self._headers = {"Content-Type": "application/json", "Accept": "application/json",
                         "User-Agent": "scam-function-client/1"}
        if token:
            self._headers["Authorization"] = f"Bearer {token.strip()}"

    def predict(self, text: str) -> Prediction:
        answer = self._post({"text": text})
        return _prediction(answer, answer["model"])

    def predict_many(self, texts: Iterable[str], batch_size: int = 64) -> list[Prediction]:
        """One request per `batch_size` texts (the function's MAX_BATCH, 64 unless changed)."""
        texts = list(texts)
        predictions = []
        for start in range(0, len(texts), batch_size):
            answer = self._post({"texts": texts[start:start + batch_size]})
            predictions += [_prediction(row, answer["model"]) for row in answer["predictions"]]
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


def _prediction(row: dict, model: dict) -> Prediction:
    return Prediction(row["prediction"], row["label"], row["score"], model["name"], model["version"])


def _refusal(error: urllib.error.HTTPError) -> ClientError:
    """The function's own JSON error, or, from a front end such as Google's, the status line."""
    with error:
        body = error.read()
    try:
        details = json.loads(body)["error"]
        return ClientError(error.code, details["code"], details["message"])
    except (ValueError, KeyError, TypeError):
        return ClientError(error.code, "http_error", f"the server answered {error.code} {error.reason}")
