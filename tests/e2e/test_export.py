"""Training smoke test: the whole export (load -> train -> ONNX -> parity -> artifact) on a
small fixture corpus made here, without the network; then the real server serves it."""

from __future__ import annotations

import csv
import json

import pytest

from export import corpus
from export.__main__ import main as export_main
from function import artifact
from function.model import Model
from tests.support import call


def test_export_writes_a_verified_artifact_that_serves(eml_corpus, tmp_path, serve, capsys):
    out = tmp_path / "artifact"
    assert export_main(["--data", str(eml_corpus), "--out", str(out), "--vocab", "300"]) == 0
    report = capsys.readouterr().out
    assert "| random" in report and "char_baseline" in report and "parity" in report

    art = artifact.read(out)
    meta = art.meta
    assert sorted(meta["sha256"]) == ["model.onnx", "tokenizer.json"]
    assert meta["data"]["messages"] == 121 and meta["data"]["unique"] == 120  # the copy is gone
    assert sum(meta["data"]["split_sizes"].values()) == 120
    assert meta["metrics"]["random"]["model"]["roc_auc"] > 0.9
    assert meta["inputs"] == {"input_ids": "input_ids", "attention_mask": "attention_mask"}

    model = Model(art, threads=1)
    assert model.predict(["urgent winner claim your lottery prize bank transfer"])[0].label == "scam"
    assert model.predict(["patch review meeting notes for the kernel release"])[0].label == "ham"

    server = serve({"MODEL_DIR": str(out)})
    reply = call(server.url + "/predict", "POST", json.dumps({"text": "claim prize wire fee"}).encode(),
                 {"Content-Type": "application/json"})
    assert reply.status == 200 and reply.json()["model"]["version"] == art.version


def test_export_is_deterministic(eml_corpus, tmp_path):
    digests = []
    for name in ("a", "b"):
        export_main(["--data", str(eml_corpus), "--out", str(tmp_path / name), "--vocab", "300"])
        digests.append(artifact.read(tmp_path / name).meta["sha256"])
    assert digests[0] == digests[1]


def test_csv_corpus_and_labels(tmp_path):
    path = tmp_path / "mail.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows([["win a prize", "spam"], ["see you at lunch", "ham"], ["free money", "1"],
                          ["notes attached", "0"]])
    data_id, records = corpus.load(str(path), tmp_path)
    assert data_id == "csv:mail.csv" and [r.label for r in records] == [1, 0, 1, 0]
    path.write_text("body,kind\nx,spam\n")
    with pytest.raises(ValueError, match="needs 'text' and 'label' columns"):
        corpus.load(str(path), tmp_path)


def test_splits_are_stratified_seeded_and_disjoint():
    records = [corpus.Record(f"text {i}", int(i % 3 == 0), "g") for i in range(300)]
    split = corpus.random_split(records, seed=1)
    assert split.sizes() == {"train": 240, "validation": 30, "test": 30}
    texts = [{r.text for r in part} for part in (split.train, split.validation, split.test)]
    assert not (texts[0] & texts[1] or texts[0] & texts[2] or texts[1] & texts[2])
    assert sum(r.label for r in split.test) == 10  # a third of 30, as in the whole
    assert split.test == corpus.random_split(records, seed=1).test


def test_time_split_tests_on_the_later_groups():
    records = [corpus.Record(f"t{i}", i % 2, g) for i, g in enumerate(
        ["easy-ham-1", "spam-1", "hard-ham-1", "easy-ham-2", "spam-2"] * 20)]
    split = corpus.time_split(records)
    assert {r.group for r in split.test} == {"easy-ham-2", "spam-2"}
    assert {r.group for r in split.train + split.validation} == set(corpus.TIME_TRAIN)
