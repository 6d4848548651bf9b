"""The transformer path, end to end in seconds: a tiny randomly initialised BERT is
fine-tuned for a few steps -> ONNX -> parity -> int8 -> artifact -> served by the real server."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch", reason="the training requirements (requirements-train.txt) are not installed")

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

from export.__main__ import main as export_main
from function import artifact
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


def test_minilm_path_fine_tunes_exports_quantizes_and_serves(eml_corpus, tiny_bert, tmp_path, serve, capsys):
    out = tmp_path / "minilm"
    code = export_main(["--model", "minilm", "--data", str(eml_corpus), "--out", str(out),
                        "--encoder", str(tiny_bert), "--max-steps", "40", "--learning-rate", "1e-3",
                        "--cache", str(tmp_path / "cache")])
    assert code == 0
    meta = artifact.read(out).meta
    assert meta["name"] == "scam-classifier-minilm-int8"
    assert meta["metrics"]["random"]["model"]["f1"] > 0.9  # it learned: scores far from the threshold
    assert meta["gates"]["parity_max_abs"] <= 1e-4
    assert meta["gates"]["int8"]["agreement"] >= 0.995
    assert meta["tokenizer"]["truncation"] == "head+tail" and meta["tokenizer"]["max_tokens"] == 256
    assert "gates: {'parity_max_abs'" in capsys.readouterr().out

    server = serve({"MODEL_DIR": str(out)})
    reply = call(server.url + "/predict", "POST", DOCUMENT_TEXT.encode(), {"Content-Type": "text/plain"})
    assert reply.status == 200 and reply.body in (b"true", b"false")
    ready = call(server.url + "/readyz").json()
    assert ready["model"]["name"] == "scam-classifier-minilm-int8"


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
