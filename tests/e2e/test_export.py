"""Training smoke test: the whole export (load -> train -> ONNX -> parity -> artifact) on a
small fixture corpus made here, without the network; then the real server serves it."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from export import corpus
from export.__main__ import main as export_main
from function import artifact
from function.model import Model
from tests.conftest import HAM_WORDS, SCAM_WORDS
from tests.support import call


def _jsonl(path, rows: list[tuple[str, str]], source: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"text": t, "label": label, "source": source}) + "\n"
                            for t, label in rows))


@pytest.fixture(scope="module")
def sms_jsonl(tmp_path_factory):
    """The corpora's own layout, made here: <source>/<source>.jsonl + README.md. An SMS source with
    both labels, and an evaluation-only one holding one near-copy of a training message."""
    import random

    root = tmp_path_factory.mktemp("corpora")
    rng = random.Random(3)
    rows = [(" ".join(rng.choices(words, k=rng.randint(8, 14))) + f" {i}", label)
            for i in range(41) for label, words in (("scam", SCAM_WORDS), ("legit", HAM_WORDS))]
    _jsonl(root / "sms_fixture" / "sms_fixture.jsonl", rows, "sms_fixture")
    (root / "sms_fixture" / "README.md").write_text("# SMS\n\n## Licence\n**CC BY 4.0** (test data)\n")
    held = [(" ".join(rng.choices(SCAM_WORDS, k=12)) + f" held {i}", "scam") for i in range(20)]
    held.append((rows[0][0].replace(" 0", " 1000"), "scam"))  # a near-copy: dropped
    _jsonl(root / "sms_smishtank_2024" / "sms_smishtank_2024.jsonl", held, "sms_smishtank_2024")
    return root


def _export(corpora: list, out, report) -> int:
    args = ["--corpus-only", "--out", str(out), "--report", str(report), "--vocab", "300"]
    return export_main(args + [a for path in corpora for a in ("--corpus", str(path))])


def test_export_writes_a_verified_artifact_that_serves(eml_corpus, sms_jsonl, tmp_path, serve, capsys):
    out, report = tmp_path / "artifact", tmp_path / "report.md"
    assert _export([eml_corpus, sms_jsonl], out, report) == 0
    printed = capsys.readouterr().out
    assert "## Headline" in printed and report.read_text() == printed.split("\nartifact:")[0]
    assert report.with_suffix(".png").stat().st_size > 10_000  # the reliability plot

    art = artifact.read(out)
    meta = art.meta
    assert sorted(meta["sha256"]) == ["explain.npz", "model.onnx", "tokenizer.json"]
    tables = np.load(out / "explain.npz")
    assert len(tables["idf"]) == int(tables["total_buckets"])
    assert len(tables["buckets"]) == len(tables["weights"]) > 0
    data = meta["data"]
    assert [c["name"] for c in data["corpora"]] == [eml_corpus.name, "sms_fixture", "sms_smishtank_2024"]
    assert data["corpora"][1]["licence"] == "CC BY 4.0 (test data)" and data["corpora"][2]["use"] == "eval"
    assert data["exact_duplicates_dropped"] == 1 and data["near_duplicates_dropped"] == 1
    assert meta["licence"].startswith("commercial use allowed")
    metrics = meta["metrics"]
    assert metrics["model"]["random"]["roc_auc"] > 0.9 and "roc_auc" in metrics["baseline"]["random"]
    assert set(metrics["folds"]) == {eml_corpus.name, "sms_fixture"}  # leave-one-source-out
    assert metrics["model"]["evaluation_only_sources"]["n"] == 20
    assert metrics["model"]["challenge"]["n"] == 200
    assert {c["text"] for c in meta["canaries"]} and 0.001 <= meta["threshold"] <= 0.999
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
        _export([eml_corpus], tmp_path / name, tmp_path / f"{name}.md")
        digests.append(artifact.read(tmp_path / name).meta["sha256"])
    assert digests[0] == digests[1]


def test_jsonl_sources_licences_and_commercial_switch(sms_jsonl, tmp_path):
    collection = corpus.load_all([sms_jsonl], None)
    assert [(c.source.name, c.source.use) for c in collection.corpora] == [
        ("sms_fixture", "train"), ("sms_smishtank_2024", "eval")]
    assert collection.corpora[0].to_metadata()["counts"] == {"legit": 41, "scam": 41}
    noncommercial = tmp_path / "nc"
    noncommercial.mkdir()
    (noncommercial / "README.md").write_text("# nc\n## Licence\n**CC BY-NC 4.0** (non-commercial)\n")
    (noncommercial / "nc.jsonl").write_text('{"text": "win cash now", "label": "scam"}\n')
    assert "non-commercial" in corpus.load_all([sms_jsonl, noncommercial], None,
                                               commercial=False).licence_note()
    commercial = corpus.load_all([sms_jsonl, noncommercial], None)  # the default
    assert [c.source.name for c in commercial.corpora] == ["sms_fixture", "sms_smishtank_2024"]
    assert commercial.licence_note().startswith("commercial use allowed")


def test_near_duplicates_across_sources_are_dropped():
    records = [corpus.Record("Congratulations you won a 1000 pound prize call now to claim it", 1, "a", "a"),
               corpus.Record("Congratulations you won a INR 5000 pound prize, call now to claim it today!",
                             1, "b", "b"),
               corpus.Record("Are we still on for lunch tomorrow at noon near the office", 0, "b", "b")]
    kept, dropped = corpus.near_deduplicate(records)
    assert dropped == 1 and [r.source for r in kept] == ["a", "b"] and kept[1].label == 0


def test_mbox_folders_are_read(tmp_path):
    import mailbox

    for label, text in (("scam", "claim your prize"), ("ham", "notes from the meeting")):
        (tmp_path / "box" / label).mkdir(parents=True)
        box = mailbox.mbox(str(tmp_path / "box" / label / "mail.mbox"))
        box.add(f"From: a@b.c\nSubject: {label}\n\n{text}\n")
        box.close()
    (records,) = [c.records for c in corpus.read_path(tmp_path / "box")]
    assert sorted((r.label, r.text) for r in records) == [(0, "ham\nnotes from the meeting"),
                                                         (1, "scam\nclaim your prize")]


def test_csv_corpus_and_labels(tmp_path):
    path = tmp_path / "mail.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows([["win a prize", "spam"], ["see you at lunch", "ham"], ["free money", "1"],
                          ["notes attached", "0"]])
    data_id, records = corpus.load(str(path), tmp_path)
    assert data_id == "mail:mail.csv" and [r.label for r in records] == [1, 0, 1, 0]
    path.write_text("body,kind\nx,spam\n")
    with pytest.raises(ValueError, match="needs 'text' and 'label' columns"):
        corpus.load(str(path), tmp_path)


def test_splits_are_stratified_by_source_and_label_seeded_and_disjoint():
    records = [corpus.Record(f"text {i}", int(i % 3 == 0), "g", "a" if i < 200 else "b") for i in range(300)]
    split = corpus.random_split(records, seed=1)
    assert split.sizes() == {"train": 240, "validation": 30, "test": 30}
    texts = [{r.text for r in part} for part in (split.train, split.validation, split.test)]
    assert not (texts[0] & texts[1] or texts[0] & texts[2] or texts[1] & texts[2])
    assert sum(r.label for r in split.test) == 10  # a third of 30, as in the whole
    assert sum(r.source == "b" for r in split.test) == 10  # and a third of it from source b
    assert split.test == corpus.random_split(records, seed=1).test


def test_time_split_and_leave_one_source_out():
    records = [corpus.Record(f"t{i}", i % 2, g) for i, g in enumerate(
        ["easy-ham-1", "spam-1", "hard-ham-1", "easy-ham-2", "spam-2"] * 20)]
    records += [corpus.Record(f"s{i}", i % 2, "sms", "sms") for i in range(40)]
    split = corpus.time_split(records)
    assert {r.group for r in split.test} == {"easy-ham-2", "spam-2"}
    assert {r.group for r in split.train + split.validation} == {*corpus.TIME_TRAIN, "sms"}
    sms = [r for r in records if r.source == "sms"]
    left = corpus.leave_out(records, sms)
    assert left.test == sms and not {r.source for r in left.train + left.validation} & {"sms"}
