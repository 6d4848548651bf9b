"""export.notice: each artifact's NOTICE is generated from its model.json and committed current."""

from __future__ import annotations

import json

import pytest

from export import notice
from tests.support import ROOT


@pytest.mark.parametrize("folder", ["model", "model-minilm"])
def test_the_committed_notice_is_the_one_model_json_gives(folder):
    meta = json.loads((ROOT / folder / "model.json").read_text(encoding="utf-8"))
    text = (ROOT / folder / "NOTICE").read_text(encoding="utf-8")
    assert text == notice.render(meta), f"run: .venv/bin/python -m export.notice {folder}"
    assert f"{meta['name']}, version {meta['version']}" in text.splitlines()[0]
    for corpus in meta["data"]["corpora"]:  # every corpus, with its origin and licence
        assert f"- {corpus['name']}\n  Origin (attribution): {corpus['origin']}\n" \
               f"  Licence: {corpus['licence']}\n" in text


def test_licences_links_commercial_use_and_evaluation_only_corpora(tmp_path):
    corpora = [
        {"name": "sms", "origin": "SMS (Doe 2020)", "licence": "CC BY 4.0", "use": "train",
         "commercial": True, "counts": {"legit": 3, "scam": 0}},
        {"name": "pot", "origin": "honeypot", "licence": "CC BY-NC 4.0", "use": "train", "commercial": False,
         "attribution": "Pot by R. Roe, https://example.org/pot"},
        {"name": "held-out", "origin": "a paper", "licence": "none stated", "use": "eval",
         "commercial": True},
    ]
    (tmp_path / "model.json").write_text(json.dumps({
        "name": "m", "version": "v1", "licence": "non-commercial use only", "data": {"corpora": corpora}}))
    assert notice.main([str(tmp_path)]) == 0
    text = (tmp_path / "NOTICE").read_text()
    training, evaluation = text.split("Evaluation-only corpora (1)")
    assert "Training corpora (2)" in training and "held-out" in evaluation
    assert "  Licence text: https://creativecommons.org/licenses/by/4.0/\n" \
           "  Commercial use allowed by its licence: yes\n  Messages used: 3 legit\n" in training
    assert "https://creativecommons.org/licenses/by-nc/4.0/" in training
    assert "Commercial use allowed by its licence: no" in training
    assert "Origin (attribution): Pot by R. Roe, https://example.org/pot" in training
    assert "Commercial use" not in evaluation  # no licence stated: nothing is granted
    assert "Licence of this artifact: non-commercial use only" in text


def test_a_folder_without_an_artifact_is_refused(tmp_path, capsys):
    assert notice.main([str(tmp_path)]) == 2
    assert "not a model artifact" in capsys.readouterr().err
