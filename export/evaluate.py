"""Metrics, the decision threshold, and the character n-gram baseline the model must match."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

# Both families train with balanced class weights, so 0.5 is the equal-prior decision point.
# Lower thresholds win a little F1 on the corpus but flag short, plain notes (see README).
THRESHOLD = 0.5


def metrics(labels: list[int], scores: np.ndarray, threshold: float) -> dict[str, float]:
    y, decided = np.asarray(labels), np.asarray(scores) >= threshold
    both = len(set(y.tolist())) == 2
    return {
        "accuracy": round(float(accuracy_score(y, decided)), 4),
        "precision": round(float(precision_score(y, decided, zero_division=0)), 4),
        "recall": round(float(recall_score(y, decided, zero_division=0)), 4),
        "f1": round(float(f1_score(y, decided, zero_division=0)), 4),
        "roc_auc": round(float(roc_auc_score(y, scores)), 5) if both else float("nan"),
    }


def char_baseline(train_texts: list[str], train_labels: list[int], test_texts: list[str]) -> np.ndarray:
    """TF-IDF character 2-5-grams + logistic regression: the bar the model must clear."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    classifier = LogisticRegression(C=10, max_iter=2000)
    classifier.fit(vectorizer.fit_transform(train_texts), train_labels)
    return classifier.predict_proba(vectorizer.transform(test_texts))[:, 1]
