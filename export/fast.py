"""The fast model: a BPE tokenizer + logistic regression over sublinear TF-IDF of hashed n-grams.

The whole inference after tokenization is one small ONNX graph: hash the 1..3-grams of token
ids into buckets, count each distinct bucket once per text, weigh it by (1 + log count) x idf,
normalise the text's vector to unit length, dot it with the weights, add the bias, sigmoid.
Length-normalised and sublinear, a text repeated five times scores almost as the text itself,
and one repeated token cannot dominate. Training computes the same features with SciPy, so the
graph reproduces the trained model's scores.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

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
    c: float = 32.0  # of 2, 8 and 32, the best on two leave-one-source-out folds
    # Each (source, label) cell of n texts weighs n ** source_power in all (then the two classes
    # equally): 1 keeps every text's weight, 0.5 lets a small source of real mail count beside
    # 7,000 State Department e-mails, so no source's style decides the label.
    source_power: float = 0.5


def train_tokenizer(texts: list[str], vocab: int) -> Tokenizer:
    """BPE over lower-cased words, punctuation and symbols dropped, digits folded to 0: "£4.10"
    and "$2.99" are one shape, spaced-out or doubled punctuation changes nothing, and "Thanks!"
    is "thanks" (with "!" as a feature, exclamation marks pushed short notes towards scam). Text
    arrives NFKC-normalised by function.mail."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Lowercase(), normalizers.Replace(Regex("[0-9]"), "0"),
        normalizers.Replace(Regex(r"[^\w\s]"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=False)])
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=SPECIALS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
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
    """1 + log(count) of each distinct hashed n-gram of each text: one row per text."""
    hashes, valid = ngram_hashes(ids, mask)
    rows = np.repeat(np.arange(ids.shape[0]), hashes.shape[1])
    keep = valid.ravel() > 0
    counts = sparse.csr_matrix((valid.ravel()[keep], (rows[keep], hashes.ravel()[keep])),
                               shape=(ids.shape[0], BUCKETS))
    counts.sum_duplicates()
    counts.data = 1.0 + np.log(counts.data)
    return counts


def featurize(tokenizer: Tokenizer, encoding: Encoding, texts: list[str], batch: int = 256):
    blocks = [features(*encoding.encode(tokenizer, texts[i: i + batch]))
              for i in range(0, len(texts), batch)]
    return sparse.vstack(blocks).tocsr()


def tfidf(x: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Rows weighed by idf and scaled to unit length (an empty text stays all zero)."""
    weighted = (x @ sparse.diags(idf)).tocsr()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return (sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ weighted).tocsr()


@dataclass
class FastModel:
    tokenizer: Tokenizer
    encoding: Encoding
    idf: np.ndarray  # per bucket
    weights: np.ndarray  # per bucket, on the unit-length tf-idf vector
    bias: float

    def predict(self, texts: list[str]) -> np.ndarray:
        """Scam probabilities computed by the training code (the reference for parity)."""
        x = tfidf(featurize(self.tokenizer, self.encoding, texts), self.idf)
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))


def sample_weights(labels: list[int], sources: list[str], power: float) -> np.ndarray:
    """Per-text weights: each (source, label) cell of n texts weighs n ** power, and the two
    classes weigh the same in all."""
    y = np.asarray(labels)
    cells = Counter(zip(sources, labels, strict=True))
    weights = np.array([cells[cell] ** (power - 1.0) for cell in zip(sources, labels, strict=True)])
    for label in (0, 1):
        chosen = y == label
        if chosen.any():
            weights[chosen] *= len(y) / 2 / weights[chosen].sum()
    return weights


def train(texts: list[str], labels: list[int], config: FastConfig = FastConfig(),
          sources: list[str] | None = None) -> FastModel:
    tokenizer = train_tokenizer(texts, config.vocab)
    encoding = Encoding(config.max_tokens, config.head_tokens, tokenizer.token_to_id("[PAD]"))
    x = featurize(tokenizer, encoding, texts)
    df = np.bincount(x.indices, minlength=BUCKETS)
    idf = np.log((1 + x.shape[0]) / (1 + df)) + 1.0  # smoothed, as scikit-learn's
    classifier = LogisticRegression(C=config.c, max_iter=2000, solver="liblinear")
    weights = sample_weights(labels, sources or [""] * len(labels), config.source_power)
    classifier.fit(tfidf(x, idf), np.asarray(labels), sample_weight=weights)
    return FastModel(tokenizer, encoding, idf, classifier.coef_.ravel(), float(classifier.intercept_[0]))


def explanation(model: FastModel) -> bytes:
    """`explain.npz`, for serving-time reasons without the `onnx` package: the graph's weights on
    the buckets that have one, the idf of every bucket, the bias and the hashing constants. A
    reason is then exact: each distinct n-gram's share of the logit, weight x tf-idf / norm."""
    used = np.flatnonzero(model.weights)
    return _npz({"buckets": used.astype(np.int32), "weights": model.weights[used].astype(np.float32),
                 "idf": model.idf.astype(np.float32), "bias": np.float32(model.bias),
                 "multipliers": np.array(_MULT, dtype=np.int64), "offsets": np.array(_OFFSET, dtype=np.int64),
                 "total_buckets": np.int64(BUCKETS)})


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz that numpy.load reads, byte-identical for the same arrays (no time stamps)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.save(member, np.asarray(array), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)),
                             member.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _const(name: str, value) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(value), name))


def _node(op: str, inputs: list[str], output: str, **attributes) -> onnx.NodeProto:
    return helper.make_node(op, inputs, [output], **attributes)


def _hash_nodes() -> tuple[list[onnx.NodeProto], list[str], list[str]]:
    """Nodes that hash each n-gram order: (nodes, bucket outputs, mask outputs)."""
    nodes = [_node("Shape", ["input_ids"], "shape"), _node("Gather", ["shape", "one_i"], "width", axis=0),
             _node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)]
    buckets, masks = [], []
    for n in range(1, ORDERS + 1):
        p = f"g{n}"
        nodes += [_const(f"{p}_offset", np.array(_OFFSET[n - 1], dtype=np.int64)),
                  _const(f"{p}_span", np.array([n - 1], dtype=np.int64)),
                  _node("Sub", ["width", f"{p}_span"], f"{p}_len")]
        hash_name, mask_name = f"{p}_offset", "one_f"
        for k in range(n):
            q = f"{p}_{k}"
            nodes += [
                _const(f"{q}_start", np.array([k], dtype=np.int64)),
                _node("Add", [f"{p}_len", f"{q}_start"], f"{q}_end"),
                _node("Slice", ["input_ids", f"{q}_start", f"{q}_end", "axis1"], f"{q}_ids"),
                _node("Slice", ["mask_f", f"{q}_start", f"{q}_end", "axis1"], f"{q}_m"),
                _const(f"{q}_mult", np.array(_MULT[k], dtype=np.int64)),
                _node("Mul", [f"{q}_ids", f"{q}_mult"], f"{q}_term"),
                _node("Add", [hash_name, f"{q}_term"], f"{q}_hash"),
                _node("Mul", [mask_name, f"{q}_m"], f"{q}_mask"),
            ]
            hash_name, mask_name = f"{q}_hash", f"{q}_mask"
        nodes.append(_node("Mod", [hash_name, "buckets"], f"{p}_bucket"))
        buckets.append(f"{p}_bucket")
        masks.append(mask_name)
    return nodes, buckets, masks


def to_onnx(model: FastModel) -> onnx.ModelProto:
    """The graph: input_ids, attention_mask [batch, seq] int64 -> probabilities [batch, 2].

    Distinct buckets per text without a loop: sort each row's buckets (padding as -1 first), mark
    where a new value starts, number the groups with a cumulative sum, and scatter-add a count per
    group (ScatterElements with a reduction: opset 18).
    """
    nodes = [
        _const("one_i", np.array([1], dtype=np.int64)),
        _const("axis1", np.array([1], dtype=np.int64)),
        _const("axis1s", np.array(1, dtype=np.int64)),
        _const("buckets", np.array(BUCKETS, dtype=np.int64)),
        _const("one_f", np.array(1.0, dtype=np.float32)),
        _const("zero_f", np.array(0.0, dtype=np.float32)),
        _const("tiny", np.array(1e-12, dtype=np.float32)),
        _const("none_i", np.array(-1, dtype=np.int64)),
        _const("zero_i", np.array(0, dtype=np.int64)),
        _const("bias", np.array(model.bias, dtype=np.float32)),
    ]
    hashing, buckets, masks = _hash_nodes()
    nodes += hashing
    nodes += [
        _node("Concat", buckets, "all_b", axis=1),
        _node("Concat", masks, "all_m", axis=1),
        _node("Greater", ["all_m", "zero_f"], "all_valid"),
        _node("Where", ["all_valid", "all_b", "none_i"], "marked"),  # padding -> -1
        _node("Shape", ["marked"], "marked_shape"),
        _node("Gather", ["marked_shape", "one_i"], "n"),
        helper.make_node("TopK", ["marked", "n"], ["sorted", "order"], axis=1, largest=0, sorted=1),
        _node("Slice", ["sorted", "one_i", "n", "axis1"], "later"),
        _node("Sub", ["n", "one_i"], "n_1"),
        _const("zero_1", np.array([0], dtype=np.int64)),
        _node("Slice", ["sorted", "zero_1", "n_1", "axis1"], "earlier"),
        _node("Equal", ["later", "earlier"], "same"),
        _node("Not", ["same"], "differs"),
        _node("Cast", ["differs"], "starts_tail", to=TensorProto.INT64),
        _node("Slice", ["sorted", "zero_1", "one_i", "axis1"], "first_col"),
        _node("Mul", ["first_col", "zero_i"], "first_zero"),
        _node("Sub", ["first_zero", "none_i"], "first_start"),  # a column of ones
        _node("Concat", ["first_start", "starts_tail"], "starts", axis=1),
        _node("CumSum", ["starts", "axis1s"], "group_1"),
        _node("Sub", ["group_1", "one_i"], "group"),
        _node("Cast", ["sorted"], "sorted_f", to=TensorProto.FLOAT),
        _node("Mul", ["sorted_f", "zero_f"], "zeros_f"),
        _node("Add", ["zeros_f", "one_f"], "ones_f"),
        _node("ScatterElements", ["zeros_f", "group", "ones_f"], "counts", axis=1, reduction="add"),
        _node("Mul", ["sorted", "zero_i"], "zeros_i"),
        _node("Add", ["zeros_i", "none_i"], "minus_ones"),
        _node("ScatterElements", ["minus_ones", "group", "sorted"], "group_bucket", axis=1,
              reduction="max"),
        _node("Greater", ["group_bucket", "none_i"], "is_bucket"),  # not padding, not unused
        _node("Cast", ["is_bucket"], "is_bucket_f", to=TensorProto.FLOAT),
        _node("Max", ["group_bucket", "zero_i"], "safe_bucket"),
        _node("Max", ["counts", "one_f"], "counts_1"),
        _node("Log", ["counts_1"], "log_counts"),
        _node("Add", ["log_counts", "one_f"], "tf_all"),
        _node("Mul", ["tf_all", "is_bucket_f"], "tf"),
        _node("Gather", ["idf", "safe_bucket"], "g_idf", axis=0),
        _node("Gather", ["weights", "safe_bucket"], "g_w", axis=0),
        _node("Mul", ["tf", "g_idf"], "tfidf"),
        _node("Mul", ["tfidf", "tfidf"], "squares"),
        _node("ReduceSum", ["squares", "axis1"], "square_sum", keepdims=0),
        _node("Sqrt", ["square_sum"], "norm_raw"),
        _node("Max", ["norm_raw", "tiny"], "norm"),
        _node("Mul", ["tfidf", "g_w"], "terms"),
        _node("ReduceSum", ["terms", "axis1"], "total", keepdims=0),
        _node("Div", ["total", "norm"], "scaled"),
        _node("Add", ["scaled", "bias"], "logit"),
        _node("Sigmoid", ["logit"], "p"),
        _node("Sub", ["one_f", "p"], "q"),
        _node("Unsqueeze", ["q", "axis1"], "q2"),
        _node("Unsqueeze", ["p", "axis1"], "p2"),
        _node("Concat", ["q2", "p2"], "probabilities", axis=1),
    ]
    graph = helper.make_graph(
        nodes, "fast_tfidf_ngram_classifier",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 2])],
        initializer=[numpy_helper.from_array(model.weights.astype(np.float32), "weights"),
                     numpy_helper.from_array(model.idf.astype(np.float32), "idf")],
    )
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)],
                                   producer_name="export.fast")
    onnx_model.ir_version = 8
    onnx.checker.check_model(onnx_model)
    return onnx_model
