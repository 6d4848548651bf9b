"""Reasons (issue 13) on a small fast artifact exported here (about 6 s), so they hold whatever
model/ is: exact shares of the fast model's logit, their spans in the submitted text, occlusion for
a model without tables, and faithfulness by deletion.
"""

from __future__ import annotations

import json
import random
import shutil

import numpy as np
import pytest

from export.__main__ import main as export_main
from export.faithfulness import deletion_drops
from function import artifact, explain, mail
from function.model import Model
from tests.app.test_explain import PASTED
from tests.conftest import HAM_WORDS, SCAM_WORDS

FILLER = ["the", "we", "today", "please", "see", "your", "with", "for", "team", "about", "this", "week"]


def _mail(rng: random.Random, words: list[str], i: int) -> bytes:
    """A message of common words with a few of its class's words among them, as in real mail."""
    body = [rng.choice(FILLER) for _ in range(rng.randint(25, 45))]
    for _ in range(rng.randint(3, 6)):
        body.insert(rng.randrange(len(body) + 1), rng.choice(words))
    return f"Subject: note {i}\r\nFrom: x{i}@example.com\r\n\r\n{' '.join(body)}\r\n".encode()


@pytest.fixture(scope="module")
def fixture_art(tmp_path_factory):
    """A fast artifact trained on fixture mail, and the messages it was trained and tested on."""
    root = tmp_path_factory.mktemp("explain")
    rng = random.Random(7)
    messages = {}
    for label, words in (("ham", HAM_WORDS), ("scam", SCAM_WORDS)):
        (root / "corpus" / label).mkdir(parents=True)
        messages[label] = [_mail(rng, words, i) for i in range(60)]
        for i, raw in enumerate(messages[label]):
            (root / "corpus" / label / f"{i:03}.eml").write_bytes(raw)
    assert export_main(["--corpus-only", "--corpus", str(root / "corpus"), "--no-folds", "--vocab", "300",
                        "--out", str(root / "art"), "--report", str(root / "report.md")]) == 0
    return root / "art", messages


@pytest.fixture(scope="module")
def fast(fixture_art) -> Model:
    model = Model(artifact.read(fixture_art[0]), threads=1)
    assert model.explains_exactly
    return model



@pytest.mark.parametrize("text", [PASTED, "winner " * 3, "patch review", " ".join(SCAM_WORDS * 900)])
def test_the_shares_sum_to_the_graphs_logit(fast, text):
    cleaned = mail.clean(text)
    kept, at = fast.encoding.kept(fast.tokenizer, cleaned, offsets=True)
    ids, offsets = np.asarray(kept), np.asarray(at).reshape(-1, 2)
    graph_ids, _ = fast.encoding.encode(fast.tokenizer, [cleaned])
    assert kept == graph_ids[0].tolist()  # the tokens the graph reads, window and truncation
    assert (offsets[:, 0] >= 0).all() and (offsets[:, 1] <= len(cleaned)).all()
    _, _, shares, logit = fast.tables.shares(ids)
    assert abs(shares.sum() + fast.tables.bias - logit) < 1e-9
    assert abs(logit - explain.logit(fast.scores([cleaned])[0])) < 1e-4


def test_a_long_texts_tail_offsets_point_at_its_own_words(fast):
    text = "meeting notes " * 3000 + "claim your lottery prize now"
    offsets = fast.encoding.kept(fast.tokenizer, text, offsets=True)[1]
    last = offsets[-1]
    assert text[last[0]:last[1]] == "now"[-(last[1] - last[0]):]


def test_reasons_are_spans_of_the_submitted_text_strongest_first(fast):
    cleaned = mail.clean(PASTED)
    score = fast.scores([cleaned])[0]
    reasons = explain.locate(fast.reasons(cleaned, score, False), cleaned, PASTED, False)
    assert 1 <= len(reasons) <= explain.MAX_REASONS
    weights = [r.weight for r in reasons]
    assert weights == sorted(weights, reverse=True) and min(weights) > 0
    for reason in reasons:
        assert PASTED[reason.start:reason.end] == reason.text
    assert {"lottery", "winner"} & {r.text.lower() for r in reasons}
    both = explain.locate(fast.reasons(cleaned, score, True), cleaned, PASTED, True)
    assert tuple(r for r in both if r.weight > 0) == reasons and any(r.weight < 0 for r in both)


def test_occlusion_without_tables_uses_at_most_16_runs(fixture_art, tmp_path):
    source, _ = fixture_art
    shutil.copytree(source, tmp_path / "art")
    meta = json.loads((tmp_path / "art" / "model.json").read_text())
    del meta["files"]["explain"]
    artifact.write_metadata(tmp_path / "art", meta)
    model = Model(artifact.read(tmp_path / "art"), threads=1)
    assert not model.explains_exactly
    text = " ".join(f"Sentence {i} about the meeting notes." for i in range(40)) + " Claim a lottery prize!"
    score = model.scores([text])[0]
    scored: list[int] = []

    def counted(texts: list[str]) -> np.ndarray:
        scored.append(len(texts))
        return model.scores(texts)

    spans = explain.occlusion(counted, text, score, True)
    assert len(scored) == 1 and 8 <= scored[0] <= explain.OCCLUSION_UNITS  # one batch of extra runs
    strongest = max(spans, key=lambda s: s.weight)
    assert "lottery" in text[strongest.start:strongest.end]
    without = text[:strongest.start] + " " + text[strongest.end:]
    assert abs(strongest.weight - (explain.logit(score) - explain.logit(model.scores([without])[0]))) \
        < 1e-9


def test_deleting_the_top_3_reasons_lowers_the_score_more_than_3_random_spans(fast, fixture_art):
    """Faithfulness on the fixture's scams (export.faithfulness gives the figure for model/)."""
    rng = random.Random(5)
    texts = [mail.message_text(raw) for raw in fixture_art[1]["scam"]]
    wins, top_drops, random_drops = 0, [], []
    for text in texts:
        top, drop = deletion_drops(fast, text, rng)
        wins += top > drop
        top_drops.append(top)
        random_drops.append(drop)
    assert wins >= 0.9 * len(texts), (wins, len(texts))
    assert np.mean(top_drops) > np.mean(random_drops)
