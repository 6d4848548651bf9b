"""The bundle: model.json schema, sha256 checks, and a model that serves any valid artifact."""

import json
import shutil

import pytest

from function import artifact
from function.model import Model
from tests.support import HAM, MODEL, SCAM


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(MODEL, target)
    return target


def edit_meta(folder, change) -> None:
    path = folder / artifact.METADATA
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))


def test_the_committed_artifact_is_whole_and_serves():
    art = artifact.read(MODEL)
    model = Model(art, threads=1)
    assert art.meta["labels"] == ["ham", "scam"] and art.version
    scam, ham = model.predict([SCAM, HAM])
    assert (scam.prediction, scam.label, ham.prediction, ham.label) == (True, "scam", False, "ham")
    assert 0.0 <= ham.score < model.threshold <= scam.score <= 1.0


def test_a_truncated_graph_fails_its_checksum(copy):
    graph = copy / "model.onnx"
    graph.write_bytes(graph.read_bytes()[:1000])
    with pytest.raises(artifact.ArtifactError, match="does not match its sha256"):
        artifact.read(copy)


def test_a_missing_file_is_named(copy):
    (copy / "tokenizer.json").unlink()
    with pytest.raises(artifact.ArtifactError, match=r"tokenizer\.json is missing"):
        artifact.read(copy)


def test_missing_metadata(tmp_path):
    with pytest.raises(artifact.ArtifactError, match=r"no model\.json"):
        artifact.read(tmp_path)


def test_unreadable_metadata(copy):
    (copy / artifact.METADATA).write_text("{broken")
    with pytest.raises(artifact.ArtifactError, match="unreadable"):
        artifact.read(copy)


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m.pop("labels"), "lacks labels"),
    (lambda m: m.update(positive_label="spam"), "not in labels"),
    (lambda m: m.update(labels=["a", "b", "c"]), "list of two"),
    (lambda m: m.update(inputs={"pixels": "x"}), "unknown features"),
    (lambda m: m.update(schema=99), "schema 99"),
])
def test_inconsistent_metadata_is_refused(copy, change, message):
    edit_meta(copy, change)
    with pytest.raises(artifact.ArtifactError, match=message):
        artifact.read(copy)


def test_inputs_the_graph_lacks_are_refused(copy):
    edit_meta(copy, lambda m: m["inputs"].update(token_type_ids="token_type_ids"))
    with pytest.raises(artifact.ArtifactError, match="graph lacks"):
        Model(artifact.read(copy), threads=1)


def test_threshold_override_changes_decisions_not_scores():
    art = artifact.read(MODEL)
    low, high = Model(art, 1, threshold=0.01), Model(art, 1, threshold=0.99)
    assert low.predict([HAM])[0].score == high.predict([HAM])[0].score
    assert low.predict([HAM])[0].prediction and not high.predict([SCAM])[0].prediction
