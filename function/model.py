"""The model plane: what a request's texts become scores, verdicts and reasons through.

`Model` is one loaded artifact: tokenizer + ONNX Runtime session, texts in, scores out (export/ and
bulk/ use it directly). `Plane` is the object the web layer holds, in the shape of KServe's model:
`load()`, `ready`, `predict(texts, threshold, explain)`. It loads the artifact lazily, exactly once
per process and thread-safely, and owns everything between a decoded request and its answer:
parsing raw messages, cleaning (function.mail), tokenizing (function.tokens), scoring, reasons
(function.explain). It knows nothing of HTTP. Everything specific to one model comes from model.json.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import itertools
import math
import os
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from function import artifact, explain, logs, mail, mime, signals, store
from function.contract import BANDS, Answer, ApiError, ErrorCode, Prediction
from function.explain import explained
from function.limits import LONG_CHARS, LOOP_SECONDS, MAX_CHARS, REQUEST_LINES, RUN_TOKENS, TRIM_CHARS
from function.settings import Settings, SettingsError
from function.tokens import Encoding

MAX_BACKOFF = 30.0  # seconds a failed load is remembered at most
_NOTHING_READ = {True: "the text holds nothing a reader would see",
                 False: "the message holds no text (only headers, attachments)"}
_NEWLINE_RE = re.compile("\n")


def highest(score: Callable[[list[str]], np.ndarray],
            readings: list[list[str]]) -> tuple[np.ndarray, list[int]]:
    """Each text's score: the highest over its readings (a message's plain and HTML parts), so a
    decoy part cannot hide a scam; and which reading scored it. One call of `score` for all."""
    pieces = [reading for views in readings for reading in views]
    owners = [(text, view) for text, views in enumerate(readings) for view in range(len(views))]
    scores = score(pieces) if pieces else np.zeros(0)
    best = np.full(len(readings), -1.0)
    chosen = [0] * len(readings)
    for (text, view), value in zip(owners, scores, strict=True):
        if value > best[text]:
            best[text], chosen[text] = value, view
    return best, chosen


class Model:
    def __init__(self, art: artifact.Artifact, threads: int, threshold: float | None = None) -> None:
        # Heavy imports happen here, on first load, not when the function module is imported.
        import onnxruntime as ort
        from tokenizers import Tokenizer

        meta = art.meta
        self.name, self.version = art.name, art.version
        self.labels: list[str] = meta["labels"]
        self.threshold = float(meta["threshold"] if threshold is None else threshold)
        self._positive = art.positive_index
        self._running = threading.Lock()
        # One thread tokenizes every long request: the allocator keeps what a thread freed for that
        # thread, so 8 requests tokenizing long texts at once in 8 threads kept 40 MiB; one keeps 2.
        self._tokenizing, self._tokenizing_pid = ThreadPoolExecutor(1), os.getpid()
        self.encoding = Encoding.from_metadata(meta["tokenizer"])
        self._inputs: dict[str, str] = meta["inputs"]  # feature -> graph input name
        self._output: str = meta["output"]
        try:
            self.tokenizer = Tokenizer.from_file(str(art.tokenizer))
        except Exception as error:
            raise artifact.ArtifactError(f"{art.tokenizer} is not a tokenizer: {error}") from None

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # the instance's CPUs, not the host's
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Shapes change with every batch (padded to its longest text): a memory pattern
        # planned for one shape is wasted on the next.
        options.enable_mem_pattern = False
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(art.graph), options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:
            raise artifact.ArtifactError(f"{art.graph} cannot be loaded: {error}") from None
        graph_inputs = {i.name for i in self._session.get_inputs()}
        graph_outputs = {o.name for o in self._session.get_outputs()}
        lacking = sorted(set(self._inputs.values()) - graph_inputs)
        if lacking or self._output not in graph_outputs:
            raise artifact.ArtifactError(
                f"model.json names inputs {lacking} or output {self._output!r} "
                f"that the graph lacks (it has {sorted(graph_inputs)} -> {sorted(graph_outputs)})"
            )
        unfed = sorted(graph_inputs - set(self._inputs.values()))
        if unfed:  # else every request would fail in the run, after a load that looked fine
            raise artifact.ArtifactError(f"the graph needs inputs {unfed} that model.json does not feed")
        self.band = artifact.uncertain_band(meta.get("uncertain"), float(meta["threshold"]))
        self._trained_threshold = float(meta["threshold"])  # the band is stated around this one
        self._check_canaries(meta.get("canaries", []))
        self.call_seconds, self.char_seconds = self._cost(meta.get("canaries", []))
        # Exact reasons (else occlusion) from tables read on the first explained request: reading
        # them is a third of a cold load. The file's sha256 was checked with the others.
        explains = meta["files"].get("explain")
        self._tables_path = art.root / explains if explains else None
        self._tables_sha256 = meta["sha256"].get(explains)
        self._tables_lock = threading.Lock()

    @property
    def explains_exactly(self) -> bool:
        return self._tables_path is not None

    def uncertain(self, cut: float) -> tuple[float, float]:
        """The uncertain band at the threshold `cut`: model.json's, moved with the threshold in
        log-odds, so it keeps its width in evidence and never swallows 1 (or 0)."""
        shift = _logit(cut) - _logit(self._trained_threshold)
        return tuple(round(1 / (1 + math.exp(-_logit(edge) - shift)), 3) for edge in self.band)

    @functools.cached_property
    def tables(self) -> explain.Linear | None:
        """The exact explanation tables (None: reasons by occlusion), read on first use."""
        if self._tables_path is None:
            return None
        with self._tables_lock:
            artifact.check(self._tables_path.parent, self._tables_path.name, self._tables_sha256)
            return explain.Linear(self._tables_path)

    def _check_canaries(self, canaries: list[dict]) -> None:
        """Each canary text must score as model.json says: swapped labels invert every answer."""
        texts = [c["text"] for c in canaries]
        for canary, score in zip(canaries, self.scores(texts) if texts else [], strict=True):
            if abs(score - canary["score"]) > artifact.CANARY_TOLERANCE:
                raise artifact.ArtifactError(
                    f"canary {canary['text'][:40]!r} scores {score:.4f}, model.json says "
                    f"{canary['score']:.4f} (labels swapped, or another tokenizer or graph)")

    def _cost(self, canaries: list[dict]) -> tuple[float, float]:
        """(CPU seconds of a call, of each character it scores), measured warm on the canaries and
        on a text 8 times as long; without canaries, every call is taken to be slow."""
        texts = [c["text"] for c in canaries]
        if not texts:
            return 1.0, 1.0
        spent = []
        for sample in (texts, [" ".join(texts * 8)]):
            started = time.thread_time()
            self.scores(sample)
            spent.append(time.thread_time() - started)
        chars = sum(map(len, texts))
        per_char = max(0.0, spent[1] - spent[0]) / (7 * chars)
        return max(0.0, spent[0] - per_char * chars), per_char

    def scores(self, texts: list[str]) -> np.ndarray:
        """Probability of the positive label for each text, in order.

        The graph runs one slice of at most RUN_TOKENS tokens at a time, one run at a time in
        the process: a transformer's activations grow with batch x tokens (about 9 MiB per
        256-token text for MiniLM), so a batch of 64, or 8 requests at once, would otherwise
        hold them all together. Each run already has all the instance's CPUs (intra-op threads).
        """
        chars = sum(map(len, texts))
        if chars > LONG_CHARS:
            if self._tokenizing_pid != os.getpid():  # forked (a model loaded before the fork): no thread
                self._tokenizing, self._tokenizing_pid = ThreadPoolExecutor(1), os.getpid()
            ids, mask = self._tokenizing.submit(self.encoding.encode, self.tokenizer, texts).result()
        else:
            ids, mask = self.encoding.encode(self.tokenizer, texts)
        rows = max(1, RUN_TOKENS // ids.shape[1])
        parts = [self._run(ids[i: i + rows], mask[i: i + rows]) for i in range(0, len(ids), rows)]
        if chars > TRIM_CHARS:
            _release_freed_memory()
        return np.concatenate(parts) if parts else np.zeros(0)

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        features = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        feed = {name: features[feature] for feature, name in self._inputs.items()}
        with self._running:
            (probabilities,) = self._session.run([self._output], feed)
        return probabilities[:, self._positive].astype(np.float64)

    def predict(self, texts: list[str], threshold: float | None = None) -> list[Prediction]:
        """Scores, verdicts and bands of cleaned texts at `threshold` (model.json's unless given)."""
        return self.verdicts(self.scores(texts), threshold)

    def verdicts(self, scores: np.ndarray, threshold: float | None = None) -> list[Prediction]:
        cut = self.threshold if threshold is None else threshold
        low, high = self.uncertain(cut)
        labels = self.labels[1 - self._positive], self.labels[self._positive]
        return [Prediction(score, score >= cut, labels[score >= cut],
                           "uncertain" if low <= score < high else BANDS[2 * (score >= cut)])
                for score in map(float, scores)]

    def reasons(self, cleaned: str, score: float, both: bool) -> list[explain.Span]:
        """Spans of a cleaned text with how much each raised its logit (`both`: lowered too)."""
        return explain.spans(self, [cleaned], [score], both)[0]


@dataclass(frozen=True)
class _Failure:
    reason: str  # for callers: no internals
    until: float  # time.monotonic() before which it is answered without a new attempt


class Plane:
    """The one model object a process serves: created once (main.py) and handed to the web app.

    The first call that needs the model loads it under a lock; calls arriving meanwhile wait for
    that one load and share its outcome, then every call reads the loaded model with no lock
    (double-checked). A failed load is remembered for a short, growing while (MODEL_RETRY_SECONDS,
    doubled after each failure in a row, at most MAX_BACKOFF): calls in it get its 503 at once,
    and the first call after it tries again, so an instance recovers once the cause is gone."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model: Model | None = None
        self.loads = 0  # successful loads in this process: 1 once ready, never more
        self.load_seconds: float | None = None
        self._lock = threading.Lock()
        self._attempts = 0  # loads tried, successful or not
        self._failures = 0  # failed loads in a row
        self._failure: _Failure | None = None

    @property
    def ready(self) -> bool:
        return self.model is not None

    def load(self) -> Model:
        """The model, loaded on first use; ApiError(MODEL_UNAVAILABLE) while it cannot be."""
        model = self.model
        if model is not None:
            return model
        seen = self._attempts
        with self._lock:
            if self.model is not None:
                return self.model
            now = time.monotonic()
            failure = self._failure
            if failure is not None and (self._attempts != seen or now < failure.until):
                # A load finished (and failed) while this call waited, or one failed moments ago.
                raise _unavailable(failure.reason, failure.until - now)
            started = time.perf_counter()
            config = self.settings
            try:
                local = store.fetch(config.model_uri, config.cache_dir, config.fetch_timeout)
                loaded = Model(artifact.read(local), threads=config.threads, threshold=config.threshold)
            except (artifact.ArtifactError, store.StoreError, SettingsError, OSError) as error:
                self._attempts, self._failures = self._attempts + 1, self._failures + 1
                backoff = min(MAX_BACKOFF, config.retry_seconds * 2 ** (self._failures - 1))
                self._failure = _Failure(self.public_reason(str(error)), time.monotonic() + backoff)
                logs.log("ERROR", "model unavailable", error=str(error), retry_in_seconds=backoff)
                raise _unavailable(self._failure.reason, backoff) from None
            self.load_seconds = time.perf_counter() - started
            self._attempts, self._failures, self._failure = self._attempts + 1, 0, None
            self.model, self.loads = loaded, self.loads + 1
            gc.freeze()  # the model's objects live as long as the process: no collection walks them
            _return_large_blocks()
            logs.log("INFO", "model loaded", model=loaded.name, version=loaded.version,
                     load_seconds=round(self.load_seconds, 4))
            return loaded

    def public_reason(self, detail: str) -> str:
        """A load error as a caller may see it: the model's location and server paths replaced."""
        config = self.settings
        text = detail.replace(config.model_uri.rstrip("/"), "<model>")
        text = text.replace(str(config.cache_dir), "<cache>")
        text = re.sub(r"gs://[^\s'\"]*", "<model>", text)
        return re.sub(r"(?<![\w<>])/[^\s'\":,]+", "<path>", text)

    def quick(self, texts: list[str | bytes], explain: bool | None) -> bool:
        """Whether this request is cheap enough for the event loop, judged by its own size: the
        model is loaded and a call of this many characters costs, at the rates measured at load,
        under LOOP_SECONDS. Raw messages (parsing) and reasons by occlusion (extra runs) never are."""
        model = self.model
        if model is None or (explain is not None and not model.explains_exactly):
            return False
        chars = 0
        for text in texts:
            if not isinstance(text, str):
                return False
            chars += len(text)
        cost = model.call_seconds + model.char_seconds * chars
        return cost * (2 if explain is not None else 1) < LOOP_SECONDS

    async def loaded(self) -> Model:
        """The model, loading it in a thread if needed, so other requests and /healthz go on."""
        return self.model or await asyncio.to_thread(self.load)

    async def infer(self, texts: list[str | bytes], threshold: float | None = None,
                    explain: bool | None = None) -> Answer:
        """`predict` on the event loop when this request is quick, else in a thread."""
        if self.quick(texts, explain):
            return self.predict(texts, threshold, explain)
        return await asyncio.to_thread(self.predict, texts, threshold, explain)

    def predict(self, texts: list[str | bytes], threshold: float | None = None,
                explain: bool | None = None) -> Answer:
        """Scores, verdicts, bands (and with `explain`, reasons: True adds those that lowered the score)
        of texts or raw RFC 822 messages (bytes), in order, at `threshold` (the served one unless given)."""
        model = self.model or self.load()
        readings, messages = _cleaned(texts)
        scores, chosen = highest(model.scores, readings)
        seen = [views[view] for views, view in zip(readings, chosen, strict=True)]
        cut = model.threshold if threshold is None else threshold
        band = model.uncertain(cut)
        predictions = model.verdicts(scores, cut)
        if explain is not None:
            sent = [text if isinstance(text, str) else clean for text, clean in zip(texts, seen, strict=True)]
            try:
                predictions = explained(model, predictions, seen, sent, explain)
            except artifact.ArtifactError as error:  # its explanation tables fail their checksum
                raise _unavailable(self.public_reason(str(error)), self.settings.retry_seconds) from None
            predictions = signals.attach(predictions, texts, messages)
        return Answer(predictions, model.name, model.version, cut, band, sum(map(len, seen)))


def _unavailable(reason: str, retry_after: float) -> ApiError:
    return ApiError(ErrorCode.MODEL_UNAVAILABLE, f"the model is unavailable: {reason}",
                    {"Retry-After": str(max(1, round(retry_after)))})


def _cleaned(texts: list[str | bytes]) -> tuple[list[list[str]], list[mime.Parsed | None]]:
    """What the model reads of each text (or raw message): its readings, the main one first (a
    message's plain and HTML parts may say different things); and each raw or pasted message as
    parsed (None for a text that is none), for its signals. The texts of one request share one
    budget of REQUEST_LINES lines, as the lines of one message do: 64 pasted e-mails cost what one does."""
    left = REQUEST_LINES
    seen = []
    parsed: list[mime.Parsed | None] = []
    for text in texts:
        lines = text.count("\n", 0, MAX_CHARS) if isinstance(text, str) else 0
        # past the request's budget: scored on what is left of it, maybe nothing
        cut = isinstance(text, str) and lines >= left
        if cut:
            last = next(itertools.islice(_NEWLINE_RE.finditer(text), left - 1, None), None) if left else None
            text = text[:last.end()] if last else ""
        left = max(0, left - lines)
        found, message = mail.read(text)
        if not found and not cut:
            raise ApiError(ErrorCode.EMPTY_TEXT, _NOTHING_READ[isinstance(text, str)])
        seen.append(found or [""])
        parsed.append(message)
    return seen, parsed


def _logit(p: float) -> float:
    return math.log(max(p, 1e-9) / max(1 - p, 1e-9))


# glibc's mallopt parameters, and the size from which a freed block goes straight back to the system.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
LARGE_BLOCK = 128 * 1024


def _release_freed_memory() -> None:
    """Returns the free memory of every thread's heap to the system (glibc's malloc_trim).

    Each thread that parsed or tokenized a large text keeps what it freed for its own next use:
    8 requests of 1 MiB at once left the worker 20 % larger for good."""
    if (libc := _glibc()) is not None:
        libc.malloc_trim(0)


def _return_large_blocks() -> None:
    """Fixes glibc's thresholds at LARGE_BLOCK: a larger block is mapped alone and unmapped when
    freed, and a heap's free top past it is trimmed. By default both thresholds grow with the
    largest block freed, and after 8 requests of 1 MiB at once the worker stayed 34 % larger."""
    if (libc := _glibc()) is not None:
        libc.mallopt(_M_TRIM_THRESHOLD, LARGE_BLOCK)
        libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)


@functools.cache
def _glibc():
    """The C library if it is glibc (it has malloc_trim and mallopt), else None."""
    import ctypes

    libc = ctypes.CDLL(None)
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
