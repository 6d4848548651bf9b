"""The transformer paths, end to end in seconds, on a tiny randomly initialised BERT:
fine-tuned for a few steps, or frozen with a fitted head (its embeddings cached) ->
ONNX -> parity -> int8 -> artifact -> served by the real server."""

from __future__ import annotations

import argparse
import json
import random
from types import SimpleNamespace

import onnx
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

pytest.importorskip("torch", reason="the training requirements (requirements-train.txt) are not installed")

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

from export import package, quantize, verify
from export.evaluate import THRESHOLD, metrics
from function import artifact
from function.mail import message_text
from function.model import Model
from tests.support import DOCUMENT_TEXT, HAM, ROOT, SCAM, call

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory, eml_corpus):
    import torch
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    texts = [p.read_text(errors="replace") for p in eml_corpus.rglob("*.eml")]
    tokenizer.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=400, special_tokens=SPECIALS))
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
    tokenizer.save(str(folder / "tokenizer.json"))
    config = BertConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512)
    torch.manual_seed(0)  # the same tiny BERT every run: the test is deterministic
    BertModel(config).save_pretrained(folder)
    return folder


def _split(eml_corpus) -> SimpleNamespace:
    """A seeded 60/20/20 split of the corpus's distinct texts, as records with .text and .label."""
    texts = {message_text(p.read_bytes()): int(p.parent.name == "scam") for p in eml_corpus.rglob("*.eml")}
    records = [SimpleNamespace(text=t, label=label) for t, label in sorted(texts.items())]
    random.Random(3).shuffle(records)
    a, b = len(records) * 6 // 10, len(records) * 8 // 10
    return SimpleNamespace(train=records[:a], validation=records[a:b], test=records[b:])


def _texts(records) -> list[str]:
    return [r.text for r in records]


def _labels(records) -> list[int]:
    return [r.label for r in records]


def _ship_and_serve(trained, split, name: str, tmp_path, serve) -> None:
    """The family's export path: fp32 ONNX (parity with the trained model) -> fused int8 with
    the head kept fp32 (decisions kept) -> artifact -> the real server decides as PyTorch did."""
    from export import minilm

    texts, labels = _texts(split.test), _labels(split.test)
    reference = trained.predict(texts)
    assert metrics(labels, reference, THRESHOLD)["f1"] > 0.9  # it learned the words
    meta = {"name": name, "labels": ["ham", "scam"], "positive_label": "scam", "threshold": THRESHOLD,
            "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask"},
            "output": "probabilities", "tokenizer": trained.encoding.to_metadata()}
    fp32 = minilm.to_onnx(trained)
    fp32_scores = Model(artifact.read(package.stage(fp32, trained.tokenizer, meta, tmp_path / "fp32")),
                        threads=2).scores(texts)
    assert verify.parity(reference, fp32_scores) <= 1e-4

    config = trained.network.encoder.config
    int8 = quantize.quantize(quantize.optimize(fp32, config.num_attention_heads, config.hidden_size))
    head = {n.op_type for n in onnx.load_from_string(int8).graph.node if n.name.startswith("/head/")}
    assert head and head <= {"Gemm", "MatMul", "Add"}  # the head stays fp32: it decides the score
    out = package.stage(int8, trained.tokenizer, meta, tmp_path / "int8")
    int8_scores = Model(artifact.read(out), threads=2).scores(texts)
    gate = verify.int8_gate(labels, fp32_scores, int8_scores, THRESHOLD)
    assert gate["accuracy_drop"] <= verify.MAX_ACCURACY_DROP

    server = serve({"MODEL_DIR": str(out)})
    reply = call(server.url + "/predict", "POST", json.dumps({"texts": texts[:8]}).encode(),
                 {"Content-Type": "application/json"}).json()
    assert [p["label"] for p in reply["predictions"]] == ["scam" if s >= THRESHOLD else "ham"
                                                          for s in reference[:8]]
    assert reply["model"]["name"] == name
    plain = call(server.url + "/predict", "POST", DOCUMENT_TEXT.encode(), {"Content-Type": "text/plain"})
    assert plain.status == 200 and plain.body in (b"true", b"false")


def test_fine_tuned_minilm_exports_quantizes_and_serves(eml_corpus, tiny_bert, tmp_path, serve):
    from export import minilm

    split = _split(eml_corpus)
    config = minilm.MiniLMConfig(encoder=tiny_bert, max_steps=40, learning_rate=1e-3)
    trained = minilm.cached_train(_texts(split.train), _labels(split.train), _texts(split.validation),
                                  _labels(split.validation), config, tmp_path / "cache")
    assert trained.encoding.max_tokens == 256
    _ship_and_serve(trained, split, "scam-classifier-minilm-tuned-int8", tmp_path, serve)


def _chunks(cache) -> dict:
    return {p: p.stat().st_mtime_ns for p in (cache / "minilm-embed").rglob("*.npz")}


def test_frozen_minilm_caches_embeddings_exports_and_serves(eml_corpus, tiny_bert, tmp_path, serve, capsys):
    from export import minilm

    split = _split(eml_corpus)
    args = argparse.Namespace(encoder=tiny_bert, cache=tmp_path / "cache")
    trained = minilm.fit_frozen(split, args)
    first = _chunks(args.cache)
    assert first and "embed (frozen MiniLM)" in capsys.readouterr().err
    assert trained.encoding.max_tokens == 128 and trained.encoding.head_tokens == 96
    assert trained.regularization in minilm.FrozenConfig().c_grid

    again = minilm.fit_frozen(split, args)  # a second fold on the same texts: only the head is fitted
    assert "embed (frozen MiniLM)" not in capsys.readouterr().err and _chunks(args.cache) == first
    assert again.regularization == trained.regularization
    assert again.network.head.weight.equal(trained.network.head.weight)

    scores = trained.predict(_texts(split.test))  # new texts: embedded once, into a new chunk
    assert len(_chunks(args.cache)) > len(first)
    # The head is the regression itself: standardisation folded in, softmax over [0, w.x + b].
    train = trained.cache.embed(_texts(split.train))
    scaler = StandardScaler().fit(train)
    regression = LogisticRegression(C=trained.regularization, class_weight="balanced", max_iter=5000)
    regression.fit(scaler.transform(train), _labels(split.train))
    expected = regression.predict_proba(scaler.transform(trained.cache.embed(_texts(split.test))))[:, 1]
    assert abs(scores - expected).max() < 1e-5
    # The ONNX graph embeds afresh, so parity also proves the cache held the encoder's vectors.
    _ship_and_serve(trained, split, "scam-classifier-minilm-int8", tmp_path, serve)


def test_the_committed_transformer_artifact_serves_by_configuration_alone(serve):
    folder = ROOT / "model-minilm"
    if not folder.is_dir():
        pytest.skip("model-minilm/ is not built (python -m export --model minilm)")
    server = serve({"MODEL_DIR": str(folder)})
    reply = call(server.url + "/predict", "POST", DOCUMENT_TEXT.encode(), {"Content-Type": "text/plain"})
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/plain")
    assert reply.body in (b"true", b"false")  # README: the transformer flags short plain notes
    scam = call(server.url + "/predict", "POST", json.dumps({"texts": [SCAM, HAM]}).encode(),
                {"Content-Type": "application/json"}).json()
    assert [p["label"] for p in scam["predictions"]] == ["scam", "ham"]
    assert scam["model"]["name"] == "scam-classifier-minilm-int8"
