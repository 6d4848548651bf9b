"""The model object: tokenizer + ONNX Runtime session; texts in, scam scores out.

It knows nothing of HTTP. Everything specific to one model comes from model.json.
"""

from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from function import artifact, explain
from function.tokens import Encoding

RUN_TOKENS = 2048  # tokens (rows x padded width) per graph run: MiniLM's 8 x 256
# A request with more text than LONG_CHARS is tokenized on the one tokenizing thread (a typical
# e-mail, about 1,800 characters, is tokenized where it is, without the thread's 0.2 ms); one with
# more than TRIM_CHARS then gives back to the system the memory freed meanwhile.
LONG_CHARS = 1 << 11
TRIM_CHARS = 1 << 17


@dataclass(frozen=True)
class Prediction:
    score: float  # probability of the positive (scam) label
    prediction: bool
    label: str


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
        self._tokenizing = ThreadPoolExecutor(1, thread_name_prefix="tokenize")
        self._encoding = Encoding.from_metadata(meta["tokenizer"])
        self._inputs: dict[str, str] = meta["inputs"]  # feature -> graph input name
        self._output: str = meta["output"]
        try:
            self._tokenizer = Tokenizer.from_file(str(art.tokenizer))
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
        self._check_canaries(meta.get("canaries", []))
        # Exact reasons (else occlusion) from tables read on the first explained request: reading
        # them is a third of a cold load. The file's sha256 was checked with the others.
        explains = meta["files"].get("explain")
        self._tables_path = art.root / explains if explains else None
        self._tables_lock = threading.Lock()

    @property
    def explains_exactly(self) -> bool:
        return self._tables_path is not None

    @functools.cached_property
    def _linear(self) -> explain.Linear | None:
        if self._tables_path is None:
            return None
        with self._tables_lock:
            return explain.Linear(self._tables_path)

    def _check_canaries(self, canaries: list[dict]) -> None:
        """Each canary text must score as model.json says: swapped labels invert every answer."""
        found = self.scores([c["text"] for c in canaries]) if canaries else []
        for canary, score in zip(canaries, found, strict=True):
            if abs(score - canary["score"]) > artifact.CANARY_TOLERANCE:
                raise artifact.ArtifactError(
                    f"canary {canary['text'][:40]!r} scores {score:.4f}, model.json says "
                    f"{canary['score']:.4f} (labels swapped, or another tokenizer or graph)")

    def scores(self, texts: list[str]) -> np.ndarray:
        """Probability of the positive label for each text, in order.

        The graph runs one slice of at most RUN_TOKENS tokens at a time, one run at a time in
        the process: a transformer's activations grow with batch x tokens (about 9 MiB per
        256-token text for MiniLM), so a batch of 64, or 8 requests at once, would otherwise
        hold them all together. Each run already has all the instance's CPUs (intra-op threads).
        """
        chars = sum(map(len, texts))
        if chars > LONG_CHARS:
            ids, mask = self._tokenizing.submit(self._encoding.encode, self._tokenizer, texts).result()
        else:
            ids, mask = self._encoding.encode(self._tokenizer, texts)
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
        """Scores and verdicts at `threshold` (model.json's unless given)."""
        cut = self.threshold if threshold is None else threshold
        return [
            Prediction(float(s), bool(s >= cut),
                       self.labels[self._positive if s >= cut else 1 - self._positive])
            for s in self.scores(texts)
        ]

    def reasons(self, cleaned: str, score: float, both: bool) -> list[explain.Span]:
        """Spans of a cleaned text with how much each raised its logit (`both`: lowered too): exact
        shares for the fast model, else occlusion with at most explain.OCCLUSION_UNITS extra runs."""
        if self._linear is not None:
            return explain.linear(self._linear, self._tokenizer, self._encoding, cleaned, both)[0]
        return explain.occlusion(self.scores, cleaned, score, both)


def _release_freed_memory() -> None:
    """Returns the free memory of every thread's heap to the system (glibc's malloc_trim).

    Each thread that parsed or tokenized a large text keeps what it freed for its own next use:
    8 requests of 1 MiB at once left the worker 20 % larger for good."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    import ctypes

    return getattr(ctypes.CDLL(None), "malloc_trim", None)  # None where libc is not glibc
