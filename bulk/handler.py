"""The Beam ModelHandler: the function's own artifact and Model, loaded once per worker process.

RunInference keeps what `load_model` returns in a per-process shared handle, so each worker
process fetches (gs://), verifies (sha256) and loads the artifact once, then scores batches.
Tokenization happens inside `Model.scores`, as in the function: Beam's stock ONNX handler stacks
one numpy input, which does not fit a graph fed by a tokenizer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from apache_beam.ml.inference.base import ModelHandler, PredictionResult

from bulk import progress
from bulk.fetch import local_artifact
from function.contract import DEFAULT_MAX_BATCH
from function.model import Model, highest


class ScamModelHandler(ModelHandler[str, dict, Model]):
    """Texts (already cleaned by function.mail) -> {"score", "prediction", "label", "model", "version"}."""

    def __init__(self, model_uri: str, *, threads: int = 1, threshold: float | None = None,
                 batch_size: int = DEFAULT_MAX_BATCH, progress_dir: str | None = None) -> None:
        super().__init__(min_batch_size=batch_size, max_batch_size=batch_size)
        self._uri = model_uri
        self._threads = threads
        self._threshold = threshold
        self._progress = progress_dir

    def load_model(self) -> Model:
        model = Model(local_artifact(self._uri), threads=self._threads, threshold=self._threshold)
        progress.add(self._progress, "loads", now=True)
        return model

    def run_inference(self, batch: Sequence[tuple[str, ...]], model: Model,
                      inference_args: dict[str, Any] | None = None) -> Iterable[PredictionResult]:
        """Each message's readings scored as the function scores them: the highest stands."""
        predictions = model.verdicts(highest(model.scores, [list(readings) for readings in batch])[0])
        progress.add(self._progress, "scored", len(predictions))
        model_id = f"{model.name}@{model.version}"
        return [
            PredictionResult(None, {"score": p.score, "label": p.label, "prediction": p.prediction,
                                    "model": model.name, "version": model.version}, model_id)
            for p in predictions
        ]

    def get_num_bytes(self, batch: Sequence[tuple[str, ...]]) -> int:
        return sum(len(text) for readings in batch for text in readings)

    def get_metrics_namespace(self) -> str:
        return "bulk"
