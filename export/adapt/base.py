"""The base artifact: served as it is (its scores, its threshold), and, for the fast model, its linear
head read back from the ONNX graph (weights and idf initializers, the bias constant) so that the
sample can be featurised exactly as the graph does and the head retrained from where it is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from scipy import sparse
from tokenizers import Tokenizer

from export import fast
from export.adapt.errors import AdaptError
from function import artifact
from function.model import Model
from function.tokens import Encoding


@dataclass(frozen=True)
class Head:
    """The fast model's head: score = sigmoid(tfidf(x, idf) @ weights + bias)."""

    weights: np.ndarray  # per bucket, float64
    idf: np.ndarray
    bias: float


@dataclass(frozen=True)
class Base:
    art: artifact.Artifact
    model: Model  # the serving code's own model
    tokenizer: Tokenizer
    encoding: Encoding
    graph: onnx.ModelProto
    head: Head | None  # None: no linear head (MiniLM): only the threshold can move

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        """The unit-length tf-idf rows the graph computes for these (cleaned) texts."""
        assert self.head is not None
        return fast.tfidf(fast.featurize(self.tokenizer, self.encoding, texts), self.head.idf)


def _linear_head(graph: onnx.ModelProto, root: Path, meta: dict) -> Head | None:
    """The head if the graph is export.fast's (same hashing constants in explain.npz), else None."""
    tensors = {t.name: t for t in graph.graph.initializer}
    bias = [n for n in graph.graph.node if n.op_type == "Constant" and list(n.output) == ["bias"]]
    explains = meta["files"].get("explain")
    if not ({"weights", "idf"} <= set(tensors) and len(bias) == 1 and explains):
        return None
    with np.load(root / explains, allow_pickle=False) as tables:
        same_hashing = (np.array_equal(tables["multipliers"], fast._MULT)
                        and np.array_equal(tables["offsets"], fast._OFFSET)
                        and int(tables["total_buckets"]) == fast.BUCKETS)
    if not same_hashing:
        raise AdaptError(f"{root}: its n-gram hashing differs from export/fast.py's; rebuild it with this "
                         "code")
    weights = numpy_helper.to_array(tensors["weights"]).astype(np.float64)
    idf = numpy_helper.to_array(tensors["idf"]).astype(np.float64)
    value = numpy_helper.to_array(bias[0].attribute[0].t)
    return Head(weights, idf, float(value))


def load(root: Path) -> Base:
    try:
        art = artifact.read(root)
        model = Model(art, threads=2)
        tokenizer = Tokenizer.from_file(str(art.tokenizer))
        graph = onnx.load(str(art.graph))
    except (artifact.ArtifactError, OSError) as error:
        raise AdaptError(f"the base artifact {root} cannot be used: {error}") from None
    encoding = Encoding.from_metadata(art.meta["tokenizer"])
    return Base(art, model, tokenizer, encoding, graph, _linear_head(graph, root, art.meta))
