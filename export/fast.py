"""The fast model: a byte-level BPE tokenizer + logistic regression over hashed token n-grams.

The whole inference after tokenization is one small ONNX graph: hash the 1..3-grams of
token ids into buckets, look up one weight per n-gram, sum, scale by 1/sqrt(n-gram count),
add the bias, sigmoid. Training computes exactly the same features with NumPy, so the
graph reproduces the trained model's scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

from function.tokens import Encoding

BUCKETS = 1_048_573  # a prime: hashed n-grams spread evenly
ORDERS = 3
# One multiplier per position and one offset per n-gram order (odd, < 2**31: no overflow).
_MULT = (1_000_003, 998_244_353, 1_234_567_891)
_OFFSET = (0, 1_500_450_271, 2_147_483_647)
VOCAB = 8192
SPECIALS = ["[PAD]"]


@dataclass(frozen=True)
class FastConfig:
    vocab: int = VOCAB
    max_tokens: int = 2048
    head_tokens: int = 1536
    c: float = 8.0
    balanced: bool = True  # weigh classes equally: the corpus has twice as much ham


def train_tokenizer(texts: list[str], vocab: int) -> Tokenizer:
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab, special_tokens=SPECIALS, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


def ngram_hashes(ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, weights) of every 1..3-gram, flattened per row; weight 0 marks padding."""
    hashes, valid = [], []
    width = ids.shape[1]
    for n in range(1, ORDERS + 1):
        h = np.full((ids.shape[0], max(width - n + 1, 0)), _OFFSET[n - 1], dtype=np.int64)
        m = np.ones_like(h)
        for k in range(n):
            h = h + ids[:, k: width - n + 1 + k] * _MULT[k]
            m = m * mask[:, k: width - n + 1 + k]
        hashes.append(h % BUCKETS)
        valid.append(m)
    return np.concatenate(hashes, axis=1), np.concatenate(valid, axis=1).astype(np.float64)


def features(ids: np.ndarray, mask: np.ndarray) -> sparse.csr_matrix:
    """Counts of hashed n-grams scaled by 1/sqrt(number of n-grams): one row per text."""
    hashes, valid = ngram_hashes(ids, mask)
    scale = 1.0 / np.sqrt(np.maximum(valid.sum(axis=1, keepdims=True), 1.0))
    rows = np.repeat(np.arange(ids.shape[0]), hashes.shape[1])
    return sparse.csr_matrix(
        ((valid * scale).ravel(), (rows, hashes.ravel())), shape=(ids.shape[0], BUCKETS)
    )


def featurize(tokenizer: Tokenizer, encoding: Encoding, texts: list[str], batch: int = 256):
    blocks = [features(*encoding.encode(tokenizer, texts[i: i + batch]))
              for i in range(0, len(texts), batch)]
    return sparse.vstack(blocks).tocsr()


@dataclass
class FastModel:
    tokenizer: Tokenizer
    encoding: Encoding
    weights: np.ndarray  # per bucket, idf folded in
    bias: float

    def predict(self, texts: list[str]) -> np.ndarray:
        """Scam probabilities computed by the training code (the reference for parity)."""
        x = featurize(self.tokenizer, self.encoding, texts)
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))


def train(texts: list[str], labels: list[int], config: FastConfig = FastConfig()) -> FastModel:
    tokenizer = train_tokenizer(texts, config.vocab)
    encoding = Encoding(config.max_tokens, config.head_tokens, tokenizer.token_to_id("[PAD]"))
    x = featurize(tokenizer, encoding, texts)
    # Smoothed idf, folded into the weights below so the graph needs no extra table.
    df = np.bincount(x.indices, minlength=BUCKETS)
    idf = np.log((1 + x.shape[0]) / (1 + df)) + 1.0
    classifier = LogisticRegression(
        C=config.c, max_iter=2000, solver="liblinear",
        class_weight="balanced" if config.balanced else None,
    )
    classifier.fit(x @ sparse.diags(idf), np.asarray(labels))
    weights = classifier.coef_.ravel() * idf
    return FastModel(tokenizer, encoding, weights, float(classifier.intercept_[0]))


def _const(name: str, value) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(value), name))


def to_onnx(model: FastModel) -> onnx.ModelProto:
    """The graph: input_ids, attention_mask [batch, seq] int64 -> probabilities [batch, 2]."""
    nodes = [
        _const("one_i", np.array([1], dtype=np.int64)),
        _const("axis1", np.array([1], dtype=np.int64)),
        _const("buckets", np.array(BUCKETS, dtype=np.int64)),
        _const("one_f", np.array(1.0, dtype=np.float32)),
        _const("bias", np.array(model.bias, dtype=np.float32)),
        helper.make_node("Shape", ["input_ids"], ["shape"]),
        helper.make_node("Gather", ["shape", "one_i"], ["width"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
    ]
    sums, counts = [], []
    for n in range(1, ORDERS + 1):
        p = f"g{n}"
        nodes += [_const(f"{p}_offset", np.array(_OFFSET[n - 1], dtype=np.int64)),
                  _const(f"{p}_span", np.array([n - 1], dtype=np.int64)),
                  helper.make_node("Sub", ["width", f"{p}_span"], [f"{p}_len"])]
        hash_name, mask_name = f"{p}_offset", "one_f"
        for k in range(n):
            q = f"{p}_{k}"
            nodes += [
                _const(f"{q}_start", np.array([k], dtype=np.int64)),
                helper.make_node("Add", [f"{p}_len", f"{q}_start"], [f"{q}_end"]),
                helper.make_node("Slice", ["input_ids", f"{q}_start", f"{q}_end", "axis1"], [f"{q}_ids"]),
                helper.make_node("Slice", ["mask_f", f"{q}_start", f"{q}_end", "axis1"], [f"{q}_m"]),
                _const(f"{q}_mult", np.array(_MULT[k], dtype=np.int64)),
                helper.make_node("Mul", [f"{q}_ids", f"{q}_mult"], [f"{q}_term"]),
                helper.make_node("Add", [hash_name, f"{q}_term"], [f"{q}_hash"]),
                helper.make_node("Mul", [mask_name, f"{q}_m"], [f"{q}_mask"]),
            ]
            hash_name, mask_name = f"{q}_hash", f"{q}_mask"
        nodes += [
            helper.make_node("Mod", [hash_name, "buckets"], [f"{p}_bucket"]),
            helper.make_node("Gather", ["weights", f"{p}_bucket"], [f"{p}_w"], axis=0),
            helper.make_node("Mul", [f"{p}_w", mask_name], [f"{p}_wm"]),
            helper.make_node("ReduceSum", [f"{p}_wm", "axis1"], [f"{p}_sum"], keepdims=0),
            helper.make_node("ReduceSum", [mask_name, "axis1"], [f"{p}_count"], keepdims=0),
        ]
        sums.append(f"{p}_sum")
        counts.append(f"{p}_count")
    nodes += [
        helper.make_node("Sum", sums, ["total"]),
        helper.make_node("Sum", counts, ["count"]),
        helper.make_node("Max", ["count", "one_f"], ["count_1"]),
        helper.make_node("Sqrt", ["count_1"], ["norm"]),
        helper.make_node("Div", ["total", "norm"], ["scaled"]),
        helper.make_node("Add", ["scaled", "bias"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["p"]),
        helper.make_node("Sub", ["one_f", "p"], ["q"]),
        helper.make_node("Unsqueeze", ["q", "axis1"], ["q2"]),
        helper.make_node("Unsqueeze", ["p", "axis1"], ["p2"]),
        helper.make_node("Concat", ["q2", "p2"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "fast_ngram_classifier",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 2])],
        initializer=[numpy_helper.from_array(model.weights.astype(np.float32), "weights")],
    )
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                   producer_name="export.fast")
    onnx_model.ir_version = 8
    onnx.checker.check_model(onnx_model)
    return onnx_model
