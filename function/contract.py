"""The API, written once: the request and answer types, every error code with its status, the bounds
a request is checked against, and the decoders that check them.

The web handlers (function/web/), the OpenAPI document (function/web/openapi.py, generated from
what is here), bulk/ and the tests read these; nothing else states a code, a status or a bound.
Standard library only: no web framework, no model.
"""

from __future__ import annotations

import enum
import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from function import mime
from function.limits import MAX_CHARSET_CHARS

if TYPE_CHECKING:
    from function.settings import Settings

DEFAULT_MAX_BATCH = 64  # texts per request unless MAX_BATCH says otherwise; the client's batch size too
DEFAULT_MAX_BODY_BYTES = 1 << 20  # unless MAX_BODY_BYTES says otherwise
THRESHOLD_RANGE = (0.0, 1.0)  # a threshold lies strictly between these
# A score is "uncertain" when lo <= score < hi: [lo, hi] is model.json's optional "uncertain"
# (0 <= lo <= threshold <= hi <= 1), else threshold -+ UNCERTAIN_HALF_WIDTH clipped to [0, 1]; a
# request's own threshold t' moves it in log-odds (function.model decides the bands).
UNCERTAIN_HALF_WIDTH = 0.1
EXPLAIN_MODES = {True: False, "all": True}  # the request's "explain" -> reasons that lowered the score too
MAX_REASONS = 5  # per sign
BANDS = ("not_scam", "uncertain", "scam")  # a prediction's band


class ErrorCode(enum.Enum):
    """Every error the function answers with: its stable code, HTTP status and what it means."""

    def __new__(cls, code: str, status: int, meaning: str) -> ErrorCode:
        member = object.__new__(cls)
        member._value_ = code
        member.status, member.meaning = status, meaning
        return member

    BAD_REQUEST = "bad_request", 400, "the request does not follow the protocol"
    INVALID_JSON = "invalid_json", 400, "the body is not a JSON object of the contract"
    MISSING_TEXT = "missing_text", 400, "no text field"
    INVALID_TEXT = "invalid_text", 400, "a text that is not a string"
    EMPTY_TEXT = "empty_text", 400, "a text that is blank, or a message with nothing to read"
    INVALID_BATCH = "invalid_batch", 400, "a batch that is not a non-empty list"
    INVALID_THRESHOLD = "invalid_threshold", 400, "a threshold outside (0, 1)"
    INVALID_EXPLAIN = "invalid_explain", 400, 'explain other than true, false or "all"'
    INVALID_ENCODING = "invalid_encoding", 400, "bytes that are not valid in the charset"
    INVALID_FORM = "invalid_form", 400, "a malformed or oversized form"
    INCOMPLETE_BODY = "incomplete_body", 400, "the connection closed before the body was complete"
    NOT_FOUND = "not_found", 404, "no such path"
    UNKNOWN_MODEL = "unknown_model", 404, "no such model"
    UNKNOWN_VERSION = "unknown_version", 404, "no such model version"
    METHOD_NOT_ALLOWED = "method_not_allowed", 405, "the path does not take this method"
    REQUEST_TIMEOUT = "request_timeout", 408, "the request head or body did not arrive in time"
    BODY_TOO_LARGE = "body_too_large", 413, "the body is larger than MAX_BODY_BYTES"
    TOO_MANY_CHUNKS = "too_many_chunks", 413, "a chunked body in more chunks than the server reads"
    URI_TOO_LONG = "uri_too_long", 414, "the request target is too long"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415, "a Content-Type that is not accepted"
    UNSUPPORTED_CHARSET = "unsupported_charset", 415, "a charset that is unknown or no text encoding"
    UNSUPPORTED_ENCODING = "unsupported_encoding", 415, "a compressed body"
    BATCH_TOO_LARGE = "batch_too_large", 422, "more texts than MAX_BATCH"
    INTERNAL = "internal", 500, "an unexpected error (nothing about it is shown)"
    MODEL_UNAVAILABLE = "model_unavailable", 503, "the model cannot be loaded (the message says why)"
    TOO_MANY_CONNECTIONS = "too_many_connections", 503, "the server holds all the connections it may"

    @classmethod
    def of_status(cls, status: int) -> ErrorCode:
        """The first code of `status`: for errors a layer outside the function raised."""
        found = next((code for code in cls if code.status == status), None)
        return found or (cls.INTERNAL if status >= 500 else cls.BAD_REQUEST)


class ApiError(Exception):
    """A refusal: its code (which carries the status), a message for the caller, extra headers."""

    def __init__(self, code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.headers = code, message, headers or {}

    @property
    def status(self) -> int:
        return self.code.status


def dumps(document: object) -> bytes:
    """JSON as UTF-8. A lone surrogate (valid in a JSON string, never in UTF-8) that came in with the
    request and is echoed back is written as its \\u escape, so it never breaks the answer."""
    text = json.dumps(document, ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(document).encode("ascii")


def error_body(code: ErrorCode, message: str, v2: bool = False) -> bytes:
    """Every error's body: `{"error": {"code", "message"}}`, or the Open Inference Protocol's
    `{"error": "..."}` under /v2. The server's own refusals (function/web/server.py) use it too."""
    return dumps({"error": message} if v2 else {"error": {"code": code.value, "message": message}})


def shown(value: object, chars: int = 40) -> str:
    """A caller's value as an error message may quote it: short, and valid text whatever it held."""
    return str(value)[:chars].encode("utf-8", "replace").decode("utf-8")


@functools.cache
def limits(settings: Settings) -> Limits:
    """The bounds of these settings (settings are read once: this costs one lookup a request)."""
    return Limits.of(settings)


@dataclass(frozen=True)
class Limits:
    """The bounds a request is checked against, from the settings."""

    max_batch: int = DEFAULT_MAX_BATCH
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.max_batch, settings.max_body_bytes)


def in_threshold_range(value: float) -> bool:
    return THRESHOLD_RANGE[0] < value < THRESHOLD_RANGE[1]


# Requests.

@dataclass(frozen=True)
class PredictRequest:
    """What /predict was asked, decoded: texts (or raw messages, as bytes) and the options."""

    texts: list[str | bytes]  # bytes: a raw RFC 822 message, parsed by the model plane
    batch: bool = False  # answer with "predictions" (a list)
    plain: bool = False  # answer text/plain true/false
    threshold: float | None = None  # decides the predictions for this call
    explain: bool | None = None  # None: no reasons; True: lowering ones too


def text(value: object, where: str) -> str:
    """One caller-supplied text, refused when it is not a non-blank string."""
    if not isinstance(value, str):
        raise ApiError(ErrorCode.INVALID_TEXT, f"{where} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise ApiError(ErrorCode.EMPTY_TEXT, f"{where} is empty")
    return value


def message(raw: bytes) -> bytes:
    """A raw RFC 822 message, refused when it is blank (the model plane refuses one with no text)."""
    if not raw.strip():
        raise ApiError(ErrorCode.EMPTY_TEXT, "the message is empty")
    return raw


def batch(items: object, where: str, limits: Limits) -> list:
    """A caller's list of items, refused when it is not a list of 1 to max_batch of them."""
    if not isinstance(items, list) or not items:
        raise ApiError(ErrorCode.INVALID_BATCH, f"{where} must be a non-empty list")
    if len(items) > limits.max_batch:
        raise ApiError(ErrorCode.BATCH_TOO_LARGE, f"{where} holds {len(items)} texts; the limit is "
                                                  f"{limits.max_batch}")
    return items


def threshold(value: object) -> float | None:
    """A caller's threshold: absent (None) or a number strictly inside THRESHOLD_RANGE."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not in_threshold_range(value):
        raise ApiError(ErrorCode.INVALID_THRESHOLD, "threshold must be a number between 0 and 1 "
                                                    f"(exclusive), not {shown(value)}")
    return float(value)


def explain_mode(value: object) -> bool | None:
    """A caller's "explain": absent or false (None), true (raising reasons) or "all" (both signs)."""
    if value is None or value is False:
        return None
    if isinstance(value, bool | str) and value in EXPLAIN_MODES:
        return EXPLAIN_MODES[value]
    raise ApiError(ErrorCode.INVALID_EXPLAIN, f'explain must be true, false or "all", not {shown(value)}')


def charset(name: str | None) -> str:
    """A declared charset's codec, by the one policy every way of sending text follows (text/plain,
    JSON, forms, the parts of a message: function.mime.text_codec); 415 when it refuses it."""
    if name is None:
        return "utf-8"
    if len(name) > MAX_CHARSET_CHARS:
        raise ApiError(ErrorCode.UNSUPPORTED_CHARSET, f"unknown charset {shown(name)!r}")
    try:
        return mime.text_codec(name)
    except mime.CharsetError as error:
        raise ApiError(ErrorCode.UNSUPPORTED_CHARSET, shown(error, 120)) from None


def decode(raw: bytes, codec: str, what: str = "the body") -> str:
    """Bytes in a checked codec -> text; 400 for bytes that are not valid in it."""
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as error:
        raise ApiError(ErrorCode.INVALID_ENCODING,
                       f"{what} is not valid {codec} (byte {error.start})") from None


def json_object(raw: bytes, codec: str = "utf-8") -> dict:
    """A JSON object from the body (RFC 8259: JSON between systems is UTF-8)."""
    if codec not in ("utf-8", "ascii"):
        raise ApiError(ErrorCode.UNSUPPORTED_CHARSET, f"JSON is read as UTF-8 only, not {codec!r}")
    try:
        document = json.loads(decode(raw, "utf-8"))
    except RecursionError:
        raise ApiError(ErrorCode.INVALID_JSON, "the JSON is nested too deeply") from None
    except ValueError as error:
        raise ApiError(ErrorCode.INVALID_JSON, f"the body is not valid JSON: {shown(error, 200)}") from None
    if not isinstance(document, dict):
        raise ApiError(ErrorCode.INVALID_JSON, 'expected an object such as {"text": "..."}')
    return document


def predict_request(document: dict, limits: Limits) -> PredictRequest:
    """A /predict JSON object: {"text"}, {"texts": [...]} or {"instances": [... | {"text"}]}."""
    options = {"threshold": threshold(document.get("threshold")),
               "explain": explain_mode(document.get("explain"))}
    if "text" in document:
        return PredictRequest([text(document["text"], "text")], **options)
    key = "texts" if "texts" in document else "instances" if "instances" in document else None
    if key is None:
        raise ApiError(ErrorCode.MISSING_TEXT, 'expected "text", "texts" or "instances"')
    items = batch(document[key], f'"{key}"', limits)
    if key == "instances":
        items = [item.get("text") if isinstance(item, dict) else item for item in items]
    return PredictRequest([text(item, f"{key}[{i}]") for i, item in enumerate(items)], batch=True, **options)


# The Open Inference Protocol (V2): the model's one input and its outputs (function/web/v2.py).

V2_INPUT = "text"  # one BYTES tensor, one e-mail per element, any shape
V2_OUTPUTS = {"label": "BYTES", "score": "FP32"}  # each of the input's shape, each asked for at most once
V2_ALIAS = "scam"  # a model name that stays the same when the artifact (and its name) changes


@dataclass(frozen=True)
class Tensor:
    """A V2 request's input, decoded."""

    texts: list[str]  # row-major, as sent (not cleaned)
    shape: list[int]


# Answers.

@dataclass(frozen=True)
class Reason:
    """A span of the text sent that moved its score."""

    start: int  # offsets into the text sent, in Unicode code points (Python string indexes)
    end: int
    text: str
    weight: float  # log-odds the span added to the score (negative: it lowered it)

    def to_json(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "weight": round(self.weight, 4)}


@dataclass(frozen=True)
class Signal:
    """Something a careful reader checks beside the words (function.signals): shown, not scored."""

    kind: str  # one of SIGNALS
    says: str  # what the reader is shown: a link's text, the sender's name, the brand a text names
    goes_to: str  # where it really leads: the link's host, the sender's address

    def to_json(self) -> dict:
        return {"kind": self.kind, "says": self.says, "goes_to": self.goes_to,
                "text": SIGNALS[self.kind].format(says=self.says, goes_to=self.goes_to)}


MAX_SIGNALS = 5  # of one text or message
SIGNALS = {"link_elsewhere": "the link says {says} and goes to {goes_to}",
           "sender_not_brand": "the sender calls itself {says} and writes from {goes_to}",
           "names_brand_links_elsewhere": "the text names {says} and links to {goes_to}"}


@dataclass(frozen=True)
class Prediction:
    score: float  # probability of the positive (scam) label
    prediction: bool
    label: str
    band: str = "not_scam"  # one of BANDS
    reasons: tuple[Reason, ...] | None = None  # when asked for
    signals: tuple[Signal, ...] | None = None  # with the reasons

    def to_json(self) -> dict:
        row = {"prediction": self.prediction, "label": self.label, "score": round(self.score, 6),
               "band": self.band}
        if self.reasons is not None:
            row["reasons"] = [r.to_json() for r in self.reasons]
        if self.signals is not None:
            row["signals"] = [s.to_json() for s in self.signals]
        return row


@dataclass(frozen=True)
class Answer:
    """The model plane's answer to one request."""

    predictions: list[Prediction]
    model: str
    version: str
    threshold: float  # the one that decided each prediction
    uncertain: tuple[float, float]  # [lo, hi): scores in it are "uncertain"
    chars: int = 0  # characters the model was given: the log line shows it, never the text

    def to_json(self, batch: bool) -> dict:
        about = {"threshold": self.threshold, "uncertain": list(self.uncertain),
                 "model": {"name": self.model, "version": self.version}}
        rows = [p.to_json() for p in self.predictions]
        return {"predictions": rows, **about} if batch else {**rows[0], **about}
