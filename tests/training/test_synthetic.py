"""The synthetic modern-message generator: deterministic, balanced, unique, fully filled."""

import re
from collections import Counter

import pytest

from export.synthetic import KINDS, SOURCE, generate, template_count


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return generate(3000, seed=13)


def test_same_seed_same_messages(records):
    assert generate(3000, seed=13) == records


def test_other_seed_other_texts(records):
    other = {r["text"] for r in generate(300, seed=14)}
    assert len(other & {r["text"] for r in records}) < 30


def test_requested_count_and_fields():
    for count in (0, 1, 7, 250):
        out = generate(count, seed=5)
        assert len(out) == count
        for r in out:
            assert set(r) == {"text", "label", "source", "id", "kind", "channel"}
            assert r["source"] == SOURCE and r["channel"] in ("sms", "email")


def test_negative_count_is_refused():
    with pytest.raises(ValueError, match="count"):
        generate(-1)


def test_label_shares(records):
    labels = Counter(r["label"] for r in records)
    assert set(labels) == {"legit", "scam"}
    assert 0.50 <= labels["legit"] / len(records) <= 0.60


def test_no_duplicates_and_unique_ids(records):
    assert len({r["text"] for r in records}) == len(records)
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"syn-\d{5}", i) for i in ids)


def test_no_template_syntax_left(records):
    for r in records:
        text = r["text"]
        assert not re.search(r"[{}]|<<|>>|\[\[|\]\]|^[~^]", text, re.MULTILINE), text
        assert "  " not in text and "\n\n\n" not in text, text


def test_email_and_sms_shapes(records):
    for r in records:
        if r["channel"] == "email":
            assert re.match(r"Subject: \S.*\n\n\S", r["text"]), r["text"]
            assert len(r["text"]) <= 2000
        else:
            assert not r["text"].startswith("Subject:")


def test_every_kind_in_every_intended_channel(records):
    seen = {(r["kind"], r["channel"], r["label"]) for r in records}
    intended = {(k.name, c, k.label) for k in KINDS for c in k.channels}
    assert seen == intended
    assert sum(len(k.channels) == 2 for k in KINDS) >= 25


def test_enough_templates_and_variety(records):
    counts = template_count()
    assert counts["legit"] + counts["scam"] >= 80 and min(counts.values()) >= 30
    lengths = [len(r["text"]) for r in records]
    assert min(lengths) < 60 and max(lengths) > 800
    openings = Counter(r["text"][:40] for r in records)
    assert openings.most_common(1)[0][1] < 40  # no one opening dominates
