"""model.json's optional "uncertain": [lo, hi], checked at load: 0 <= lo <= threshold <= hi <= 1."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from function import artifact
from function.model import Model
from tests.support import MODEL


def served(tmp_path, uncertain: object) -> Model:
    root = tmp_path / "art"
    shutil.copytree(MODEL, root)
    meta = json.loads((root / "model.json").read_text())
    meta["uncertain"] = uncertain
    artifact.write_metadata(root, meta)
    return Model(artifact.read(root), threads=1)


def test_a_stated_band_is_used_and_moves_with_the_threshold(tmp_path):
    model = served(tmp_path, [0.2, 0.6])
    assert model.uncertain(model.threshold) == (0.2, 0.6)
    # Moved with the threshold in log-odds: a threshold of 0.9 is log(9) - logit(t) further on.
    shift = math.log(9) - math.log(model.threshold / (1 - model.threshold))
    moved = [1 / (1 + math.exp(-math.log(e / (1 - e)) - shift)) for e in (0.2, 0.6)]
    assert model.uncertain(0.9) == pytest.approx(moved, abs=1e-3) and model.uncertain(0.9)[1] < 1
    scores = model.scores(["hello", "a"])
    for score, prediction in zip(scores, model.predict(["hello", "a"]), strict=True):
        side = "scam" if score >= model.threshold else "not_scam"
        assert prediction.band == ("uncertain" if 0.2 <= score < 0.6 else side)


@pytest.mark.parametrize("uncertain", [[0.9, 0.95], [0.1, 0.2], [-0.1, 0.5], [0.3, 1.2], [0.3], "wide",
                                       [True, 0.5], [0.3, None]])
def test_a_band_that_does_not_hold_the_threshold_is_refused_at_load(tmp_path, uncertain):
    with pytest.raises(artifact.ArtifactError, match="uncertain"):
        served(tmp_path, uncertain)
