"""The bundle: model.json schema, sha256 checks, and a model that serves any valid artifact."""

import json
import shutil

import pytest

from export import package
from function import artifact
from function.model import Model, Plane
from tests.support import HAM, MODEL, SCAM


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(MODEL, target)
    return target


def edit_meta(folder, change, seal: bool = True) -> None:
    """Edits model.json; sealed again unless `seal` is false (as a hand edit would leave it)."""
    path = folder / artifact.METADATA
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(artifact.sealed(meta) if seal else meta))


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


def test_tampered_explanation_tables_are_refused_where_they_are_read(copy):
    tables = copy / "explain.npz"
    tables.write_bytes(tables.read_bytes()[:-100] + b"x" * 100)
    model = Model(artifact.read(copy), threads=1)  # a plain answer does not need the tables...
    assert model.predict([SCAM])[0].prediction
    with pytest.raises(artifact.ArtifactError, match=r"explain\.npz does not match its sha256"):
        _ = model.tables  # ...an explained one does, and they are checked before they are used


def test_a_request_for_reasons_from_tampered_tables_is_a_503(copy):
    from function.contract import ApiError, ErrorCode
    from function.settings import Settings

    tables = copy / "explain.npz"
    tables.write_bytes(tables.read_bytes()[:-100] + b"x" * 100)
    plane = Plane(Settings.from_env({"MODEL_DIR": str(copy)}))
    assert plane.predict([SCAM]).predictions[0].prediction
    with pytest.raises(ApiError) as refused:
        plane.predict([SCAM], explain=True)
    assert refused.value.code is ErrorCode.MODEL_UNAVAILABLE and "sha256" in refused.value.message
    assert str(copy) not in refused.value.message


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
    low, high = Model(art, 1, threshold=1e-9), Model(art, 1, threshold=1 - 1e-9)
    assert low.predict([HAM])[0].score == high.predict([HAM])[0].score
    assert low.predict([HAM])[0].prediction and not high.predict([SCAM])[0].prediction


# Issue 11, row 10: checksums that cover every file, and canaries that catch swapped labels.

@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m.update(sha256={}), r"sha256 does not cover explain\.npz, model\.onnx, tokenizer\.json"),
    (lambda m: m["sha256"].pop("tokenizer.json"), r"sha256 does not cover tokenizer\.json"),
    (lambda m: m["files"].update(extra="vocab.txt"), r"sha256 does not cover vocab\.txt"),
    (lambda m: m["sha256"].update({"model.onnx": "abc"}), "not 64 hex digits"),
    (lambda m: m.update(canaries=[{"text": "x"}]), "canaries must be"),
    (lambda m: m.update(canaries={"text": "x", "score": 0.5}), "canaries must be"),
    (lambda m: m.update(canaries=[{"text": "x", "score": 1.5}]), "canaries must be"),
    (lambda m: m.update(canaries=[]), "canaries must be a list of at least one"),  # issue 20, row 13
    (lambda m: m.pop("canaries"), "lacks canaries"),
])
def test_checksums_must_cover_every_file_and_canaries_be_well_formed(copy, change, message):
    edit_meta(copy, change)
    with pytest.raises(artifact.ArtifactError, match=message):
        artifact.read(copy)


def canaries_of(folder) -> list[dict]:
    """Canaries as the exporter writes them: texts and the scores this artifact gives them."""
    texts = [SCAM, HAM, "Some text that I want to send to your model."]
    scores = Model(artifact.read(folder), threads=1).scores(texts)
    return [{"text": t, "score": float(s)} for t, s in zip(texts, scores, strict=True)]


def test_canaries_that_score_as_written_load(copy):
    canaries = canaries_of(copy)
    edit_meta(copy, lambda m: m.update(canaries=canaries))
    assert Model(artifact.read(copy), threads=1).predict([SCAM])[0].label == "scam"


def test_swapped_labels_fail_the_canaries(copy):
    canaries = canaries_of(copy)
    edit_meta(copy, lambda m: m.update(canaries=canaries, labels=m["labels"][::-1]))
    with pytest.raises(artifact.ArtifactError, match=r"canary 'Dear Friend.*labels swapped"):
        Model(artifact.read(copy), threads=1)


def test_a_canary_off_by_more_than_the_tolerance_is_named(copy):
    canaries = canaries_of(copy)
    canaries[1]["score"] += 2 * artifact.CANARY_TOLERANCE
    edit_meta(copy, lambda m: m.update(canaries=canaries))
    with pytest.raises(artifact.ArtifactError, match="canary 'Hi Tom"):
        Model(artifact.read(copy), threads=1)


# Issue 20, row 13: model.json edited after export is refused, not served under the same version.

def test_labels_swapped_and_canaries_deleted_by_hand_are_refused(copy):
    edit_meta(copy, lambda m: (m.update(labels=m["labels"][::-1]), m.pop("canaries")), seal=False)
    with pytest.raises(artifact.ArtifactError, match="does not match its metadata_sha256"):
        artifact.read(copy, verify=False)


def test_any_edit_breaks_the_seal_and_an_unsealed_file_is_refused(copy):
    edit_meta(copy, lambda m: m.update(threshold=0.5), seal=False)
    with pytest.raises(artifact.ArtifactError, match="does not match its metadata_sha256"):
        artifact.read(copy)
    edit_meta(copy, lambda m: m.pop(artifact.SEAL), seal=False)
    with pytest.raises(artifact.ArtifactError, match="is not sealed"):
        artifact.read(copy)


def test_reseal_accepts_a_deliberate_edit_and_refuses_swapped_labels(copy):
    edit_meta(copy, lambda m: m.update(threshold=0.5), seal=False)
    package.reseal(copy)
    assert artifact.read(copy).meta["threshold"] == 0.5
    edit_meta(copy, lambda m: m.update(labels=m["labels"][::-1]), seal=False)
    with pytest.raises(artifact.ArtifactError, match="labels swapped"):
        package.reseal(copy)
    with pytest.raises(artifact.ArtifactError, match="does not match"):  # and nothing was sealed
        artifact.read(copy)


def test_the_committed_artifacts_are_sealed_with_canaries():
    for folder in (MODEL, MODEL.parent / "model-minilm"):
        meta = artifact.read(folder, verify=False).meta
        assert meta[artifact.SEAL] and len(meta["canaries"]) >= 2
