"""The operating point a mail filter is judged at: scam recall where at most 1 % (or 0.1 %) of the
legitimate texts are flagged, and the served threshold chosen for that rate."""

from __future__ import annotations

import numpy as np

from export.evaluate import choose_threshold, metrics, recall_at


def test_recall_at_flags_no_more_legit_than_allowed():
    legit = np.linspace(0.0, 0.99, 200)  # 200 legitimate scores; 1 % is 2 of them
    scams = np.array([0.2, 0.5, 0.97, 0.985, 0.995])
    labels = [0] * 200 + [1] * 5
    recall, threshold = recall_at(labels, np.concatenate([legit, scams]), 0.01)
    assert np.sum(legit >= threshold) == 2
    assert recall == 2 / 5  # 0.985 and 0.995 lie above the two highest legitimate scores' cut
    assert recall_at(labels, np.concatenate([legit, scams]), 0.0)[0] == 1 / 5


def test_the_served_threshold_flags_at_most_one_percent_of_validation_legit():
    rng = np.random.default_rng(0)
    legit, scams = rng.beta(2, 8, 1000), rng.beta(8, 2, 300)
    labels = [0] * 1000 + [1] * 300
    threshold = choose_threshold(labels, np.concatenate([legit, scams]))
    assert np.mean(legit >= threshold) <= 0.01
    # It gives up at most 1 % of the scams the lowest such threshold catches, for a margin.
    assert np.mean(scams >= threshold) >= recall_at(labels, np.concatenate([legit, scams]), 0.01)[0] - 0.01
    assert threshold > recall_at(labels, np.concatenate([legit, scams]), 0.01)[1]
    # Perfectly apart: the middle of the gap (in log-odds), not a hair above the legitimate texts.
    assert 0.1 < choose_threshold([0, 0, 1, 1], np.array([0.001, 0.003, 0.9, 0.99])) < 0.5


def test_metrics_report_both_operating_points_only_with_both_labels():
    both = metrics([0, 0, 1, 1], np.array([0.1, 0.6, 0.7, 0.9]), 0.5)
    assert both["legit_flagged"] == 0.5 and both["recall_at_1pct"] == 1.0
    legit_only = metrics([0, 0], np.array([0.1, 0.6]), 0.5)
    assert legit_only["recall_at_1pct"] is None and legit_only["legit_flagged"] == 0.5
